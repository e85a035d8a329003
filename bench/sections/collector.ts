import type { Child } from '../lib/children.js';
import { type BenchContext, ORIGIN } from '../lib/context.js';
import { collectorCounters, type LoadResult, runLoad } from '../lib/load.js';
import { cpuMeter, peakRssBytes, resetPeakRss } from '../lib/proc.js';
import { progress } from '../lib/progress.js';
import { figure } from '../lib/report.js';
import { createShop } from '../lib/shop-model.js';
import { batchBody, browserHeaders, singleEventBody } from '../lib/traffic.js';

/**
 * Sections 1 and 2: the real collector next to a bare Fastify route, both in child processes,
 * loaded by autocannon from this process at 64 connections with the same body and browser
 * headers. Runs alternate (bare, collector, bare, collector, ...) so drift in the machine's load
 * hits both; the best round of each is reported. The queue's Redis is emptied before each run.
 */
type Ready = { url: string };

interface Side {
  best?: LoadResult;
  /** Events per second of the best round. */
  accepted: number;
  /** CPU µs per event of the server (and of Redis) in the best round. */
  cpuPerEvent: number;
  redisCpuPerEvent: number;
  /** Share of the best round the server's main (JavaScript) thread was on the CPU. */
  mainThreadBusy: number;
}

async function measure(
  context: BenchContext,
  target: Child<Ready>,
  body: string,
  label: string,
  durationS: number,
): Promise<{
  result: LoadResult;
  cpu: Record<string, number>;
  accepted?: Awaited<ReturnType<typeof collectorCounters>>;
}> {
  await context.flushQueue();
  const isCollector = target.name === 'collector';
  const before = isCollector ? await collectorCounters(target.ready.url) : undefined;
  const meter = cpuMeter({
    [target.name]: target.pid,
    'main thread': { pid: target.pid, thread: target.pid },
    redis: context.queueRedisPid,
  });
  const result = await runLoad({
    url: target.ready.url,
    connections: 64,
    durationS,
    body,
    headers: browserHeaders(ORIGIN),
    label,
  });
  const cpu = meter();
  progress.clear();
  if (!before) return { result, cpu };
  const after = await collectorCounters(target.ready.url);
  const delta = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(a)
        .map(([key, value]) => [key, value - (b[key] ?? 0)] as const)
        .filter(([, value]) => value > 0),
    );
  return {
    result,
    cpu,
    accepted: {
      accepted: after.accepted - before.accepted,
      dropped: delta(after.dropped, before.dropped),
      rejected: delta(after.rejected, before.rejected),
      batchesQueued: after.batchesQueued - before.batchesQueued,
      batchEventsQueued: after.batchEventsQueued - before.batchEventsQueued,
    },
  };
}

export async function runCollectorSection(context: BenchContext, kind: 'single' | 'batch'): Promise<void> {
  const { quick } = context.options;
  const shop = createShop();
  const eventsPerRequest = kind === 'single' ? 1 : 50;
  const body = kind === 'single' ? singleEventBody(shop) : batchBody(shop, 11, 50);
  const durationS = quick ? 3 : context.options.durationS;
  const rounds = quick ? 1 : context.options.rounds;
  const section = kind === 'single' ? 'collector' : 'batches';
  progress.line(
    `[${section}] ${kind === 'single' ? 'single events' : 'batches of 50 events'}: ${body.length}-byte body, 64 connections, ${rounds} × ${durationS} s each side`,
  );
  const bare = await context.child<Ready>('bare');
  const collector = await context.child<Ready>('collector');
  try {
    // Warm-up: JIT, connection pools, the user-agent cache and the day's salt.
    for (const target of [bare, collector])
      await measure(context, target, body, `${target.name} warm-up`, quick ? 1 : 2);
    resetPeakRss(collector.pid);
    resetPeakRss(bare.pid);
    const sides: Record<'bare' | 'collector', Side> = {
      bare: { accepted: 0, cpuPerEvent: 0, redisCpuPerEvent: 0, mainThreadBusy: 0 },
      collector: { accepted: 0, cpuPerEvent: 0, redisCpuPerEvent: 0, mainThreadBusy: 0 },
    };
    const details: Record<string, unknown>[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const target of [bare, collector]) {
        const { result, accepted, cpu } = await measure(
          context,
          target,
          body,
          `${target.name} round ${round + 1}/${rounds}`,
          durationS,
        );
        const side = sides[target.name as 'bare' | 'collector'];
        const events = accepted ? accepted.accepted : result.requests * eventsPerRequest;
        const mainThreadBusy = (cpu['main thread'] ?? Number.NaN) / result.durationS;
        if (!side.best || result.requestsPerSecond > side.best.requestsPerSecond) {
          side.best = result;
          side.accepted = events / result.durationS;
          side.cpuPerEvent = ((cpu[target.name] ?? Number.NaN) * 1e6) / events;
          side.redisCpuPerEvent = ((cpu.redis ?? Number.NaN) * 1e6) / events;
          side.mainThreadBusy = mainThreadBusy;
        }
        details.push({
          target: target.name,
          round: round + 1,
          ...result,
          cpuSeconds: cpu,
          collector: accepted,
        });
        const ok = result.statuses['202'] ?? 0;
        // Requests still in flight when autocannon stops are counted by the collector only, so
        // `accepted` may exceed the 202s seen here; drops and refusals must be zero.
        const lost =
          accepted && (Object.keys(accepted.dropped).length > 0 || Object.keys(accepted.rejected).length > 0);
        if (ok !== result.requests || lost || (accepted && accepted.accepted < ok * eventsPerRequest)) {
          context.notes.push(
            `${section}: ${target.name} round ${round + 1}: ${ok} of ${result.requests} requests answered 202` +
              (accepted
                ? `, ${accepted.accepted} events accepted (dropped ${JSON.stringify(accepted.dropped)}, rejected ${JSON.stringify(accepted.rejected)})`
                : ''),
          );
        }
        progress.line(
          `  ${target.name.padEnd(9)} round ${round + 1}: ${Math.round(result.requestsPerSecond).toLocaleString('en')} req/s, p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms, ` +
            `CPU ${(((cpu[target.name] ?? 0) * 1e6) / events).toFixed(1)} µs/event (redis ${(((cpu.redis ?? 0) * 1e6) / events).toFixed(1)}, load generator ${(((cpu['load generator'] ?? 0) * 1e6) / events).toFixed(1)}), main thread ${Math.round(mainThreadBusy * 100)} % busy` +
            (accepted
              ? `, ${(accepted.batchEventsQueued / Math.max(1, accepted.batchesQueued)).toFixed(0)} events/job`
              : ''),
        );
      }
    }
    const b = sides.bare.best!;
    const c = sides.collector.best!;
    context.notePeak('collector', peakRssBytes(collector.pid));
    context.notePeak('bare', peakRssBytes(bare.pid));
    if (kind === 'single') {
      context.figures.push(
        figure({
          section,
          name: 'single events: requests/s',
          value: c.requestsPerSecond,
          unit: 'req/s',
          baseline: { name: 'bare route', value: b.requestsPerSecond },
          target: { kind: 'min', value: 0.6, on: 'ratio' },
        }),
        figure({
          section,
          name: 'single events: p50 latency',
          value: c.latencyMs.p50,
          unit: 'ms',
          baseline: { name: 'bare route', value: b.latencyMs.p50 },
        }),
        figure({
          section,
          name: 'single events: p99 latency',
          value: c.latencyMs.p99,
          unit: 'ms',
          baseline: { name: 'bare route', value: b.latencyMs.p99 },
          target: { kind: 'max', value: 25, on: 'value' },
        }),
        figure({
          section,
          name: 'single events: server CPU per request',
          value: sides.collector.cpuPerEvent,
          unit: 'µs',
          baseline: { name: 'bare route', value: sides.bare.cpuPerEvent },
          note: `plus ${sides.collector.redisCpuPerEvent.toFixed(1)} µs in redis-server`,
        }),
      );
    } else {
      context.figures.push(
        figure({
          section,
          name: 'batches of 50: events/s',
          value: sides.collector.accepted,
          unit: 'ev/s',
          baseline: { name: 'bare route', value: sides.bare.accepted },
          target: { kind: 'min', value: 150_000, on: 'value' },
        }),
        figure({
          section,
          name: 'batches of 50: p99 latency',
          value: c.latencyMs.p99,
          unit: 'ms',
          baseline: { name: 'bare route', value: b.latencyMs.p99 },
        }),
        figure({
          section,
          name: 'batches of 50: server CPU per event',
          value: sides.collector.cpuPerEvent,
          unit: 'µs',
          baseline: { name: 'bare route', value: sides.bare.cpuPerEvent },
          note: `plus ${sides.collector.redisCpuPerEvent.toFixed(1)} µs in redis-server`,
        }),
      );
    }
    context.figures.push(
      figure({
        section,
        name: `${kind === 'single' ? 'single events' : 'batches of 50'}: server main thread busy`,
        value: sides.collector.mainThreadBusy * 100,
        unit: '%',
        baseline: { name: 'bare route', value: sides.bare.mainThreadBusy * 100 },
        note: 'near 100 %: the server is CPU-bound; lower: it waits',
      }),
    );
    context.sections[section] = {
      bodyBytes: body.length,
      eventsPerRequest,
      connections: 64,
      durationS,
      rounds: details,
    };
  } finally {
    await Promise.all([bare.stop(), collector.stop()]);
  }
}
