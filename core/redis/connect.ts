import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { redisAddress } from './redis-address.js';

/**
 * A connection to one Redis role: a single server, a Sentinel-managed primary (both `Redis`) or a
 * Redis Cluster (`Cluster`). Both answer the same commands; what differs is that a command, a
 * script or a MULTI may only touch keys of one hash slot on a cluster (core/redis/key-layout.ts
 * gives Kanon's keys the hash tags that keep them together).
 */
export type RedisClient = Redis | Cluster;

/**
 * Redis connections. Producers (the collector) fail fast when Redis is away, so a beacon gets a
 * 503 instead of waiting; consumers (BullMQ workers) wait and reconnect forever. The address is
 * any of the shapes of redis-address.ts.
 */
export function connectRedis(
  url: string,
  role: 'producer' | 'consumer',
  extra: RedisOptions = {},
): RedisClient {
  const address = redisAddress(url);
  const retryStrategy = (attempt: number) => Math.min(1000, 50 * 2 ** attempt);
  const defaults: RedisOptions = {
    maxRetriesPerRequest: role === 'consumer' ? null : 1,
    enableOfflineQueue: role === 'consumer',
    connectTimeout: 2000,
    retryStrategy,
    lazyConnect: false,
  };
  // KANON_REDIS_TLS_* serve the rediss:// addresses: a deployment whose salts Redis is plain
  // (redis://) beside a TLS queue Redis must not try a TLS handshake with it.
  if (!address.tls && extra.tls !== undefined) {
    const { tls: _unused, ...plain } = extra;
    extra = plain;
  }
  let client: RedisClient;
  if (address.kind === 'single') {
    client = new Redis(url, { ...defaults, ...extra });
  } else {
    const {
      tls: extraTls,
      enableOfflineQueue,
      retryStrategy: nodeRetry,
      ...rest
    } = { ...defaults, ...extra };
    const tls = extraTls ?? (address.tls ? {} : undefined);
    const nodeOptions: RedisOptions = {
      ...rest,
      ...(address.username === undefined ? {} : { username: address.username }),
      ...(address.password === undefined ? {} : { password: address.password }),
      ...(tls === undefined ? {} : { tls }),
    };
    client =
      address.kind === 'cluster'
        ? new Cluster(address.nodes, {
            redisOptions: nodeOptions,
            enableOfflineQueue,
            // While a primary fails over, its slots answer nothing for about cluster-node-timeout;
            // reading the slot table every second finds the promoted replica promptly.
            slotsRefreshInterval: 1000,
            clusterRetryStrategy: retryStrategy,
          })
        : new Redis({
            ...nodeOptions,
            sentinels: address.sentinels,
            name: address.primary,
            db: address.db,
            enableOfflineQueue,
            retryStrategy: nodeRetry,
            ...(address.password === undefined ? {} : { sentinelPassword: address.password }),
            ...(tls === undefined ? {} : { sentinelTLS: tls, enableTLSForSentinelMode: true }),
          });
  }
  // Errors are reported through readiness and job failures; an unhandled 'error' event would crash.
  client.on('error', () => {});
  return client;
}

/** Resolves once the client is connected, so a producer does not refuse its first command. */
export async function waitUntilConnected(client: RedisClient, timeoutMs = 5000): Promise<void> {
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

/**
 * The servers behind a client: the one server, or every node of a cluster (primaries and
 * replicas), for what each server does on its own (append-only file rewrites, CONFIG checks).
 */
export function serversOf(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('all') : [client];
}

/** The servers that hold the keys: the one server, or a cluster's primaries (to SCAN every key). */
export function primariesOf(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}
