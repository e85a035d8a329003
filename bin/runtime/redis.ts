import { join } from 'node:path';
import type { Config } from '../../core/config.js';
import { KanonError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { redisPersistence } from '../../core/redis/check-persistence.js';
import { connectRedis, waitUntilConnected } from '../../core/redis/connect.js';
import { type PrivateRedis, startPrivateRedis } from '../../core/redis/private-redis.js';

export interface RedisEndpoints {
  queueUrl: string;
  saltUrl: string;
  stop(): Promise<void>;
}

/**
 * Finds or starts the two Redis roles. The queue's Redis comes from REDIS_URL or is a private
 * redis-server with an append-only file (acknowledged events survive a restart). The salts' Redis
 * comes from KANON_SALT_REDIS_URL, else REDIS_URL, else a private redis-server without persistence;
 * whichever it is must not write to disk (invariant 4), and start-up refuses one that does.
 */
export async function resolveRedis(
  config: Config,
  log: Logger,
  roles: { salts: boolean },
): Promise<RedisEndpoints> {
  const started: PrivateRedis[] = [];
  const stop = async () => {
    await Promise.all(started.map((redis) => redis.stop()));
  };
  try {
    const startOwn = async (role: 'queue' | 'salts', persistent: boolean) => {
      const redis = await startPrivateRedis({ dir: join(config.dataDir, `redis-${role}`), persistent });
      started.push(redis);
      if (redis.leftoverStopped)
        log.warn(
          { role },
          'shut down a redis-server an earlier Kanon had left running (killed with SIGKILL?)',
        );
      return redis.url;
    };
    let queueUrl = config.redis.url;
    if (!queueUrl) {
      queueUrl = await startOwn('queue', true);
      log.info(
        { url: queueUrl },
        'started a private redis-server for the queue (set REDIS_URL to use your own)',
      );
    }
    let saltUrl = config.redis.saltUrl ?? config.redis.url;
    if (roles.salts && !saltUrl) {
      saltUrl = await startOwn('salts', false);
      log.info({ url: saltUrl }, 'started a private redis-server for daily salts, without persistence');
    }
    if (roles.salts && saltUrl && (config.redis.saltUrl || config.redis.url)) {
      const probe = connectRedis(saltUrl, 'producer', { tls: config.redis.tls });
      await waitUntilConnected(probe);
      const persistence = await redisPersistence(probe);
      probe.disconnect();
      if (persistence === 'on') {
        throw new KanonError(
          'salt_redis_persists',
          500,
          'The Redis for daily salts writes to disk (save or appendonly is on), so salts could outlive their day (invariant 4). ' +
            "Set KANON_SALT_REDIS_URL to a Redis started with --save '' --appendonly no.",
        );
      }
      if (persistence === 'unknown') {
        log.warn(
          'cannot check whether the salts Redis persists to disk (CONFIG is not allowed); make sure it does not',
        );
      }
    }
    return { queueUrl, saltUrl: saltUrl ?? queueUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
