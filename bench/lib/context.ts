import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type PrivateRedis, startPrivateRedis } from '../../core/redis/private-redis.js';
import { type Child, type ChildOptions, startChild } from './children.js';
import { findPid } from './proc.js';
import type { Figure } from './report.js';

/**
 * What every section shares: the options, two private redis-servers (the queue's with an
 * append-only file, as `npm start` runs it, unless --redis-persist=no; the salts' without
 * persistence), a temporary root for data directories, the environment children start with,
 * and the figures collected so far.
 */
export interface BenchOptions {
  quick: boolean;
  only: ReadonlySet<string>;
  /** Children to run under --cpu-prof (collector, bare, worker, release, dashboards, ...). */
  profile: ReadonlySet<string>;
  profileDir: string;
  redisPersistent: boolean;
  /** How often at most the workers rewrite the queue's append-only file (0: never). */
  queueRewriteEveryMs: number;
  rounds: number;
  durationS: number;
}

export const SITE = 'shop';
export const ORIGIN = 'https://shop.example';
export const PREFIX = 'kbench';

export interface ChildStart {
  env?: Record<string, string>;
  /** The role, when one child script plays several (worker-baseline, collector-lag, ...). */
  as?: string;
  nodeArgs?: string[];
  compiledRoot?: string;
}

export interface BenchContext {
  options: BenchOptions;
  root: string;
  queueUrl: string;
  saltUrl: string;
  /** pid of the queue's redis-server, for CPU accounting. */
  queueRedisPid: number | undefined;
  figures: Figure[];
  sections: Record<string, unknown>;
  notes: string[];
  /** Peak RSS (bytes) seen per role (collector, bare, worker, worker-idle, ...), for the memory section. */
  peaks: Map<string, number>;
  notePeak(role: string, bytes: number | undefined): void;
  /** A fresh data directory under the temporary root. */
  dataDir(name: string): string;
  /**
   * Starts bench/children/<name>.ts with the bench environment plus `env`, under --cpu-prof when
   * --profile names it (or its role `as`).
   */
  child<Ready = Record<string, unknown>>(name: string, options?: ChildStart): Promise<Child<Ready>>;
  /** Empties the queue's Redis between runs, so one run's backlog does not weigh on the next. */
  flushQueue(): Promise<void>;
  close(): Promise<void>;
}

/** The parent's environment minus anything that would point children at real deployments. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      value === undefined ||
      key.startsWith('KANON_') ||
      key.startsWith('CLICKHOUSE_') ||
      key === 'REDIS_URL'
    )
      continue;
    env[key] = value;
  }
  return env;
}

export async function createContext(options: BenchOptions): Promise<BenchContext> {
  const root = mkdtempSync(join(tmpdir(), 'kanon-bench-'));
  const started: PrivateRedis[] = [];
  try {
    const queue = await startPrivateRedis({
      dir: join(root, 'redis-queue'),
      persistent: options.redisPersistent,
    });
    started.push(queue);
    const salts = await startPrivateRedis({ dir: join(root, 'redis-salts'), persistent: false });
    started.push(salts);
    const admin = new Redis(queue.url, { maxRetriesPerRequest: 1 });
    let dirs = 0;
    const base = {
      ...cleanEnv(),
      REDIS_URL: queue.url,
      KANON_SALT_REDIS_URL: salts.url,
      KANON_QUEUE_PREFIX: PREFIX,
      KANON_SITES: `${SITE}=${ORIGIN}`,
      KANON_RATE_LIMIT: '0',
      KANON_LOG_LEVEL: 'warn',
      KANON_HOST: '127.0.0.1',
      KANON_COLLECTOR_PORT: '0',
      KANON_DASHBOARDS_PORT: '0',
      KANON_METRICS_PORT: '0',
      KANON_DEMO_PORT: '0',
    };
    const context: BenchContext = {
      options,
      root,
      queueUrl: queue.url,
      saltUrl: salts.url,
      queueRedisPid: findPid('redis-server', `:${new URL(queue.url).port}`),
      figures: [],
      sections: {},
      notes: [],
      peaks: new Map(),
      notePeak(role, bytes) {
        if (bytes !== undefined) context.peaks.set(role, Math.max(context.peaks.get(role) ?? 0, bytes));
      },
      dataDir(name) {
        const dir = join(root, `${name}-${++dirs}`);
        mkdirSync(dir, { recursive: true });
        return dir;
      },
      child(name, start = {}) {
        const as = start.as ?? name;
        const childOptions: ChildOptions = {
          env: { ...base, ...start.env },
          nodeArgs: start.nodeArgs,
          compiledRoot: start.compiledRoot,
        };
        if (options.profile.has(as) || options.profile.has(name))
          childOptions.cpuProfileDir = join(options.profileDir, as);
        return startChild(name, childOptions);
      },
      async flushQueue() {
        await admin.flushall();
      },
      async close() {
        admin.disconnect();
        await Promise.all(started.map((redis) => redis.stop()));
        rmSync(root, { recursive: true, force: true });
      },
    };
    return context;
  } catch (error) {
    await Promise.all(started.map((redis) => redis.stop()));
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
