import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AnonymousBatch } from '../../schema/event.js';
import type { Child } from '../lib/children.js';
import { type BenchContext, PREFIX } from '../lib/context.js';
import { enqueueBatches, prefillBatches } from '../lib/prefill.js';
import { cpuMeter, cpuSeconds } from '../lib/proc.js';
import { progress } from '../lib/progress.js';
import { figure } from '../lib/report.js';

/**
 * Section "scale-out" (issue 28): staging throughput with 1, 2 and 4 worker processes, over 1 and
 * 2 queues (KANON_REDIS_QUEUES), every process against one shared ClickHouse engine through the
 * server adapter (test/fixtures/chdb-http-server.ts: one chDB store in its own process speaking
 * ClickHouse's HTTP protocol; no ClickHouse server runs here). Per configuration: a fresh engine
 * and an emptied queue; the workers' consumers start and pause, the same batches are queued
 * through EventsQueue, and the consumers resume at once. Before that, a first drain warms each
 * worker process up on a fifth as many events as the measured drain (each process compiles its
 * hot code on its own: with a fifth shared by 4 workers, each compiled during the measured drain
 * what the one worker of the baseline had compiled before it: 118 to 122 % of one worker's CPU
 * per event for 4 workers, against 102 to 105 % with a warm-up each, in the same quarter hour). Each worker reports its own CPU time from its
 * resume (process.cpuUsage), up to its last staged batch and up to the end of the drain, and the
 * events it staged; its main thread's and its other threads' (JIT, GC helpers) CPU, the engine's
 * and redis-server's come from /proc over the same span. After the drain each worker's CPU is
 * read over a few idle seconds (consumers running, queue empty): what a worker with no jobs costs.
 *
 * On 2 cores shared with the engine, redis-server and other sessions, events/s cannot grow with
 * the workers: CPU per event is the robust figure, and the one docs/scaling.md sizes from. The
 * baseline is one worker over one queue; it runs first in each round and once more at the end,
 * and every configuration is compared with the baseline runs just before and after it, so the
 * host's drift over the section (the same baseline has cost 35 % more minutes later) weighs on
 * both sides of the ratio.
 */
/** The baseline, and the configurations compared with it by default. */
const BASELINE = { workers: 1, queues: 1 } as const;
const OTHERS: readonly Configuration[] = [
  { workers: 2, queues: 1 },
  { workers: 4, queues: 1 },
  { workers: 1, queues: 2 },
  { workers: 2, queues: 2 },
  { workers: 4, queues: 2 },
];
const isBaseline = (c: Configuration) => c.workers === 1 && c.queues === 1;
/** Target of issue 28: the workers' CPU per event with 4 workers within 15 % of one worker's. */
const WITHIN = 1.15;
const SEED = 28;
const BATCH_EVENTS = 500;
/** Two sites that KANON_REDIS_QUEUES=2 sends to different queues (core/redis/key-layout.ts). */
const SITES = ['shop', 'outlet'] as const;

interface Configuration {
  workers: number;
  queues: number;
  again?: boolean;
  round?: number;
}

/** Options of this section only (bench/run.ts: --scale-events, --scale-configurations). */
export interface ScaleOutOptions {
  /** Events per measured drain (default 100,000; 20,000 with --quick). */
  events?: number;
  /** Configurations beside the baseline (1 worker, 1 queue), e.g. [{ workers: 4, queues: 1 }]. */
  configurations?: readonly Configuration[];
  /** Rounds of the baseline and every configuration (default 1; the baseline runs once more at the end). */
  rounds?: number;
  /**
   * `per-worker` (default): each worker process gets a fifth of the drain's events to warm up, as
   * the one worker of the baseline does. `shared`: a fifth in all, shared by the workers (the
   * method of the runs before 2026-12-07 15:08 UTC, kept to show what it measured).
   */
  warmUp?: 'per-worker' | 'shared';
}

/** `1x1,4x1` (workers x queues) as configurations; undefined when the text is not that. */
export function parseConfigurations(text: string): Configuration[] | undefined {
  const parsed = text.split(',').map((item) => /^\s*([124])x([12])\s*$/.exec(item));
  if (parsed.some((match) => !match)) return undefined;
  return parsed.map((match) => ({ workers: Number(match![1]), queues: Number(match![2]) }));
}

/** Idle span after a drain over which each worker's CPU is read with an empty queue. */
const IDLE_MS = 5000;

interface Usage {
  events: number;
  batches: number;
  /** Staging inserts, one per group of batches held at once (core/queue/job-groups.ts). */
  inserts: number;
  startedAt: number;
  lastAt: number;
  cpuMicroseconds: number;
  /** From the resume to this worker's last staged batch (the rest is waiting for the others). */
  cpuMicrosecondsToLast: number;
}

/** A worker's CPU over the drain from /proc: all threads, and its main (JavaScript) thread. */
interface ThreadSplit {
  all: number;
  main: number;
}
interface Measured {
  label: string;
  workers: number;
  queues: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  perWorker: {
    events: number;
    batches: number;
    inserts: number;
    cpuMicrosecondsPerEvent: number;
    /** CPU seconds: to the end of the drain, to this worker's last batch, main thread, other threads. */
    cpuSeconds: { drain: number; toLast: number; main: number; otherThreads: number };
    /** CPU per second of this worker idle (empty queue, consumers running) after the drain. */
    idleMillisecondsPerSecond: number;
  }[];
  cpuMicrosecondsPerEvent: {
    workers: number;
    /** The workers' CPU up to each one's last batch, without its wait for the others. */
    workersToLast: number;
    /** The workers' main threads (JavaScript, the event loop) and their other threads (JIT, GC helpers, libuv). */
    workersMain: number;
    workersOtherThreads: number;
    engine: number;
    redis: number;
    total: number;
  };
}

const front = new URL('../../test/fixtures/chdb-http-server.ts', import.meta.url).pathname;

/** The shared engine: one chDB store behind ClickHouse's HTTP protocol, in its own process. */
async function startSharedEngine(
  dataDir: string,
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', front, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await Promise.race([lines.next(), exited.then(() => undefined)]);
  const port = first && !first.done ? /^listening (\d+)$/.exec(first.value)?.[1] : undefined;
  if (!port) {
    kill();
    throw new Error('the shared engine (chdb-http-server) did not start');
  }
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    async stop() {
      process.off('exit', kill);
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The same events for every configuration, batches alternating between the two sites. */
function batchesOf(events: number, seed: number, idPrefix: string): AnonymousBatch[] {
  return prefillBatches({ events, batchEvents: BATCH_EVENTS, seed, now: Date.now(), idPrefix }).map(
    (batch, index) => {
      const site = SITES[index % SITES.length]!;
      return { id: batch.id, events: batch.events.map((event) => ({ ...event, site })) };
    },
  );
}

const labelOf = (c: Configuration) =>
  `${c.workers} worker${c.workers > 1 ? 's' : ''}, ${c.queues} queue${c.queues > 1 ? 's' : ''}${c.again ? ', again at the end' : (c.round ?? 1) > 1 ? `, round ${c.round}` : ''}`;

/** Queues the batches while the consumers are paused, resumes them and waits for every event. */
async function drain(
  context: BenchContext,
  workers: readonly Child[],
  queues: number,
  batches: readonly AnonymousBatch[],
  label: string,
  beforeResume: () => Promise<void> = async () => {},
): Promise<{ queued: number; usage: Usage[] }> {
  await Promise.all(workers.map((worker) => worker.call('pause')));
  const queued = await enqueueBatches({ url: context.queueUrl, prefix: PREFIX, queues, batches });
  await beforeResume();
  await Promise.all(workers.map((worker) => worker.call('resume')));
  const deadline = Date.now() + 600_000;
  for (;;) {
    const usage = await Promise.all(workers.map((worker) => worker.call<Usage>('usage')));
    const staged = usage.reduce((sum, one) => sum + one.events, 0);
    if (staged >= queued) {
      progress.clear();
      return { queued, usage };
    }
    if (Date.now() > deadline)
      throw new Error(`${label}: ${staged} of ${queued} events staged in 10 minutes`);
    progress.status(
      `  ${label}: staged ${staged.toLocaleString('en')} / ${queued.toLocaleString('en')} events`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function measure(
  context: BenchContext,
  configuration: Configuration,
  { warmUp, batches }: { warmUp: readonly AnonymousBatch[]; batches: readonly AnonymousBatch[] },
): Promise<Measured> {
  const label = labelOf(configuration);
  await context.flushQueue();
  const engine = await startSharedEngine(context.dataDir('shared-engine'));
  const workers: Child[] = [];
  try {
    const env = {
      CLICKHOUSE_URL: engine.url,
      CLICKHOUSE_DATABASE: 'default',
      KANON_REDIS_QUEUES: String(configuration.queues),
    };
    // One after the other: the first creates the tables, the others find them up to date.
    for (let n = 0; n < configuration.workers; n++)
      workers.push(await context.child('worker', { env, as: 'scale-worker' }));
    // Consumers started and paused before the queue fills; measured from their resume, after a
    // warm-up drain (each process's JIT warms up on its own: not a cost per event either).
    await Promise.all(workers.map((worker) => worker.call('start', { aofRewriteEveryMs: 0 })));
    await drain(context, workers, configuration.queues, warmUp, `${label}, warm-up`);
    // --profile scale-drain: a V8 profile of each worker's main thread over the measured drain only.
    const profileDir = context.options.profile.has('scale-drain')
      ? join(context.options.profileDir, 'scale-drain')
      : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    let meter = () => ({}) as Record<string, number>;
    let threadsAtResume: ThreadSplit[] = [];
    const { queued, usage } = await drain(
      context,
      workers,
      configuration.queues,
      batches,
      label,
      async () => {
        if (profileDir) await Promise.all(workers.map((worker) => worker.call('profileStart')));
        meter = cpuMeter({ engine: engine.pid, redis: context.queueRedisPid });
        threadsAtResume = workers.map((worker) => threadsOf(worker.pid));
      },
    );
    const cpu = meter();
    const threads = workers.map((worker, n) => minus(threadsOf(worker.pid), threadsAtResume[n]!));
    if (profileDir) {
      const tag = `${configuration.workers}w${configuration.queues}q${configuration.again ? '-again' : `-round${configuration.round ?? 1}`}`;
      await Promise.all(
        workers.map((worker, n) =>
          worker.call('profileStop', { file: join(profileDir, `${tag}-worker${n + 1}.cpuprofile`) }),
        ),
      );
    }
    // Each worker idle (queue empty, consumers running) for a few seconds: what a worker that gets
    // no jobs costs (BullMQ's blocking fetches, stalled-job checks, lock renewals, timers).
    const idleFrom = await Promise.all(workers.map((worker) => worker.call<Usage>('usage')));
    const idleStarted = performance.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idleTo = await Promise.all(workers.map((worker) => worker.call<Usage>('usage')));
    const idleSeconds = (performance.now() - idleStarted) / 1000;
    const events = usage.reduce((sum, one) => sum + one.events, 0);
    if (events !== queued)
      context.notes.push(`scale-out: ${label}: ${queued} events queued, ${events} staged`);
    const seconds =
      (Math.max(...usage.map((one) => one.lastAt)) - Math.min(...usage.map((one) => one.startedAt))) / 1000;
    const workersUs = usage.reduce((sum, one) => sum + one.cpuMicroseconds, 0);
    const perEvent = (seconds: number | undefined) => ((seconds ?? Number.NaN) * 1e6) / events;
    const toLastUs = usage.reduce((sum, one) => sum + one.cpuMicrosecondsToLast, 0);
    const split = {
      workers: workersUs / events,
      workersToLast: toLastUs / events,
      workersMain: perEvent(threads.reduce((sum, one) => sum + one.main, 0)),
      workersOtherThreads: perEvent(threads.reduce((sum, one) => sum + one.all - one.main, 0)),
      engine: perEvent(cpu.engine),
      redis: perEvent(cpu.redis),
    };
    return {
      label,
      workers: configuration.workers,
      queues: configuration.queues,
      events,
      seconds,
      eventsPerSecond: events / seconds,
      perWorker: usage.map((one, n) => ({
        events: one.events,
        batches: one.batches,
        inserts: one.inserts,
        cpuMicrosecondsPerEvent: one.cpuMicroseconds / one.events,
        cpuSeconds: {
          drain: one.cpuMicroseconds / 1e6,
          toLast: one.cpuMicrosecondsToLast / 1e6,
          main: threads[n]!.main,
          otherThreads: threads[n]!.all - threads[n]!.main,
        },
        idleMillisecondsPerSecond:
          (idleTo[n]!.cpuMicroseconds - idleFrom[n]!.cpuMicroseconds) / 1000 / idleSeconds,
      })),
      cpuMicrosecondsPerEvent: { ...split, total: split.workers + split.engine + split.redis },
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await engine.stop();
  }
}

/** CPU seconds of a worker from /proc so far: all its threads, and its main thread. */
function threadsOf(pid: number): ThreadSplit {
  return { all: cpuSeconds(pid) ?? Number.NaN, main: cpuSeconds(pid, pid) ?? Number.NaN };
}
const minus = (a: ThreadSplit, b: ThreadSplit): ThreadSplit => ({
  all: a.all - b.all,
  main: a.main - b.main,
});

const ratio = (value: number, baseline: number) => `${Math.round((value / baseline) * 100)} %`;

function describe(run: Measured, base: Measured): string {
  const cpu = run.cpuMicrosecondsPerEvent;
  const of = base.cpuMicrosecondsPerEvent;
  const processes = run.perWorker
    .map(
      (one, n) =>
        `    worker ${n + 1}: ${one.events.toLocaleString('en')} events in ${one.batches} batches, ${one.inserts} inserts, ` +
        `${one.cpuMicrosecondsPerEvent.toFixed(1)} µs CPU/event (${ratio(one.cpuMicrosecondsPerEvent, of.workers)} of one worker's); ` +
        `CPU ${one.cpuSeconds.drain.toFixed(2)} s (to its last batch ${one.cpuSeconds.toLast.toFixed(2)}; main thread ${one.cpuSeconds.main.toFixed(2)}, other threads ${one.cpuSeconds.otherThreads.toFixed(2)}); ` +
        `idle afterwards ${one.idleMillisecondsPerSecond.toFixed(1)} ms CPU/s`,
    )
    .join('\n');
  return (
    `  ${run.label}: ${Math.round(run.eventsPerSecond).toLocaleString('en')} events/s (${ratio(run.eventsPerSecond, base.eventsPerSecond)} of one worker's); ` +
    `CPU per event: workers ${cpu.workers.toFixed(1)} µs (${ratio(cpu.workers, of.workers)}), engine ${cpu.engine.toFixed(1)} (${ratio(cpu.engine, of.engine)}), ` +
    `redis ${cpu.redis.toFixed(1)} (${ratio(cpu.redis, of.redis)}), total ${cpu.total.toFixed(1)} (${ratio(cpu.total, of.total)})\n` +
    `    workers to each one's last batch ${cpu.workersToLast.toFixed(1)} µs (${ratio(cpu.workersToLast, of.workersToLast)}); ` +
    `main threads ${cpu.workersMain.toFixed(1)} µs (${ratio(cpu.workersMain, of.workersMain)}), other threads ${cpu.workersOtherThreads.toFixed(1)} µs (${ratio(cpu.workersOtherThreads, of.workersOtherThreads)})\n${processes}`
  );
}

export async function runScaleOutSection(
  context: BenchContext,
  options: ScaleOutOptions = {},
): Promise<void> {
  const events = options.events ?? (context.options.quick ? 20_000 : 100_000);
  const rounds = options.rounds ?? 1;
  const warmUpMode = options.warmUp ?? 'per-worker';
  const others = options.configurations?.filter((c) => c.workers !== 1 || c.queues !== 1) ?? OTHERS;
  // Round after round: the baseline, then every other configuration; the baseline once more at the
  // end. Each configuration is compared with the baselines just before and after it, so a host
  // whose load drifts over the section (the same configuration has cost 35 % more at its end)
  // shifts both sides of a ratio alike.
  const sequence: (Configuration & { round: number })[] = [];
  for (let round = 1; round <= rounds; round++)
    sequence.push({ ...BASELINE, round }, ...others.map((c) => ({ ...c, round })));
  sequence.push({ ...BASELINE, round: rounds + 1, again: true });
  progress.line(
    `[scale-out] ${events.toLocaleString('en')} queued events per configuration, after ${(events / 5).toLocaleString('en')} ${warmUpMode === 'shared' ? 'shared by its worker processes' : 'per worker process'} to warm up (batches of ${BATCH_EVENTS}, two sites), drained by ${[...new Set(others.map(labelOf))].join('; ')} and the baseline (1 worker, 1 queue) into one shared engine (chDB behind ClickHouse's HTTP protocol, server adapter); ${rounds} round${rounds > 1 ? 's' : ''}`,
  );
  progress.line(
    '  the host has 2 cores shared with the engine, redis-server and other sessions: events/s flattens; CPU per event is the robust figure',
  );
  const batches = batchesOf(events, SEED, 'scale');
  const runs: (Measured & { round: number })[] = [];
  let lastBaseline: Measured | undefined;
  for (const configuration of sequence) {
    // Each process warms its JIT up on its own, so each gets as many warm-up events as the one
    // worker of the baseline does (a fifth of the drain each), not a share of one fifth.
    const warmUp = batchesOf(
      (events / 5) * (warmUpMode === 'shared' ? 1 : configuration.workers),
      SEED + 1,
      'warm',
    );
    const run = {
      ...(await measure(context, configuration, { warmUp, batches })),
      round: configuration.round,
    };
    runs.push(run);
    if (isBaseline(configuration)) lastBaseline = run;
    progress.line(describe(run, lastBaseline ?? run));
  }
  const baselines = runs.filter((run) => isBaseline(run));
  /** The baselines run just before and after a run (the same round's, and the next round's or the last). */
  const bracket = (run: { round: number }) =>
    baselines.filter((one) => one.round === run.round || one.round === run.round + 1);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const baseline = (name: string, value: number) => ({
    name: `${name}, 1 worker, 1 queue (runs before and after)`,
    value,
  });
  const summaries = others.map((configuration) => {
    const mine = runs.filter(
      (run) => run.workers === configuration.workers && run.queues === configuration.queues,
    );
    const around = (pick: (run: Measured) => number) => mean(mine.map((run) => mean(bracket(run).map(pick))));
    const of = (pick: (run: Measured) => number) => ({ value: mean(mine.map(pick)), baseline: around(pick) });
    const perRound = mine.map(
      (run) =>
        run.cpuMicrosecondsPerEvent.workers /
        mean(bracket(run).map((one) => one.cpuMicrosecondsPerEvent.workers)),
    );
    return {
      label: labelOf(configuration),
      workers: configuration.workers,
      eventsPerSecond: of((run) => run.eventsPerSecond),
      workersCpu: of((run) => run.cpuMicrosecondsPerEvent.workers),
      workersToLastCpu: of((run) => run.cpuMicrosecondsPerEvent.workersToLast),
      totalCpu: of((run) => run.cpuMicrosecondsPerEvent.total),
      perRound,
      mine,
    };
  });
  for (const summary of summaries) {
    const four = summary.workers === 4;
    const last = summary.mine[summary.mine.length - 1]!;
    const over = rounds > 1 ? ` (mean of ${rounds} rounds)` : '';
    context.figures.push(
      figure({
        section: 'scale-out',
        name: `${summary.label}: events/s${over}`,
        value: summary.eventsPerSecond.value,
        unit: 'ev/s',
        baseline: baseline('staged', summary.eventsPerSecond.baseline),
      }),
      figure({
        section: 'scale-out',
        name: `${summary.label}: workers' CPU per event${over}`,
        value: summary.workersCpu.value,
        unit: 'µs',
        baseline: baseline('workers', summary.workersCpu.baseline),
        ...(four ? { target: { kind: 'max' as const, value: WITHIN, on: 'ratio' as const } } : {}),
        note: `ratio per round: ${summary.perRound.map((share) => `${Math.round(share * 100)} %`).join(', ')}; last round per process: ${last.perWorker.map((one) => one.cpuMicrosecondsPerEvent.toFixed(1)).join(', ')} µs; batches per insert: ${last.perWorker.map((one) => (one.batches / Math.max(1, one.inserts)).toFixed(1)).join(', ')}`,
      }),
      figure({
        section: 'scale-out',
        name: `${summary.label}: all processes' CPU per event${over}`,
        value: summary.totalCpu.value,
        unit: 'µs',
        baseline: baseline('all', summary.totalCpu.baseline),
        note: `last round: workers + engine ${last.cpuMicrosecondsPerEvent.engine.toFixed(1)} + redis ${last.cpuMicrosecondsPerEvent.redis.toFixed(1)} µs`,
      }),
    );
  }
  const drift = baselines.map((run) => run.cpuMicrosecondsPerEvent.workers);
  progress.line(
    `  baseline (1 worker, 1 queue) workers' CPU per event, run by run: ${drift.map((value) => value.toFixed(1)).join(', ')} µs (the host's drift)`,
  );
  const verdicts = summaries
    .filter((summary) => summary.workers === 4)
    .map((summary) => {
      const share = summary.workersCpu.value / summary.workersCpu.baseline;
      return `${summary.label}: workers' CPU per event ${Math.round(share * 100)} % of one worker's run before and after it (per round: ${summary.perRound.map((one) => `${Math.round(one * 100)} %`).join(', ')}; target < ${Math.round(WITHIN * 100)} %): ${share < WITHIN ? 'pass' : 'MISS'}`;
    });
  for (const verdict of verdicts) progress.line(`  ${verdict}`);
  context.notes.push(
    'scale-out: on 2 shared cores events/s cannot grow with the workers; CPU per event is the robust figure (docs/scaling.md sizes from it)',
  );
  context.sections['scale-out'] = {
    eventsPerConfiguration: events,
    warmUpEvents: events / 5,
    warmUp: warmUpMode,
    rounds,
    batchEvents: BATCH_EVENTS,
    sites: SITES,
    engine:
      'one chDB store behind test/fixtures/chdb-http-server.ts (requests one at a time), server adapter',
    runs,
    summaries: summaries.map(({ mine: _, ...summary }) => summary),
    verdicts,
  };
}
