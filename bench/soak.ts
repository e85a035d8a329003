import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { AOF_REWRITE_EVERY_MS } from '../core/redis/aof-rewrites.js';
import { killAllChildren } from './lib/children.js';
import { createContext, PREFIX } from './lib/context.js';
import { collectorCounters, runSteadyLoad, stopAllLoad } from './lib/load.js';
import { findPid, mb, rssBytes } from './lib/proc.js';
import { progress } from './lib/progress.js';
import { createShop } from './lib/shop-model.js';
import { summarise } from './lib/stats.js';
import { requestPool } from './lib/traffic.js';

/**
 * The soak (run by hand, docs/benchmarks.md): the whole pipeline under a steady offered load for
 * an hour, sampling every 10 s the RSS of collector, worker and queue Redis, the intake and
 * staging rates, the lag from 202 to staging and the queue's backlog, into a CSV; at the end a
 * text plot and the growth of memory and lag over the run (after a warm-up tenth).
 *
 *   npx tsx bench/soak.ts [--minutes 60] [--rate 10000] [--interval 10] [--window 1m]
 *
 * The release runs too, every few seconds with one-minute windows by default, so staging is
 * released and rolled up while the load runs.
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    rate: { type: 'string', default: '10000' },
    interval: { type: 'string', default: '10' },
    window: { type: 'string', default: '1m' },
    out: { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const offered = Number(values.rate);
const intervalS = Number(values.interval);
if (![minutes, offered, intervalS].every((value) => Number.isFinite(value) && value > 0)) {
  console.error('usage: npx tsx bench/soak.ts [--minutes 60] [--rate 10000] [--interval 10] [--window 1m]');
  process.exit(2);
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = new URL('./results/', import.meta.url).pathname;
const csv = values.out ?? `${resultsDir}soak-${stamp}.csv`;

interface Sample {
  t: number;
  collectorMb: number;
  workerMb: number;
  redisMb: number;
  /** Redis's own count of the memory its data uses (INFO used_memory), next to its RSS. */
  redisUsedMb: number;
  redisKeys: number;
  acceptedPerS: number;
  stagedPerS: number;
  lagP50: number;
  lagP99: number;
  lagMax: number;
  pendingBatches: number;
  /** Staging inserts that took over 100 ms in the interval: the engine stalling staging. */
  slowInserts: number;
}
const COLUMNS: (keyof Sample)[] = [
  't',
  'collectorMb',
  'workerMb',
  'redisMb',
  'redisUsedMb',
  'redisKeys',
  'acceptedPerS',
  'stagedPerS',
  'lagP50',
  'lagP99',
  'lagMax',
  'pendingBatches',
  'slowInserts',
];

/** A small text chart: one row per sample bucket, a bar scaled to the series' maximum. */
export function textPlot(title: string, samples: readonly Sample[], key: keyof Sample, unit: string): string {
  const rows = Math.min(24, samples.length);
  const step = samples.length / rows;
  const max = Math.max(...samples.map((sample) => sample[key]), 1e-9);
  const lines = [`${title} (max ${max.toFixed(1)} ${unit})`];
  for (let row = 0; row < rows; row++) {
    const bucket = samples.slice(Math.floor(row * step), Math.floor((row + 1) * step));
    const value = Math.max(...bucket.map((sample) => sample[key]));
    const t = bucket[0]!.t;
    lines.push(
      `  ${`${Math.floor(t / 60)}:${String(Math.round(t % 60)).padStart(2, '0')}`.padStart(6)} ${'█'.repeat(Math.round((value / max) * 50)).padEnd(50)} ${value.toFixed(1)}`,
    );
  }
  return lines.join('\n');
}

/** Least-squares slope of a series against time, per hour. */
export function slopePerHour(samples: readonly Sample[], key: keyof Sample): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanT = samples.reduce((sum, s) => sum + s.t, 0) / n;
  const meanV = samples.reduce((sum, s) => sum + s[key], 0) / n;
  let num = 0;
  let den = 0;
  for (const sample of samples) {
    num += (sample.t - meanT) * (sample[key] - meanV);
    den += (sample.t - meanT) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 3600;
}

async function main(): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  const context = await createContext({
    quick: false,
    only: new Set(),
    profile: new Set(),
    profileDir: '',
    redisPersistent: true,
    queueRewriteEveryMs: AOF_REWRITE_EVERY_MS,
    rounds: 1,
    durationS: 1,
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    progress.line('\nstopping the soak early: the samples so far are kept');
    stopAllLoad();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const env = { KANON_WINDOW: values.window!, KANON_GRACE: '5s' };
  const samples: Sample[] = [];
  const redis = new Redis(context.queueUrl, { maxRetriesPerRequest: 1 });
  try {
    const worker = await context.child('worker', {
      env: { ...env, KANON_DATA_DIR: context.dataDir('soak') },
    });
    await worker.call('start');
    await worker.call('startRelease');
    const collector = await context.child<{ url: string }>('collector', {
      env: { ...env, KANON_TRUST_PROXY: 'true' },
    });
    const redisPid = findPid('redis-server', `:${new URL(context.queueUrl).port}`);
    const pool = requestPool(createShop(), 41, 20_000);
    const meanEvents = pool.reduce((sum, request) => sum + request.events, 0) / pool.length;
    writeFileSync(csv, `${COLUMNS.join(',')}\n`);
    progress.line(
      `soak: ${minutes} min at ${offered.toLocaleString('en')} events/s offered, a sample every ${intervalS} s → ${csv}`,
    );
    const started = Date.now();
    let last = { at: started, accepted: 0, staged: 0, slowInserts: 0 };
    const sampler = setInterval(() => {
      void (async () => {
        const now = Date.now();
        const [counters, counts, inserts, lags, pending, memory, keys] = await Promise.all([
          collectorCounters(collector.ready.url),
          worker.call<{ events: number }>('counts'),
          worker.call<{ over100ms: number }>('inserts'),
          worker.call<{ lag: number }[]>('lags', { from: last.at, to: now }),
          redis.zcard(`${PREFIX}:pending-batches`),
          redis.info('memory'),
          redis.dbsize(),
        ]);
        const usedBytes = Number(/^used_memory:(\d+)/m.exec(memory)?.[1]);
        const lag = summarise(lags.map((batch) => batch.lag));
        const seconds = (now - last.at) / 1000;
        const sample: Sample = {
          t: Math.round((now - started) / 1000),
          collectorMb: mb(rssBytes(collector.pid)),
          workerMb: mb(rssBytes(worker.pid)),
          redisMb: redisPid ? mb(rssBytes(redisPid)) : Number.NaN,
          redisUsedMb: mb(usedBytes),
          redisKeys: keys,
          acceptedPerS: (counters.accepted - last.accepted) / seconds,
          stagedPerS: (counts.events - last.staged) / seconds,
          lagP50: lag.p50,
          lagP99: lag.p99,
          lagMax: lag.max,
          pendingBatches: pending,
          slowInserts: inserts.over100ms - last.slowInserts,
        };
        last = {
          at: now,
          accepted: counters.accepted,
          staged: counts.events,
          slowInserts: inserts.over100ms,
        };
        samples.push(sample);
        appendFileSync(
          csv,
          `${COLUMNS.map((key) => (Number.isFinite(sample[key]) ? Math.round(sample[key] * 10) / 10 : '')).join(',')}\n`,
        );
        progress.status(
          `soak ${sample.t} s: collector ${sample.collectorMb.toFixed(0)} MB, worker ${sample.workerMb.toFixed(0)} MB, redis ${sample.redisMb.toFixed(0)} MB (data ${sample.redisUsedMb.toFixed(0)} MB, ${sample.redisKeys} keys), ` +
            `${Math.round(sample.acceptedPerS)} in/s, ${Math.round(sample.stagedPerS)} staged/s, lag p99 ${sample.lagP99.toFixed(0)} ms, ${pending} pending, ${sample.slowInserts} inserts over 100 ms`,
        );
      })().catch((error: unknown) => progress.line(`sample failed: ${String(error)}`));
    }, intervalS * 1000);
    await runSteadyLoad({
      url: collector.ready.url,
      pool,
      rate: offered / meanEvents,
      instances: 10,
      connections: 64,
      durationS: minutes * 60,
    });
    clearInterval(sampler);
    progress.clear();
    await Promise.all([collector.stop(), worker.stop()]);
  } finally {
    redis.disconnect();
    await killAllChildren();
    await context.close();
  }
  if (samples.length === 0) return;
  const steady = samples.slice(Math.floor(samples.length / 10));
  const summary = {
    csv,
    minutes: samples[samples.length - 1]!.t / 60,
    offeredEventsPerSecond: offered,
    growthPerHour: {
      collectorMb: slopePerHour(steady, 'collectorMb'),
      workerMb: slopePerHour(steady, 'workerMb'),
      redisMb: slopePerHour(steady, 'redisMb'),
      redisUsedMb: slopePerHour(steady, 'redisUsedMb'),
      lagP99Ms: slopePerHour(steady, 'lagP99'),
      pendingBatches: slopePerHour(steady, 'pendingBatches'),
    },
    peak: {
      collectorMb: Math.max(...samples.map((s) => s.collectorMb)),
      workerMb: Math.max(...samples.map((s) => s.workerMb)),
      lagP99Ms: Math.max(...samples.map((s) => s.lagP99).filter(Number.isFinite)),
    },
  };
  console.log(`\n${textPlot('collector RSS', samples, 'collectorMb', 'MB')}`);
  console.log(`\n${textPlot('worker RSS', samples, 'workerMb', 'MB')}`);
  console.log(`\n${textPlot('queue Redis RSS', samples, 'redisMb', 'MB')}`);
  console.log(`\n${textPlot('queue Redis data (used_memory)', samples, 'redisUsedMb', 'MB')}`);
  console.log(`\n${textPlot('lag p99, 202 → staging', samples, 'lagP99', 'ms')}`);
  console.log(`\n${textPlot('staging inserts over 100 ms', samples, 'slowInserts', 'per sample')}`);
  console.log(`\n${JSON.stringify(summary, null, 2)}`);
  writeFileSync(`${resultsDir}soak-${stamp}.json`, `${JSON.stringify({ summary, samples }, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await killAllChildren();
    process.exit(1);
  },
);
