/**
 * Where Kanon's keys live in Redis. On a Redis Cluster a script, a MULTI or a multi-key command may
 * only touch keys of one hash slot, and the slot of a key is that of its hash tag (the part in
 * braces) when it has one. So:
 *
 * - each events queue has a prefix of its own, with a hash tag when it needs one: BullMQ's keys of
 *   that queue (`<queue prefix>:events:*`), its pending-batches set (read with the job in one
 *   connection's order, events-queue.ts) and its batch-group records (claimed in one script with
 *   the jobs' keys, job-groups.ts) share the slot. Several queues have several tags, so their slots,
 *   and the load, spread over the cluster's primaries;
 * - the release queue has the deployment's tag;
 * - a site's campaign-attribution records share the site's tag (one MGET per site and batch).
 *
 * One queue on one Redis keeps the key names Kanon always had (`<prefix>:events:*`), so a
 * deployment that upgrades keeps its queued batches; and queue 0 keeps them when more queues are
 * added, so nothing queued before is left behind.
 */
export interface KeyLayout {
  /** The prefix of each events queue, index = queue number. */
  queues: string[];
  /** The release schedule's BullMQ prefix. */
  release: string;
  /** Keys that no script or MULTI combines with another (AOF rewrite slot, salts): the plain prefix. */
  plain: string;
  /** The key of a site's campaign-attribution record of one visit (workers/attribute-campaigns.ts). */
  visitKey(site: string, day: string, visitor: string): string;
  /** The pattern that SCAN matches against every visit record of a site (npm run purge). */
  visitPattern(site: string): string;
}

export interface KeyLayoutOptions {
  prefix: string;
  /** KANON_REDIS_QUEUES: how many events queues batches are spread over (1 = as before). */
  queues: number;
  /** The Redis is a Redis Cluster (a redis-cluster:// address). */
  cluster: boolean;
}

export function keyLayout({ prefix, queues, cluster }: KeyLayoutOptions): KeyLayout {
  const first = cluster ? `{${prefix}}` : prefix;
  return {
    queues: Array.from({ length: Math.max(1, queues) }, (_, index) =>
      index === 0 ? first : `{${prefix}:${index}}`,
    ),
    release: first,
    plain: prefix,
    visitKey: (site, day, visitor) =>
      cluster ? `{${prefix}:visit:${site}}:${day}:${visitor}` : `${prefix}:visit:${site}:${day}:${visitor}`,
    visitPattern: (site) => (cluster ? `{${prefix}:visit:${site}}:*` : `${prefix}:visit:${site}:*`),
  };
}

/**
 * The queue a site's batches go to: FNV-1a of the site id, modulo the number of queues. Stable
 * across processes and restarts (every collector sends a site to the same queue), and spread evenly
 * enough over the handful of queues a deployment runs.
 */
export function queueOfSite(site: string, queues: number): number {
  if (queues <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let index = 0; index < site.length; index++) {
    hash ^= site.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % queues;
}
