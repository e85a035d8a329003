import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { KanonError } from '../errors.js';

export interface PrivateRedis {
  url: string;
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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

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

/**
 * Starts a redis-server from PATH on a free loopback port, for `npm start` and the tests when no
 * REDIS_URL is given. It is stopped by `stop()` and, as a last resort, when this process exits
 * (not when this process is killed with SIGKILL: it then keeps running).
 */
export async function startPrivateRedis(options: PrivateRedisOptions): Promise<PrivateRedis> {
  mkdirSync(options.dir, { recursive: true });
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
    return {
      url,
      stop: async () => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      },
    };
  }
}
