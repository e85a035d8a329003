import type { Child } from '../lib/children.js';
import { type BenchContext, PREFIX } from '../lib/context.js';
import { collectorCounters, runSteadyLoad } from '../lib/load.js';
import { enqueueBatches, prefillBatches } from '../lib/prefill.js';
import { cpuMeter, peakRssBytes, resetPeakRss, rssBytes } from '../lib/proc.js';
import { progress } from '../lib/progress.js';
import { figure } from '../lib/report.js';
import { describeRewrites, rewriteMeter } from '../lib/rewrite-meter.js';
import { createShop } from '../lib/shop-model.js';
import { summarise } from '../lib/stats.js';
import { requestPool } from '../lib/traffic.js';

/**
 * Section 3. (a) Throughput: the queue is pre-filled with anonymous micro-batches (synthetic
 * traffic, enqueued through EventsQueue as the collector does), then a fresh worker process drains
 * it; the baseline is another worker process staging the very same batches directly, without the
 * queue. (b) Lag: collector and worker processes on the same Redis, a steady offered load from
 * autocannon, and per batch the time from its oldest event to the end of its staging insert; the
 * baseline is the 202 latency of the same requests.
 */
type CollectorReady = { url: string };
type WorkerReady = { concurrency: number };
interface Staged {
  at: number;
  lag: number;
  events: number;
}

const SEED = 21;

async function prefill(context: BenchContext, events: number, batchEvents: number): Promise<number> {
  progress.line(`  generating ${events.toLocaleString('en')} events in batches of ${batchEvents}`);
  const batches = prefillBatches({ events, batchEvents, seed: SEED, now: Date.now(), idPrefix: 'queued' });
  return enqueueBatches({ url: context.queueUrl, prefix: PREFIX, batches });
}

/** The collector's counters once two reads 250 ms apart agree: no request is still in flight. */
async function settledCounters(url: string): Promise<Awaited<ReturnType<typeof collectorCounters>>> {
  let last = await collectorCounters(url);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const next = await collectorCounters(url);
    if (next.accepted === last.accepted) return next;
    last = next;
  }
}

export async function runWorkersSection(context: BenchContext): Promise<void> {
  const { quick } = context.options;
  const events = quick ? 40_000 : 400_000;
  const batchEvents = 500;
  const offered = 10_000;
  const lagSeconds = quick ? 6 : 30;
  progress.line(
    `[workers] drain ${events.toLocaleString('en')} queued events (batches of ${batchEvents}), then ${lagSeconds} s at ${offered.toLocaleString('en')} events/s offered`,
  );
  await context.flushQueue();

  // Baseline: the same batches staged directly by a worker process (engine + fold, no queue).
  const baselineWorker = await context.child<WorkerReady>('worker', {
    env: { KANON_DATA_DIR: context.dataDir('worker-baseline') },
    as: 'worker-baseline',
  });
  let direct: { events: number; batches: number; ms: number; cpuS: { process: number; mainThread: number } };
  try {
    direct = await baselineWorker.call('baseline', { events, batchEvents, seed: SEED });
  } finally {
    await baselineWorker.stop();
  }
  const directRate = direct.events / (direct.ms / 1000);
  progress.line(`  direct staging (baseline): ${Math.round(directRate).toLocaleString('en')} events/s`);

  // Noise mode (KANON_EPSILON) stages what each visitor added to each cell too: the same batches
  // staged directly with it, beside the plain baseline of the same run.
  const noisyWorker = await context.child<WorkerReady>('worker', {
    env: { KANON_DATA_DIR: context.dataDir('worker-noise'), KANON_EPSILON: '8' },
    as: 'worker-noise',
  });
  let noisyDirect: typeof direct;
  try {
    noisyDirect = await noisyWorker.call('baseline', { events, batchEvents, seed: SEED });
  } finally {
    await noisyWorker.stop();
  }
  const noisyRate = noisyDirect.events / (noisyDirect.ms / 1000);
  progress.line(`  direct staging in noise mode: ${Math.round(noisyRate).toLocaleString('en')} events/s`);

  const queued = await prefill(context, events, batchEvents);
  const worker = await context.child<WorkerReady>('worker', {
    env: { KANON_DATA_DIR: context.dataDir('worker') },
  });
  let collector: Child<CollectorReady> | undefined;
  try {
    context.notePeak('worker-idle', rssBytes(worker.pid));
    resetPeakRss(worker.pid);
    const meter = cpuMeter({
      worker: worker.pid,
      'main thread': { pid: worker.pid, thread: worker.pid },
      redis: context.queueRedisPid,
    });
    const meterStarted = performance.now();
    const drainRewrites = await rewriteMeter(context.queueUrl);
    await worker.call('start', { aofRewriteEveryMs: context.options.queueRewriteEveryMs });
    const drained = await worker.call<{ startedAt: number; lastAt: number; events: number; batches: number }>(
      'waitStaged',
      { events: queued, timeoutMs: 600_000 },
    );
    const cpu = meter();
    const rewritesInDrain = await drainRewrites();
    const drainRate = drained.events / ((drained.lastAt - drained.startedAt) / 1000);
    const usPerEvent = (seconds: number | undefined, events: number) =>
      ((seconds ?? Number.NaN) * 1e6) / events;
    const drainCpu = {
      process: usPerEvent(cpu.worker, drained.events),
      mainThread: usPerEvent(cpu['main thread'], drained.events),
      redis: usPerEvent(cpu.redis, drained.events),
      mainThreadBusy: (cpu['main thread'] ?? Number.NaN) / ((performance.now() - meterStarted) / 1000),
    };
    const directCpu = {
      process: usPerEvent(direct.cpuS.process, direct.events),
      mainThread: usPerEvent(direct.cpuS.mainThread, direct.events),
      mainThreadBusy: direct.cpuS.mainThread / (direct.ms / 1000),
    };
    progress.line(
      `  queue → staging: ${Math.round(drainRate).toLocaleString('en')} events/s (${drained.batches} batches); ` +
        `worker CPU ${drainCpu.process.toFixed(1)} µs/event (main thread ${drainCpu.mainThread.toFixed(1)}, ${Math.round(drainCpu.mainThreadBusy * 100)} % busy; redis ${drainCpu.redis.toFixed(1)}), ` +
        `direct ${directCpu.process.toFixed(1)} (main thread ${directCpu.mainThread.toFixed(1)}, ${Math.round(directCpu.mainThreadBusy * 100)} % busy)`,
    );
    progress.line(`  during the drain: ${describeRewrites(rewritesInDrain)}`);
    context.notePeak('worker', peakRssBytes(worker.pid));

    // Lag at a steady offered load, through the real collector.
    collector = await context.child<CollectorReady>('collector', {
      env: { KANON_TRUST_PROXY: 'true' },
      as: 'collector-lag',
    });
    const pool = requestPool(createShop(), 31, 20_000);
    const meanEvents = pool.reduce((sum, request) => sum + request.events, 0) / pool.length;
    const rate = offered / meanEvents;
    await runSteadyLoad({
      url: collector.ready.url,
      pool,
      rate: rate / 4,
      instances: 4,
      connections: 16,
      durationS: 2,
      label: 'lag warm-up',
    });
    // Let the warm-up settle (its last requests can still be answered after the load generator
    // stops) and its batches reach staging, so the exactly-once check below counts this run only.
    const before = await settledCounters(collector.ready.url);
    await worker.call('waitStaged', { events: drained.events + before.accepted, timeoutMs: 60_000 });
    const counters = await worker.call<{ events: number }>('counts');
    resetPeakRss(collector.pid);
    const lagRewrites = await rewriteMeter(context.queueUrl);
    const load = await runSteadyLoad({
      url: collector.ready.url,
      pool,
      rate,
      instances: 10,
      connections: 64,
      durationS: lagSeconds,
      label: `${offered.toLocaleString('en')} events/s offered`,
    });
    progress.clear();
    const rewritesInLag = await lagRewrites();
    const after = await settledCounters(collector.ready.url);
    const accepted = after.accepted - before.accepted;
    const settled = await worker.call<{ events: number; lastAt: number }>('waitStaged', {
      events: counters.events + accepted,
      timeoutMs: 60_000,
    });
    const stagedDuringRun = settled.events - counters.events;
    const warmup = 3000;
    const lags = await worker.call<Staged[]>('lags', {
      from: load.startedAt + warmup,
      to: load.startedAt + lagSeconds * 1000 + 5000,
    });
    const lag = summarise(lags.map((batch) => batch.lag));
    const batchSizes = summarise(lags.map((batch) => batch.events));
    const achieved = accepted / lagSeconds;
    progress.line(
      `  lag: p50 ${lag.p50.toFixed(0)} ms, p99 ${lag.p99.toFixed(0)} ms over ${lag.n} batches (median ${batchSizes.p50} events); ` +
        `${Math.round(achieved).toLocaleString('en')} events/s accepted, ${stagedDuringRun.toLocaleString('en')} of ${accepted.toLocaleString('en')} staged`,
    );
    progress.line(`  during the lag run: ${describeRewrites(rewritesInLag)}`);
    if (achieved < offered * 0.95)
      context.notes.push(
        `workers: only ${Math.round(achieved)} of ${offered} events/s offered were accepted during the lag run (collector saturated?)`,
      );
    if (stagedDuringRun !== accepted)
      context.notes.push(
        `workers: ${accepted} events acknowledged but ${stagedDuringRun} staged during the lag run`,
      );
    const ok = load.statuses['202'] ?? 0;
    if (ok !== load.requests)
      context.notes.push(`workers: ${load.requests - ok} lag-run requests not answered 202`);
    context.notePeak('worker', peakRssBytes(worker.pid));
    context.notePeak('collector', peakRssBytes(collector.pid));

    context.figures.push(
      figure({
        section: 'workers',
        name: 'direct staging in noise mode: events/s',
        value: noisyRate,
        unit: 'ev/s',
        baseline: { name: 'direct staging, plain', value: directRate },
      }),
      figure({
        section: 'workers',
        name: 'queue → staging: events/s',
        value: drainRate,
        unit: 'ev/s',
        baseline: { name: 'direct staging, no queue', value: directRate },
        target: { kind: 'min', value: 100_000, on: 'value' },
      }),
      figure({
        section: 'workers',
        name: 'queue → staging: worker CPU per event',
        value: drainCpu.process,
        unit: 'µs',
        baseline: { name: 'direct staging', value: directCpu.process },
        note: `all threads, the engine's included; plus ${drainCpu.redis.toFixed(1)} µs in redis-server`,
      }),
      figure({
        section: 'workers',
        name: 'queue → staging: worker main thread CPU per event',
        value: drainCpu.mainThread,
        unit: 'µs',
        baseline: { name: 'direct staging', value: directCpu.mainThread },
        note: `busy ${Math.round(drainCpu.mainThreadBusy * 100)} % of the drain (direct: ${Math.round(directCpu.mainThreadBusy * 100)} %)`,
      }),
      figure({
        section: 'workers',
        name: `lag 202 → staging p50 @ ${offered / 1000}k ev/s`,
        value: lag.p50,
        unit: 'ms',
        baseline: { name: '202 latency p50', value: load.latencyMs.p50 },
      }),
      figure({
        section: 'workers',
        name: `lag 202 → staging p99 @ ${offered / 1000}k ev/s`,
        value: lag.p99,
        unit: 'ms',
        baseline: { name: '202 latency p99', value: load.latencyMs.p99 },
        target: { kind: 'max', value: 2000, on: 'value' },
      }),
      figure({
        section: 'workers',
        name: `queue file rewrites @ ${offered / 1000}k ev/s: CPU each`,
        value: rewritesInLag.rewrites > 0 ? rewritesInLag.childCpuMs / rewritesInLag.rewrites : 0,
        unit: 'ms',
        note: `${describeRewrites(rewritesInLag)} in ${lagSeconds} s (--queue-rewrites ${context.options.queueRewriteEveryMs / 1000})`,
      }),
    );
    context.sections.workers = {
      drain: {
        events: drained.events,
        batches: drained.batches,
        batchEvents,
        eventsPerSecond: drainRate,
        cpuMicrosecondsPerEvent: drainCpu,
        queueRewrites: rewritesInDrain,
      },
      direct: { ...direct, eventsPerSecond: directRate, cpuMicrosecondsPerEvent: directCpu },
      lag: {
        offeredEventsPerSecond: offered,
        requestsPerSecond: rate,
        meanEventsPerRequest: meanEvents,
        durationS: lagSeconds,
        accepted,
        acceptedPerSecond: achieved,
        staged: stagedDuringRun,
        lagMs: lag,
        batchEvents: batchSizes,
        http: load,
        collectorJobs: after.batchesQueued - before.batchesQueued,
        queueRewrites: rewritesInLag,
      },
      queueRewriteEveryMs: context.options.queueRewriteEveryMs,
      concurrency: worker.ready.concurrency,
    };
  } finally {
    await Promise.all([worker.stop(), collector?.stop()]);
  }
}
