import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './connect.js';

/**
 * Invariant 5 on a Redis Cluster or behind Sentinel: a primary answers a write before its replica
 * has it, and a primary that dies then takes the write with it when the replica takes over. So before the
 * collector acknowledges a batch it waits (WAIT) until a replica of the batch's primary holds
 * every write made so far on that primary's connection: the job and its pending entry. WAIT counts
 * the writes of the connection it is sent on, which for a cluster client is the one connection to
 * the node that serves the key's slot.
 *
 * A Sentinel-managed primary is waited for the same way (its one connection); a single server,
 * or a primary without replicas (none configured, or a replica promoted after a failover whose
 * old primary has not come back yet), has nobody to wait for and resolves at once.
 */
export async function waitForReplica(client: RedisClient, key: string, timeoutMs: number): Promise<boolean> {
  if (!(client instanceof Cluster)) {
    if (!client.options.sentinels?.length || (await connectedReplicas(client)) === 0) return true;
    return (await client.wait(1, timeoutMs)) >= 1;
  }
  const owners = client.slots[hashSlot(key)] ?? [];
  // A primary without a replica has nobody to wait for: its append-only file is what it keeps.
  if (owners.length === 1) return true;
  const node = primaryForKey(client, key);
  if (!node) return false;
  const replicas = await node.wait(1, timeoutMs);
  return replicas >= 1;
}

const replicasSeen = new WeakMap<Redis, { at: number; count: number }>();

/**
 * How many replicas a Sentinel primary has connected, read at most once a second: a replica
 * promoted after a failover has none until the old primary comes back as its replica, and a WAIT
 * there would hold every batch for the whole timeout.
 */
async function connectedReplicas(client: Redis): Promise<number> {
  const seen = replicasSeen.get(client);
  if (seen && Date.now() - seen.at < 1000) return seen.count;
  const info = await client.info('replication');
  const count = Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0);
  replicasSeen.set(client, { at: Date.now(), count });
  return count;
}

function primaryForKey(client: Cluster, key: string): Redis | undefined {
  const owner = client.slots[hashSlot(key)]?.[0];
  return client.nodes('master').find((node) => `${node.options.host}:${node.options.port}` === owner);
}

/** The key's hash slot: CRC16 (XMODEM) of its hash tag, or of the whole key without one, mod 16384. */
export function hashSlot(key: string): number {
  const open = key.indexOf('{');
  let tagged = key;
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) tagged = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(tagged)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16_384;
}
