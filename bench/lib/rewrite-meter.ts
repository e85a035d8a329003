import { Redis } from 'ioredis';

/** What the queue Redis spent on rewriting its append-only file over a span (core/redis/aof-rewrites.ts). */
export interface RewriteCost {
  rewrites: number;
  /** CPU of the forked children that wrote the files, which the redis-server process's own CPU leaves out. */
  childCpuMs: number;
  /** The last fork's pause of redis-server's main thread. */
  latestForkUs: number;
  /** Size of the base file the last rewrite wrote: what was queued at that moment. */
  baseBytes: number;
}

async function read(redis: Redis) {
  const info = await redis.info();
  const field = (name: string) =>
    Number(info.match(new RegExp(`^${name}:([\\d.]+)`, 'm'))?.[1] ?? Number.NaN);
  return {
    rewrites: field('aof_rewrites'),
    childCpuS: field('used_cpu_user_children') + field('used_cpu_sys_children'),
    latestForkUs: field('latest_fork_usec'),
    baseBytes: field('aof_base_size'),
  };
}

/** Starts measuring; call the returned function at the span's end. */
export async function rewriteMeter(url: string): Promise<() => Promise<RewriteCost>> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const start = await read(redis);
  return async () => {
    try {
      const end = await read(redis);
      return {
        rewrites: end.rewrites - start.rewrites,
        childCpuMs: (end.childCpuS - start.childCpuS) * 1000,
        latestForkUs: end.latestForkUs,
        baseBytes: end.baseBytes,
      };
    } finally {
      redis.disconnect();
    }
  };
}

export const describeRewrites = (cost: RewriteCost) =>
  `${cost.rewrites} rewrites of the queue's append-only file, ${cost.childCpuMs.toFixed(0)} ms of CPU in all, last fork ${cost.latestForkUs} µs, last base ${(cost.baseBytes / 1e6).toFixed(1)} MB`;
