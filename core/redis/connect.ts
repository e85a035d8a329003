import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connections. Producers (the collector) fail fast when Redis is away, so a beacon gets a
 * 503 instead of waiting; consumers (BullMQ workers) wait and reconnect forever.
 */
export function connectRedis(url: string, role: 'producer' | 'consumer', extra: RedisOptions = {}): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: role === 'consumer' ? null : 1,
    enableOfflineQueue: role === 'consumer',
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(1000, 50 * 2 ** attempt),
    lazyConnect: false,
    ...extra,
  });
  // Errors are reported through readiness and job failures; an unhandled 'error' event would crash.
  client.on('error', () => {});
  return client;
}

/** Resolves once the client is connected, so a producer does not refuse its first command. */
export async function waitUntilConnected(client: Redis, timeoutMs = 5000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error('Redis did not answer in time'));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
