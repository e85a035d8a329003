import { type RedisClient, serversOf } from './connect.js';

export type PersistenceCheck = 'off' | 'on' | 'unknown';

/**
 * Whether a Redis writes its data to disk. The salts' Redis must not (invariant 4); managed Redis
 * services often forbid CONFIG, in which case the answer is 'unknown'.
 */
export async function redisPersistence(redis: RedisClient): Promise<PersistenceCheck> {
  try {
    // On a Redis Cluster every node keeps its own files, replicas included: all must be off.
    for (const server of serversOf(redis)) {
      const save = (await server.config('GET', 'save')) as string[];
      const appendonly = (await server.config('GET', 'appendonly')) as string[];
      if ((save[1] ?? '').trim() !== '' || appendonly[1] === 'yes') return 'on';
    }
    return 'off';
  } catch {
    return 'unknown';
  }
}
