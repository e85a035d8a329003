import type { Redis } from 'ioredis';

export type PersistenceCheck = 'off' | 'on' | 'unknown';

/**
 * Whether a Redis writes its data to disk. The salts' Redis must not (invariant 4); managed Redis
 * services often forbid CONFIG, in which case the answer is 'unknown'.
 */
export async function redisPersistence(redis: Redis): Promise<PersistenceCheck> {
  try {
    const save = (await redis.config('GET', 'save')) as string[];
    const appendonly = (await redis.config('GET', 'appendonly')) as string[];
    return (save[1] ?? '').trim() !== '' || appendonly[1] === 'yes' ? 'on' : 'off';
  } catch {
    return 'unknown';
  }
}
