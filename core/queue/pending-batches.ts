import type { AnonymousBatch } from '../../schema/event.js';
import type { RedisClient } from '../redis/connect.js';

/**
 * The record of batches queued but not yet staged, which the release reads so that it never closes
 * a window a queued batch can still add to (invariant 5). Per events queue, under that queue's hash
 * tag (core/redis/key-layout.ts):
 *
 * - `<prefix>:pending-batches`, a sorted set: every pending batch, scored by its oldest event time;
 * - `<prefix>:pending-sites`, a hash: for each pending batch, the oldest event time of each site it
 *   holds events of.
 *
 * The second lets one site's release go on while another site's batch is still queued (issue 28:
 * a release of one site never waits for another site's). A pending batch whose sites are not
 * recorded (queued by a collector from before the hash, or whose record failed) holds back every
 * site, as every batch did before.
 */

export const pendingKey = (prefix: string) => `${prefix}:pending-batches`;
const pendingSitesKey = (prefix: string) => `${prefix}:pending-sites`;

/** At most this many old pending batches are read per queue and tick; any beyond hold every site. */
const HOLDS_READ_LIMIT = 2000;

/** The oldest event time (ms) of each site in a batch. */
export function oldestBySite(batch: AnonymousBatch): Record<string, number> {
  const oldest: Record<string, number> = {};
  for (const event of batch.events) {
    const known = oldest[event.site];
    if (known === undefined || event.ts < known) oldest[event.site] = event.ts;
  }
  return oldest;
}

/**
 * Records a batch as pending. The two commands are written at once, before the caller's job
 * script on the same connection, so Redis runs them first; both must succeed for the record to
 * stand (the caller takes the job back otherwise).
 */
export function recordPending(redis: RedisClient, prefix: string, batch: AnonymousBatch): Promise<unknown> {
  const bySite = oldestBySite(batch);
  const oldest = Math.min(...Object.values(bySite));
  return Promise.all([
    redis.zadd(pendingKey(prefix), oldest, batch.id),
    redis.hset(pendingSitesKey(prefix), batch.id, JSON.stringify(bySite)),
  ]);
}

/** Forgets a batch once staged (or given up on); rejects when Redis does, so the job is retried. */
export async function forgetPending(redis: RedisClient, prefix: string, id: string): Promise<void> {
  await Promise.all([redis.zrem(pendingKey(prefix), id), redis.hdel(pendingSitesKey(prefix), id)]);
}

/** What still-queued batches hold back: the release closes a site's window only before these. */
export interface PendingHolds {
  /** An oldest event time (ms) that holds back every site, when some pending batch's sites are unknown. */
  everySite?: number;
  /** The oldest pending event time (ms) of each site that has a pending batch older than asked. */
  bySite: ReadonlyMap<string, number>;
}

/** The time (ms) before which a site's windows may close, given what is pending. */
export function holdOf(holds: PendingHolds | undefined, site: string): number {
  return Math.min(
    holds?.everySite ?? Number.POSITIVE_INFINITY,
    holds?.bySite.get(site) ?? Number.POSITIVE_INFINITY,
  );
}

/** Merges the holds of several queues (a site's batches may sit in an old queue after a resize). */
export function mergeHolds(all: PendingHolds[]): PendingHolds {
  let everySite: number | undefined;
  const bySite = new Map<string, number>();
  for (const holds of all) {
    if (holds.everySite !== undefined) everySite = Math.min(everySite ?? holds.everySite, holds.everySite);
    for (const [site, ts] of holds.bySite) bySite.set(site, Math.min(bySite.get(site) ?? ts, ts));
  }
  return everySite === undefined ? { bySite } : { everySite, bySite };
}

function parseSites(value: string | null): Record<string, number> | undefined {
  if (value === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const entries = Object.entries(parsed);
    if (entries.length === 0 || entries.some(([, ts]) => typeof ts !== 'number')) return undefined;
    return parsed as Record<string, number>;
  } catch {
    return undefined;
  }
}

/**
 * Reads the holds of one queue from its batches pending since before `before` (ms): a batch queued
 * later cannot hold back a window the release would close anyway. `isOrphan` tells, for batches old
 * enough to be suspect, whether their job is gone (a collector died between the record and the
 * job); those are forgotten rather than holding the release for good.
 */
export async function readHolds(
  redis: RedisClient,
  prefix: string,
  before: number,
  isOrphan: (ids: string[]) => Promise<boolean[]>,
): Promise<PendingHolds> {
  const flat = await redis.zrangebyscore(
    pendingKey(prefix),
    '-inf',
    `(${before}`,
    'WITHSCORES',
    'LIMIT',
    0,
    HOLDS_READ_LIMIT + 1,
  );
  let pending: { id: string; score: number }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pending.push({ id: flat[i]!, score: Number(flat[i + 1]) });
  let everySite: number | undefined;
  if (pending.length > HOLDS_READ_LIMIT) {
    // The rest are at least as new as the first left unread: it bounds every site.
    everySite = pending[HOLDS_READ_LIMIT]!.score;
    pending = pending.slice(0, HOLDS_READ_LIMIT);
  }
  const orphans = pending.length > 0 ? await isOrphan(pending.map((batch) => batch.id)) : [];
  const live: typeof pending = [];
  for (const [index, batch] of pending.entries()) {
    if (orphans[index]) await forgetPending(redis, prefix, batch.id);
    else live.push(batch);
  }
  const bySite = new Map<string, number>();
  if (live.length === 0) return everySite === undefined ? { bySite } : { everySite, bySite };
  const recorded = await redis.hmget(pendingSitesKey(prefix), ...live.map((batch) => batch.id));
  const unknown: typeof live = [];
  for (const [index, batch] of live.entries()) {
    const sites = parseSites(recorded[index] ?? null);
    if (!sites) {
      unknown.push(batch);
      continue;
    }
    for (const [site, ts] of Object.entries(sites)) bySite.set(site, Math.min(bySite.get(site) ?? ts, ts));
  }
  // A batch staged between the two reads has lost its sites too: only one still pending holds all.
  const stillPending = await Promise.all(unknown.map((batch) => redis.zscore(pendingKey(prefix), batch.id)));
  for (const [index, batch] of unknown.entries()) {
    if (stillPending[index] !== null) everySite = Math.min(everySite ?? batch.score, batch.score);
  }
  return everySite === undefined ? { bySite } : { everySite, bySite };
}
