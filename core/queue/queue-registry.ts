import type { RedisClient } from '../redis/connect.js';

/**
 * How many events queues a deployment has ever sent batches to: the largest KANON_REDIS_QUEUES of
 * any collector that started, kept in one Redis key that only grows. Collectors register their
 * count before they accept a beacon; workers and the release read it, so they consume and watch
 * every queue a batch may wait in, whatever their own setting says:
 *
 * - raising KANON_REDIS_QUEUES on the collectors first: workers still on the old count consume the
 *   new queues, and the release holds back for their batches (invariant 5), without a restart;
 * - lowering it: the queues no collector sends to any more are still drained and watched, so what
 *   waited in them is neither stranded nor released around.
 *
 * A queue nobody sends to costs each worker one idle connection; the count never shrinks by itself
 * (a deployment that wants it smaller deletes the key once those queues are empty).
 */
const countKey = (prefix: string) => `${prefix}:queue-count`;

/** Raises the registered count to at least `queues` (atomically); resolves to the count now registered. */
const RAISE = `local now = tonumber(redis.call('GET', KEYS[1]) or '0')
local asked = tonumber(ARGV[1])
if now < asked then redis.call('SET', KEYS[1], asked) return asked end
return now`;

export async function registerQueueCount(
  redis: RedisClient,
  prefix: string,
  queues: number,
): Promise<number> {
  return Number(await redis.eval(RAISE, 1, countKey(prefix), String(queues)));
}

/** The registered count, or `atLeast` when larger (none registered yet, or this process's own). */
export async function readQueueCount(redis: RedisClient, prefix: string, atLeast: number): Promise<number> {
  const registered = Number((await redis.get(countKey(prefix))) ?? 0);
  return Math.max(atLeast, Number.isSafeInteger(registered) ? registered : 0);
}
