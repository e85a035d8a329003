import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { KanonError } from '../errors.js';
import { freePort } from '../free-port.js';

export interface PrivateRedis {
  url: string;
  /** A redis-server an earlier process had left running in the same directory was shut down first. */
  leftoverStopped: boolean;
  stop(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** Working directory; with `persistent`, the append-only file lives here. */
  dir: string;
  /**
   * The queue's Redis keeps an append-only file, so acknowledged events survive a restart
   * (invariant 5). The salts' Redis must not: a salt written to disk could outlive its day
   * (invariant 4).
   */
  persistent: boolean;
  binary?: string;
}

export const REDIS_MISSING_HELP =
  'Kanon needs Redis. Either set REDIS_URL to a Redis server (e.g. REDIS_URL=redis://127.0.0.1:6379), ' +
  'or install redis-server so Kanon can start a private one: Debian/Ubuntu `sudo apt-get install -y redis-server`, ' +
  'macOS `brew install redis`.';

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      // not listening yet
    } finally {
      probe.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('redis-server did not become ready in time');
}

/** Where a private redis-server's port is recorded while it runs, in its own directory. */
const MARKER = 'kanon-redis.json';

/** Resolves once nothing answers on the port any more, or after `timeoutMs`. */
async function waitUntilGone(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const refused = await new Promise<boolean>((resolve) => {
      const probe = createConnection({ host: '127.0.0.1', port });
      probe.once('connect', () => {
        probe.destroy();
        resolve(false);
      });
      probe.once('error', () => resolve(true));
    });
    if (refused) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Shuts down a redis-server that an earlier process started in `dir` and never stopped: one killed
 * with SIGKILL (or by the OOM killer) leaves its detached redis-server running. Two servers on one
 * directory would both write its append-only file. The server is found by the port its marker
 * records, and only shut down if it says `dir` is its directory (the port may have been reused).
 * SHUTDOWN writes the append-only file first, so what it held is loaded by the new one.
 */
async function shutDownLeftover(dir: string): Promise<boolean> {
  let port: number;
  try {
    port = Number((JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as { port: unknown }).port);
  } catch {
    return false;
  }
  if (!Number.isInteger(port) || port <= 0) return false;
  const redis = new Redis(`redis://127.0.0.1:${port}`, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const [, itsDir] = (await redis.config('GET', 'dir')) as [string, string];
    if (itsDir !== realpathSync(dir)) return false;
    // The server closes the connection as it exits, so the reply never comes.
    await redis.call('SHUTDOWN').catch(() => {});
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
  await waitUntilGone(port, 10_000);
  return true;
}

/**
 * Starts a redis-server from PATH on a free loopback port, for `npm start` and the tests when no
 * REDIS_URL is given. It is stopped by `stop()` and, as a last resort, when this process exits.
 * When this process is killed with SIGKILL it keeps running, until the next start in the same
 * directory shuts it down (`shutDownLeftover`).
 */
export async function startPrivateRedis(options: PrivateRedisOptions): Promise<PrivateRedis> {
  mkdirSync(options.dir, { recursive: true });
  const leftoverStopped = await shutDownLeftover(options.dir);
  for (let attempt = 0; ; attempt += 1) {
    const port = await freePort();
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      options.dir,
      '--save',
      '',
      '--appendonly',
      options.persistent ? 'yes' : 'no',
      '--appendfsync',
      'everysec',
      // The append-only file's base (written by each rewrite, core/redis/aof-rewrites.ts) holds the
      // batches still queued; uncompressed, a plain search of the data directory sees exactly what
      // it holds, as the privacy tests and an auditor do. The queue holds seconds of traffic, so
      // compression would save little.
      '--rdbcompression',
      'no',
      '--protected-mode',
      'yes',
      '--loglevel',
      'warning',
      '--logfile',
      '',
    ];
    // A process group of its own: a terminal's Ctrl-C goes to the foreground group, and a Redis in
    // it would stop at once, before Kanon has flushed the collector's batches into it. Kanon stops
    // it itself, last (`stop()`).
    const child = spawn(options.binary ?? 'redis-server', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    const spawnError = await new Promise<Error | undefined>((resolve) => {
      child.once('error', (error) => resolve(error));
      child.once('spawn', () => resolve(undefined));
    });
    if (spawnError) {
      if ((spawnError as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new KanonError('redis_missing', 500, REDIS_MISSING_HELP);
      }
      throw spawnError;
    }
    const url = `redis://127.0.0.1:${port}`;
    // Last resort when this process exits without stop(): SIGTERM, so Redis still writes its
    // append-only file before it exits.
    const killOnExit = () => child.kill('SIGTERM');
    process.once('exit', killOnExit);
    try {
      await waitUntilReady(url, child, 10_000);
    } catch (error) {
      child.kill('SIGKILL');
      process.removeListener('exit', killOnExit);
      if (attempt < 3) continue; // the port was taken between probing and binding
      throw error;
    }
    const marker = join(options.dir, MARKER);
    writeFileSync(marker, `${JSON.stringify({ port })}\n`);
    return {
      url,
      leftoverStopped,
      stop: async () => {
        process.removeListener('exit', killOnExit);
        rmSync(marker, { force: true });
        if (child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      },
    };
  }
}
