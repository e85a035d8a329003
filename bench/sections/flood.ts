import { type BenchContext, ORIGIN } from '../lib/context.js';
import { type LoadResult, runSteadyLoad } from '../lib/load.js';
import { cpuMeter } from '../lib/proc.js';
import { progress } from '../lib/progress.js';
import { figure } from '../lib/report.js';
import { createShop } from '../lib/shop-model.js';
import { browserHeaders, requestPool, singleEventBody } from '../lib/traffic.js';

/**
 * A flood from one address gets 429 without slowing others (issue 7). The real collector with
 * the default rate limit (KANON_RATE_LIMIT, 1,200 beacons a minute per address) takes a shop's
 * steady traffic from many shoppers, alone and then with one address flooding it beside them
 * (bench/children/flooder.ts), in alternating rounds. Reported: the others' latency with the flood
 * next to without it, the share of them answered 202, and how much of the flood got 429.
 */
type Ready = { url: string };

/** The shop's traffic: requests a second over all shoppers (a busy shop's peak). */
const OTHERS_RATE = 2_000;
/**
 * One address on this many connections, each sending its next request as soon as the last is
 * answered (a script or bot, not a browser): as fast as the collector refuses them.
 */
const FLOOD_CONNECTIONS = 8;
const FLOOD_ADDRESS = '203.0.113.66';
const RATE_LIMIT = 1_200;

interface Round {
  flood: boolean;
  others: LoadResult;
  flooder?: LoadResult;
  collectorCpuS: number;
}

export async function runFloodSection(context: BenchContext): Promise<void> {
  const { quick } = context.options;
  const durationS = quick ? 3 : context.options.durationS;
  const rounds = quick ? 1 : context.options.rounds;
  progress.line(
    `[flood] ${OTHERS_RATE.toLocaleString('en')} req/s from many shoppers, with and without one address flooding on ${FLOOD_CONNECTIONS} connections; rate limit ${RATE_LIMIT.toLocaleString('en')}/min; ${rounds} × ${durationS} s each`,
  );
  const shop = createShop();
  const pool = requestPool(shop, 47, 20_000);
  const floodBody = singleEventBody(shop);
  const floodHeaders = { ...browserHeaders(ORIGIN), 'x-forwarded-for': FLOOD_ADDRESS };
  const collector = await context.child<Ready>('collector', {
    env: { KANON_TRUST_PROXY: 'true', KANON_RATE_LIMIT: String(RATE_LIMIT) },
    as: 'collector-flood',
  });
  const others = (seconds: number, label: string) =>
    runSteadyLoad({
      url: collector.ready.url,
      pool,
      rate: OTHERS_RATE,
      instances: 4,
      connections: 32,
      durationS: seconds,
      label,
    });
  const flooderChild = await context.child('flooder');
  const flooder = (seconds: number) =>
    flooderChild.call<LoadResult>('flood', {
      url: collector.ready.url,
      body: floodBody,
      headers: floodHeaders,
      connections: FLOOD_CONNECTIONS,
      durationS: seconds,
    });
  try {
    await others(quick ? 1 : 2, 'flood warm-up');
    const results: Round[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const flood of [false, true]) {
        await context.flushQueue();
        const meter = cpuMeter({ collector: collector.pid });
        const label = `others ${flood ? 'with' : 'without'} the flood, round ${round + 1}/${rounds}`;
        const [othersResult, flooderResult] = await Promise.all([
          others(durationS, label),
          flood ? flooder(durationS) : Promise.resolve(undefined),
        ]);
        const cpu = meter();
        progress.clear();
        results.push({
          flood,
          others: othersResult,
          flooder: flooderResult,
          collectorCpuS: cpu.collector ?? Number.NaN,
        });
        progress.line(
          `  ${label}: ${Math.round(othersResult.requestsPerSecond).toLocaleString('en')} req/s, p50 ${othersResult.latencyMs.p50.toFixed(2)} ms, p99 ${othersResult.latencyMs.p99.toFixed(2)} ms, ` +
            `${othersResult.statuses['202'] ?? 0} of ${othersResult.requests} answered 202` +
            (flooderResult
              ? `; flood ${Math.round(flooderResult.requestsPerSecond).toLocaleString('en')} req/s, ${flooderResult.statuses['429'] ?? 0} of ${flooderResult.requests} answered 429`
              : '') +
            `; collector CPU ${Math.round(((cpu.collector ?? 0) / othersResult.durationS) * 100)} %`,
        );
      }
    }
    // The best round of each side, as in the collector sections (drift hits both alike).
    const best = (flood: boolean) =>
      results
        .filter((round) => round.flood === flood)
        .sort((a, b) => a.others.latencyMs.p99 - b.others.latencyMs.p99)[0]!;
    const alone = best(false);
    const flooded = best(true);
    const answered = (result: LoadResult) => (result.statuses['202'] ?? 0) / Math.max(1, result.requests);
    const floodRefused = (flooded.flooder!.statuses['429'] ?? 0) / Math.max(1, flooded.flooder!.requests);
    context.figures.push(
      figure({
        section: 'flood',
        name: "others' p99 under a one-address flood",
        value: flooded.others.latencyMs.p99,
        unit: 'ms',
        baseline: { name: 'the same traffic, no flood', value: alone.others.latencyMs.p99 },
        // "Without slowing others": against the same traffic in the same run, since this host's
        // p99 moves by tens of percent from round to round even without a flood.
        target: { kind: 'max', value: 1.5, on: 'ratio' },
      }),
      figure({
        section: 'flood',
        name: "others' p50 under a one-address flood",
        value: flooded.others.latencyMs.p50,
        unit: 'ms',
        baseline: { name: 'the same traffic, no flood', value: alone.others.latencyMs.p50 },
      }),
      figure({
        section: 'flood',
        name: 'others answered 202 under the flood',
        value: answered(flooded.others) * 100,
        unit: '%',
        baseline: { name: 'no flood', value: answered(alone.others) * 100 },
        target: { kind: 'min', value: 100, on: 'value' },
      }),
      figure({
        section: 'flood',
        name: 'flood answered 429',
        value: floodRefused * 100,
        unit: '%',
        note: `${Math.round(flooded.flooder!.requestsPerSecond).toLocaleString('en')} req/s from one address; at most ${RATE_LIMIT}/min get 202`,
      }),
    );
    context.sections.flood = {
      othersRate: OTHERS_RATE,
      floodConnections: FLOOD_CONNECTIONS,
      rateLimitPerMinute: RATE_LIMIT,
      durationS,
      rounds: results,
    };
  } finally {
    await Promise.all([collector.stop(), flooderChild.stop()]);
  }
}
