import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_QUEUE } from '../../core/queue/events-queue.js';
import { groupKey, JobGroups, type StagingGroup } from '../../core/queue/job-groups.js';
import { connectRedis, type RedisClient } from '../../core/redis/connect.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { AnonymousBatch } from '../../schema/event.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { stagedEvents } from '../fixtures/counts.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';
import { createTestStager } from '../fixtures/stager.js';
import { openMigratedWarehouse } from '../fixtures/warehouse.js';

/**
 * Consumer-side grouping (core/queue/job-groups.ts) on a real Redis and the real engine: batches a
 * worker holds at once share one insert, and a group keeps its id across retries however its
 * batches come back, so nothing is counted twice or lost (invariant 5).
 */
const now = Date.now();
const batch = (id: string, events: number): AnonymousBatch => ({
  id,
  events: Array.from({ length: events }, (_, n) =>
    anonymousEvent({ ts: now, visitor: String(1000 + n), path: `/p${n % 3}`, page_type: 'other' }),
  ),
});

describe('job groups', () => {
  let redis: RedisClient;
  let warehouse: Warehouse;
  let prefix: string;
  const stagedGroups: StagingGroup[] = [];
  let failNext = 0;
  let crashAfterNext = 0;

  // Each test's batches are real BullMQ jobs (queueJobs), since the claim looks at their jobs.
  let queue: Queue | undefined;
  const queueJobs = async (...batches: AnonymousBatch[]) => {
    for (const b of batches) await queue!.add('batch', b, { jobId: b.id });
  };

  const groupsFor = (maxBatches = 16) => {
    const stage = createTestStager(warehouse);
    return new JobGroups({
      redis,
      prefix,
      maxBatches,
      jobKey: (id) => queue!.toKey(id),
      async stage(group) {
        if (failNext > 0) {
          failNext -= 1;
          throw new Error('warehouse unavailable');
        }
        await stage(group);
        stagedGroups.push(group);
        if (crashAfterNext > 0) {
          crashAfterNext -= 1;
          throw new Error('crashed after the insert');
        }
      },
      // As in production (core/queue/events-queue.ts): a batch is read back from its job.
      readBatch: async (id) => (await queue!.getJob(id))?.data as AnonymousBatch | undefined,
    });
  };

  beforeAll(async () => {
    redis = connectRedis(testRedisUrl(), 'consumer');
    warehouse = await openMigratedWarehouse('kanon_job_groups');
  });
  afterAll(async () => {
    await queue?.close();
    redis?.disconnect();
    await warehouse?.close();
  });

  const reset = async () => {
    prefix = uniquePrefix('groups');
    await queue?.close();
    queue = new Queue(EVENTS_QUEUE, { connection: redis, prefix });
    stagedGroups.length = 0;
    failNext = 0;
    crashAfterNext = 0;
    await warehouse.exec('TRUNCATE TABLE stg_cells');
  };

  it('stages the batches held at once as one insert named after the first', async () => {
    await reset();
    const groups = groupsFor();
    const batches = ['a1', 'a2', 'a3'].map((id) => batch(id, 4));
    await queueJobs(...batches);
    await Promise.all(batches.map((b) => groups.stage(b)));
    expect(stagedGroups.map((group) => [group.id, group.batches.map((b) => b.id)])).toEqual([
      ['a1+3', ['a1', 'a2', 'a3']],
    ]);
    expect(await redis.get(groupKey(prefix, 'a2'))).toBe('a1+3|a1,a2,a3');
    expect(await redis.ttl(groupKey(prefix, 'a2'))).toBeGreaterThan(86_400);
    expect(await stagedEvents(warehouse)).toBe(12);
  });

  it('never puts more than maxBatches batches in one group', async () => {
    await reset();
    const groups = groupsFor(2);
    const batches = ['m1', 'm2', 'm3', 'm4', 'm5'].map((id) => batch(id, 1));
    await queueJobs(...batches);
    await Promise.all(batches.map((b) => groups.stage(b)));
    expect(stagedGroups.map((group) => group.batches.length)).toEqual([2, 2, 1]);
    expect(await stagedEvents(warehouse)).toBe(5);
  });

  it('counts a group once when its batches come back one by one after a crash after the insert', async () => {
    await reset();
    const batches = ['c1', 'c2', 'c3'].map((id) => batch(id, 5));
    const fresh = [0, 1, 2].map((n) => batch(`new${n}`, 2));
    await queueJobs(...batches, ...fresh);
    crashAfterNext = 1;
    const first = groupsFor();
    const outcomes = await Promise.allSettled(batches.map((b) => first.stage(b)));
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(await stagedEvents(warehouse)).toBe(15);

    // Retried separately, each alongside a new batch: each goes back to its first group.
    const retry = groupsFor();
    for (const [n, b] of batches.entries()) {
      await Promise.all([retry.stage(b), retry.stage(fresh[n]!)]);
    }
    expect(stagedGroups.filter((group) => group.id === 'c1+3')).toHaveLength(4);
    expect(stagedGroups.filter((group) => group.id === 'c1+3').every((g) => g.batches.length === 3)).toBe(
      true,
    );
    expect(stagedGroups.map((group) => group.id)).toEqual(expect.arrayContaining(['new0', 'new1', 'new2']));
    // Only the groups formed again from their record are retries (they check their receipts).
    expect(stagedGroups.filter((group) => group.id === 'c1+3').map((group) => group.retry)).toEqual([
      false,
      true,
      true,
      true,
    ]);
    expect(stagedGroups.filter((group) => group.id.startsWith('new')).map((group) => group.retry)).toEqual([
      false,
      false,
      false,
    ]);
    expect(await stagedEvents(warehouse)).toBe(15 + 3 * 2);
  });

  it('stages the whole group when one batch of a failed insert is retried before the others', async () => {
    await reset();
    const batches = ['f1', 'f2'].map((id) => batch(id, 7));
    await queueJobs(...batches);
    failNext = 1;
    const groups = groupsFor();
    const outcomes = await Promise.allSettled(batches.map((b) => groups.stage(b)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(await stagedEvents(warehouse)).toBe(0);

    // f1 comes back first: f2, still queued, is read back and staged with it.
    await groups.stage(batches[0]!);
    expect(await stagedEvents(warehouse)).toBe(14);
    // f2 comes back later: same group id, so the engine drops the insert.
    await queue!.remove('f1'); // completed
    await groups.stage(batches[1]!);
    expect(await stagedEvents(warehouse)).toBe(14);
  });

  it('deletes the record of a completed batch, and a late copy of its job stages nothing', async () => {
    // BullMQ runs a job twice when its lock lapses (a stalled event loop, Redis out of reach for a
    // moment). Here the first copy of e1 was staged with e2 and completed, so its record is gone;
    // the second copy arrives beside a new batch e3. Without a look at e1's job it would form a
    // new group named e1+2 again, and the engine would drop that insert, e3 with it, as a
    // duplicate of the first.
    await reset();
    const groups = groupsFor();
    const first = [batch('e1', 3), batch('e2', 4)];
    const late = batch('e3', 5);
    await queueJobs(...first, late);
    await Promise.all(first.map((b) => groups.stage(b)));
    expect(stagedGroups.map((group) => group.id)).toEqual(['e1+2']);

    await queue!.remove('e1'); // completed: BullMQ removes the job (removeOnComplete)
    await groups.completed('e1');
    expect(await redis.exists(groupKey(prefix, 'e1'))).toBe(0);
    // e2's job has not completed yet: its record, with the group's id, stays.
    expect(await redis.get(groupKey(prefix, 'e2'))).toBe('e1+2|e1,e2');

    await Promise.all([groups.stage(first[0]!), groups.stage(late)]);
    expect(stagedGroups.map((group) => group.id)).toEqual(['e1+2', 'e3']);
    expect(await stagedEvents(warehouse)).toBe(3 + 4 + 5);
    expect(await redis.exists(groupKey(prefix, 'e1'))).toBe(0);
  });

  it('stages a retried member of a completed group under the group id, once', async () => {
    // e1 and e2 were inserted together; e1 completed (record deleted) but e2's job failed after the
    // insert (Redis out of reach for its completion) and retries: it finds its group through its
    // own record, reads e1 back (gone), and the engine drops the repeat insert of e1+2.
    await reset();
    const groups = groupsFor();
    const first = [batch('e1', 3), batch('e2', 4)];
    await queueJobs(...first);
    await Promise.all(first.map((b) => groups.stage(b)));
    await queue!.remove('e1');
    await groups.completed('e1');

    await groups.stage(first[1]!);
    expect(stagedGroups.map((group) => [group.id, group.retry])).toEqual([
      ['e1+2', false],
      ['e1+2', true],
    ]);
    expect(await stagedEvents(warehouse)).toBe(3 + 4);
  });

  it('keeps the record of a retried batch for as long as its job is still queued', async () => {
    // Jobs retry for about a week through an outage; a record that expired two days after its
    // first try would let a retry form a new group and count again what the first insert staged.
    await reset();
    const groups = groupsFor();
    const retried = batch('r1', 2);
    await queueJobs(retried);
    await groups.stage(retried);
    await redis.expire(groupKey(prefix, 'r1'), 5); // its first try was two days ago
    await groups.stage(retried); // the retry after a crash, still failing or not
    expect(await redis.ttl(groupKey(prefix, 'r1'))).toBeGreaterThan(86_400);
    expect(stagedGroups.map((group) => group.id)).toEqual(['r1', 'r1']);
    expect(await stagedEvents(warehouse)).toBe(2);

    await queue!.remove('r1'); // completed
    await groups.completed('r1');
    await groups.stage(retried); // a late copy neither brings the record back nor stages again
    expect(await redis.exists(groupKey(prefix, 'r1'))).toBe(0);
    expect(await stagedEvents(warehouse)).toBe(2);
  });

  it('stages a batch once when two copies of its job wait in the same group', async () => {
    // A job whose lock lapsed while it waited here is taken again by the same worker.
    await reset();
    const groups = groupsFor();
    const twice = batch('t1', 3);
    const other = batch('t2', 4);
    await queueJobs(twice, other);
    await Promise.all([groups.stage(twice), groups.stage(other), groups.stage(twice)]);
    expect(stagedGroups.map((group) => group.batches.map((b) => b.id))).toEqual([['t1', 't2']]);
    expect(await stagedEvents(warehouse)).toBe(3 + 4);
  });

  it('lets only one of two workers that hold the same batch claim it for a group', async () => {
    await reset();
    const shared = batch('s1', 3);
    const l1 = batch('l1', 1);
    const r1 = batch('r1', 1);
    await queueJobs(shared, l1, r1);
    const left = groupsFor();
    const right = groupsFor();
    await Promise.all([left.stage(shared), left.stage(l1), right.stage(shared), right.stage(r1)]);
    const withShared = stagedGroups.filter((group) => group.batches.some((b) => b.id === 's1'));
    expect(new Set(withShared.map((group) => group.id)).size).toBe(1);
    expect(await stagedEvents(warehouse)).toBe(5);
  });

  it('refuses every batch of a group whose record cannot be written, and stages nothing', async () => {
    await reset();
    const broken = connectRedis('redis://127.0.0.1:1', 'producer');
    const groups = new JobGroups({
      redis: broken,
      prefix,
      maxBatches: 16,
      stage: async (group) => {
        stagedGroups.push(group);
      },
      readBatch: async () => undefined,
      jobKey: (id) => `${prefix}:${id}`,
    });
    const outcomes = await Promise.allSettled([groups.stage(batch('x1', 1)), groups.stage(batch('x2', 1))]);
    broken.disconnect();
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(stagedGroups).toEqual([]);
  });
});
