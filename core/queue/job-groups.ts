import type { AnonymousBatch } from '../../schema/event.js';
import type { RedisClient } from '../redis/connect.js';

/**
 * Consumer-side group commit: batches that a worker holds at the same time are staged together, as
 * one warehouse insert, instead of one insert each. An insert into a MergeTree table costs a few
 * milliseconds whatever its size (it writes a part), so on a small machine the number of inserts,
 * not the number of events, bounds a worker (docs/benchmarks.md).
 *
 * Exactly once (invariant 5) rests on the insert's deduplication token, so a group must have one
 * stable id for as long as any of its batches may be retried. Before its insert, a group is
 * recorded in Redis, one key per batch: `<prefix>:batch-group:<batch id>` = `<group id>|<ids>`,
 * set only for batches not in a group yet (one Lua script, so two workers holding the same batch
 * after a lapsed lock cannot both claim it). A batch retried later (crash, outage) finds its group
 * and stages the whole group again under the same id: the batches of that group still in the
 * queue are read back, and the warehouse drops the insert if the first one got through. A batch
 * never joins a second group. BullMQ can run a job twice when its lock lapses (a stalled event
 * loop, Redis briefly out of reach), and a second copy that formed a new group could repeat an
 * earlier group's id (`<id>+<n>`), so that the engine drops the insert as a duplicate, and the
 * other batches in it with it. So the claim also looks at the batch's job: a batch without a
 * record whose job is gone has been staged by a copy that completed (a job is removed only once
 * its group's insert got through, or two days after it was given up), and it is not staged again.
 * That look is also why a record is deleted as soon as its job has completed: the job's removal
 * (removeOnComplete, in the same script that completes it) comes first, so from then on a late
 * copy counts once whether the record is there (it stages its group again, and the engine drops
 * the insert) or not (it stages nothing). Records kept ten minutes after completion, as before the
 * job check, held ~420,000 keys (145 MB) at 10,000 events/s. While the job is still queued, each
 * try renews the record for two days: a group inserted just before a crash, then retried through a
 * longer outage, must keep its id until a retry gets through.
 */
export interface StagingGroup {
  /** The deduplication key of the group's insert: the batch id when the group has one batch. */
  id: string;
  batches: AnonymousBatch[];
  /**
   * The group was formed by an earlier try, so its insert may have run before (and may have been
   * cut short by a crash: workers/insert-receipts.ts). False only for a group formed just now.
   */
  retry: boolean;
}

export interface JobGroupsOptions {
  redis: RedisClient;
  prefix: string;
  /** Most batches in one group. */
  maxBatches: number;
  /** Stages a group with one insert deduplicated by `group.id`; throws to have its batches retried. */
  stage(group: StagingGroup): Promise<void>;
  /** Reads a queued batch back, for a retried group whose other batches this worker does not hold. */
  readBatch(id: string): Promise<AnonymousBatch | undefined>;
  /**
   * The Redis key of a batch's job (BullMQ's job hash): a batch that has no group yet and whose
   * job no longer exists counts as staged by an earlier copy of the job.
   */
  jobKey(batchId: string): string;
}

/**
 * A record lasts two days after its batch's last try: jobs retry for about a week through an
 * outage, and failed jobs expire after two days (JOB_OPTIONS.removeOnFail).
 */
const GROUP_TTL_SECONDS = 2 * 86_400;
export const groupKey = (prefix: string, batchId: string) => `${prefix}:batch-group:${batchId}`;

/** Groups hold up to half the jobs a worker takes, so one group fills while the other is inserted. */
export const groupSizeFor = (concurrency: number) => Math.max(1, Math.ceil(concurrency / 2));

/** What the claim returns for a batch whose job is gone: an earlier copy completed it. */
const STAGED_BEFORE = '!staged';

/**
 * KEYS: the group keys of the n batches offered, then their n job keys.
 * ARGV[1]: TTL in seconds; ARGV[2..]: the batch ids.
 * Batches without a group whose job still exists form a new one, named after
 * its first batch (`<id>` alone, or `<id>+<n>`). A record found for a job still queued is given
 * the full TTL again, so it lasts as long as the job's retries. Returns, per batch, the record
 * that now holds (the new group's, or the one set by an earlier try), or STAGED_BEFORE; then the
 * record of the group formed by this call, or '' when none was.
 */
const CLAIM_GROUP_LUA = `
local n = #ARGV - 1
local fresh = {}
local found = {}
for i = 1, n do
  local record = redis.call('GET', KEYS[i])
  local queued = redis.call('EXISTS', KEYS[n + i]) == 1
  if not record and not queued then
    record = '${STAGED_BEFORE}'
  elseif record and queued then
    redis.call('EXPIRE', KEYS[i], ARGV[1])
  end
  found[i] = record
  if not record then fresh[#fresh + 1] = ARGV[i + 1] end
end
local formed = ''
if #fresh > 0 then
  local id = fresh[1]
  if #fresh > 1 then id = id .. '+' .. #fresh end
  formed = id .. '|' .. table.concat(fresh, ',')
  for i = 1, n do
    if not found[i] then
      redis.call('SET', KEYS[i], formed, 'EX', ARGV[1])
      found[i] = formed
    end
  end
end
found[n + 1] = formed
return found
`;

interface Waiting {
  batch: AnonymousBatch;
  resolve(): void;
  reject(error: unknown): void;
}

type ClaimingRedis = RedisClient & {
  kanonClaimGroup(keyCount: number, ...args: string[]): Promise<string[]>;
};

function parseGroupRecord(record: string): { id: string; members: string[] } {
  const bar = record.indexOf('|');
  return { id: record.slice(0, bar), members: record.slice(bar + 1).split(',') };
}

export class JobGroups {
  private waiting: Waiting[] = [];
  private running = false;
  private readonly redis: ClaimingRedis;

  constructor(private readonly options: JobGroupsOptions) {
    if (!('kanonClaimGroup' in options.redis)) {
      options.redis.defineCommand('kanonClaimGroup', { lua: CLAIM_GROUP_LUA });
    }
    this.redis = options.redis as ClaimingRedis;
  }

  /** Resolves once the batch is staged (in this group or, on a retry, in the group it joined first). */
  stage(batch: AnonymousBatch): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ batch, resolve, reject }));
    if (!this.running) {
      this.running = true;
      // Let the other jobs the worker is taking right now arrive first.
      setImmediate(() => void this.drain());
    }
    return done;
  }

  /**
   * The job of `batchId` has completed, and BullMQ has removed it: its record is no longer needed,
   * since a late copy of the job finds the job gone and stages nothing (CLAIM_GROUP_LUA).
   */
  async completed(batchId: string): Promise<void> {
    await this.redis.del(groupKey(this.options.prefix, batchId));
  }

  /** Batches waiting here are staged one group after the other; those arriving meanwhile wait. */
  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        await this.stageGroup(this.waiting.splice(0, this.options.maxBatches));
      }
    } finally {
      this.running = false;
    }
  }

  private async stageGroup(entries: Waiting[]): Promise<void> {
    // Two copies of one job can wait here together (its lock lapsed while it waited, and this
    // worker took it again): its batch is claimed and staged once, and both copies are answered.
    const ids = [...new Set(entries.map((entry) => entry.batch.id))];
    let records: string[];
    try {
      const keys = ids.map((id) => groupKey(this.options.prefix, id));
      keys.push(...ids.map((id) => this.options.jobKey(id)));
      records = await this.redis.kanonClaimGroup(keys.length, ...keys, String(GROUP_TTL_SECONDS), ...ids);
    } catch (error) {
      for (const entry of entries) entry.reject(error);
      return;
    }
    const recordOf = new Map(ids.map((id, index) => [id, records[index] ?? '']));
    const formedNow = records[ids.length] ?? '';
    const byGroup = new Map<string, Waiting[]>();
    entries.forEach((entry) => {
      const record = recordOf.get(entry.batch.id) ?? '';
      const held = byGroup.get(record);
      if (held) held.push(entry);
      else byGroup.set(record, [entry]);
    });
    for (const [record, held] of byGroup) {
      if (record === STAGED_BEFORE) {
        for (const entry of held) entry.resolve();
        continue;
      }
      try {
        if (!record.includes('|')) throw new Error('batch group record missing');
        const { id, members } = parseGroupRecord(record);
        const batches = [...new Map(held.map((entry) => [entry.batch.id, entry.batch])).values()];
        const heldIds = new Set(batches.map((batch) => batch.id));
        const others = await Promise.all(
          members.filter((member) => !heldIds.has(member)).map((member) => this.options.readBatch(member)),
        );
        // A member that is gone has completed, so this group's insert got through and this one will
        // be dropped as a duplicate whatever it carries.
        for (const batch of others) if (batch) batches.push(batch);
        await this.options.stage({ id, batches, retry: record !== formedNow });
        for (const entry of held) entry.resolve();
      } catch (error) {
        for (const entry of held) entry.reject(error);
      }
    }
  }
}
