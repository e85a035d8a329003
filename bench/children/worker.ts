import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { migrateWarehouse } from '../../bin/runtime/stages.js';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/log.js';
import { Metrics } from '../../core/metrics.js';
import { groupSizeFor, startEventsWorker } from '../../core/queue/events-queue.js';
import type { ReleaseSchedule } from '../../core/queue/release-queue.js';
import { connectRedis } from '../../core/redis/connect.js';
import { keyLayout } from '../../core/redis/key-layout.js';
import { openWarehouse } from '../../core/warehouse/open-warehouse.js';
import type { AnonymousBatch } from '../../schema/event.js';
import { createCampaignAttribution } from '../../workers/attribute-campaigns.js';
import { scheduleReleases } from '../../workers/release/schedule-releases.js';
import { createBatchStager } from '../../workers/stage-batch.js';
import { prefillBatches } from '../lib/prefill.js';
import { cpuMeter } from '../lib/proc.js';
import { progress, serve } from './ipc.js';

/**
 * A worker as `npm run workers` runs it (bin/runtime/stages.ts: the batch stager with campaign
 * attribution, BullMQ consumer at KANON_WORKER_CONCURRENCY of every KANON_REDIS_QUEUES queue; the
 * embedded engine under KANON_DATA_DIR, or the server adapter when CLICKHOUSE_URL is set, as in the
 * scale-out section, where several of these share one engine).
 * The release schedule runs only when asked (`startRelease`, the soak does): in the timed
 * sections its ticks would find no closed window. The handler is wrapped only to note, per batch,
 * when it reached staging and how old its oldest event was.
 *
 * Calls: `baseline` stages generated batches directly, without the queue (the engine-and-fold
 * floor); `start` consumes the queue (`pause` and `resume` it); `waitStaged`, `lags`, `counts`
 * and `usage` (its own CPU time since `start` or `resume`, from process.cpuUsage) read what it did.
 */
const config = loadConfig();
const log = createLogger(config.log.level);
const metrics = new Metrics();
const warehouse = await openWarehouse(config.warehouse);
await migrateWarehouse(warehouse, config, log.child({ stage: 'bench' }));
const queueUrl = config.redis.url!;
const attributionRedis = connectRedis(queueUrl, 'consumer');
const stage = createBatchStager({
  warehouse,
  windowSeconds: config.release.windowSeconds,
  graceSeconds: config.release.graceSeconds,
  metrics,
  clock: Date.now,
  attribute: createCampaignAttribution(
    attributionRedis,
    keyLayout({ prefix: config.redis.prefix, queues: config.redis.queues, cluster: false }),
  ),
  contributions: config.release.noise !== undefined,
});

interface Staged {
  at: number;
  lag: number;
  events: number;
}
const staged: Staged[] = [];
let stagedEvents = 0;
let startedAt = 0;
let cpuAtStart: NodeJS.CpuUsage | undefined;
/** This process's CPU when it staged its latest batch: what follows it, to the parent's last read, is idle. */
let cpuAtLast: NodeJS.CpuUsage | undefined;
/** A V8 CPU profile of one span (`profileStart` to `profileStop`), not of the whole process. */
let profiler: Session | undefined;
let eventsAtStart = 0;
/** Staging inserts (one a group of batches) so far, and at the last resume. */
let groups = 0;
let groupsAtStart = 0;
let worker: ReturnType<typeof startEventsWorker> | undefined;
let schedule: ReleaseSchedule | undefined;
let releases = 0;

function record(batch: AnonymousBatch): void {
  const at = Date.now();
  let oldest = Number.POSITIVE_INFINITY;
  for (const event of batch.events) if (event.ts < oldest) oldest = event.ts;
  staged.push({ at, lag: at - oldest, events: batch.events.length });
  stagedEvents += batch.events.length;
  cpuAtLast = process.cpuUsage();
  // Keep five minutes of history, so an hour-long soak does not measure this list growing.
  if (staged.length > 20_000 && staged[0]!.at < at - 300_000) {
    staged.splice(
      0,
      staged.findIndex((entry) => entry.at >= at - 300_000),
    );
  }
}

async function runBaseline(args: { events: number; batchEvents: number; seed: number }) {
  progress(`generating ${args.events.toLocaleString('en')} events for the direct baseline`);
  const batches = prefillBatches({ ...args, now: Date.now(), idPrefix: 'baseline' });
  // The same groups the worker stages (events-queue.ts), without the queue.
  const size = groupSizeFor(config.workers.concurrency);
  // CPU of the staging alone (not of generating the batches), read here rather than by the parent.
  const meter = cpuMeter({ process: process.pid, 'main thread': { pid: process.pid, thread: process.pid } });
  const started = performance.now();
  for (let at = 0; at < batches.length; at += size) {
    const group = batches.slice(at, at + size);
    await stage({ id: group[0]!.id, batches: group, retry: false });
  }
  const ms = performance.now() - started;
  const cpu = meter();
  return {
    events: batches.reduce((sum, batch) => sum + batch.events.length, 0),
    batches: batches.length,
    ms,
    cpuS: { process: cpu.process ?? Number.NaN, mainThread: cpu['main thread'] ?? Number.NaN },
  };
}

serve(
  { concurrency: config.workers.concurrency },
  {
    baseline: (args) => runBaseline(args as { events: number; batchEvents: number; seed: number }),
    start: (args) => {
      startedAt = Date.now();
      cpuAtStart = process.cpuUsage();
      worker = startEventsWorker({
        connection: { url: queueUrl, prefix: config.redis.prefix, queues: config.redis.queues },
        concurrency: config.workers.concurrency,
        aofRewriteEveryMs: (args as { aofRewriteEveryMs?: number } | undefined)?.aofRewriteEveryMs,
        stage: async (group) => {
          await stage(group);
          groups += 1;
          for (const batch of group.batches) record(batch);
        },
      });
      return { startedAt };
    },
    waitStaged: async (args) => {
      const { events, timeoutMs } = args as { events: number; timeoutMs: number };
      const deadline = Date.now() + timeoutMs;
      let shown = 0;
      while (stagedEvents < events && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (Date.now() - shown > 2000) {
          shown = Date.now();
          progress(`staged ${stagedEvents.toLocaleString('en')} / ${events.toLocaleString('en')} events`);
        }
      }
      return {
        startedAt,
        firstAt: staged[0]?.at ?? 0,
        lastAt: staged[staged.length - 1]?.at ?? 0,
        events: stagedEvents,
        batches: staged.length,
      };
    },
    lags: (args) => {
      const { from, to } = args as { from: number; to: number };
      return staged.filter((batch) => batch.at >= from && batch.at <= to);
    },
    counts: () => ({ events: stagedEvents, batches: staged.length, releases }),
    // The scale-out section starts the consumer, pauses it while the queue fills, and measures from
    // `resume`: the consumer's start-up (scripts, the compiled check) is not a cost per event, and
    // a warm-up drain before it leaves the JIT's warm-up out too.
    pause: async () => {
      await worker?.pause();
    },
    resume: () => {
      startedAt = Date.now();
      cpuAtStart = process.cpuUsage();
      cpuAtLast = undefined;
      eventsAtStart = stagedEvents;
      groupsAtStart = groups;
      worker?.resume();
      return { startedAt };
    },
    usage: () => {
      // All of this process's threads (user + system), as process.cpuUsage() counts them.
      const cpu = process.cpuUsage(cpuAtStart);
      const since = staged.filter((batch) => batch.at >= startedAt);
      // Up to its last staged batch: the drain's own cost, without the wait for the other workers.
      const toLast =
        cpuAtLast && cpuAtStart ? cpuAtLast.user + cpuAtLast.system - cpuAtStart.user - cpuAtStart.system : 0;
      return {
        events: stagedEvents - eventsAtStart,
        batches: since.length,
        inserts: groups - groupsAtStart,
        startedAt,
        lastAt: since[since.length - 1]?.at ?? startedAt,
        cpuMicroseconds: cpu.user + cpu.system,
        cpuMicrosecondsToLast: toLast,
      };
    },
    // A profile of the main thread over one span (the scale-out section's measured drain), so
    // start-up, warm-up and shutdown stay out of it; `--cpu-prof` profiles the whole process.
    profileStart: async () => {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    },
    profileStop: async (args) => {
      const { file } = args as { file: string };
      if (!profiler) throw new Error('profileStop without profileStart');
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      writeFileSync(file, JSON.stringify(profile));
      return { file };
    },
    inserts: async () => {
      // From the stager's own histogram: how many staging inserts so far took longer than 100 ms
      // (an engine stall, docs/benchmarks.md).
      const histogram = await metrics.registry.getSingleMetric('kanon_workers_insert_seconds')?.get();
      const count = (le: string) =>
        histogram?.values.find((value) => String(value.labels.le) === le)?.value ?? 0;
      return { over100ms: count('+Inf') - count('0.1') };
    },
    startRelease: async () => {
      schedule = await scheduleReleases({
        connection: { url: queueUrl, prefix: config.redis.prefix, queues: config.redis.queues },
        deps: { warehouse, settings: config.release, clock: Date.now, log, metrics },
        onRun: (result) => {
          releases += result.windows;
        },
      });
    },
  },
  async () => {
    await schedule?.close();
    await worker?.close();
    attributionRedis.disconnect();
    await warehouse.close();
  },
);
