import { z } from 'zod';
import { loadCatalogue } from './catalogue.js';
import { backfillTokenRequired, FATAL_REJECTIONS, SimulationError } from './errors.js';
import { BACKFILL_HEADER, headersFor } from './headers.js';
import { createHttpClient, type HttpClient } from './http.js';
import { parseOptions, type SimulateOptions } from './options.js';
import { ProgressMeter } from './progress.js';
import { RateLimiter } from './rate-limiter.js';
import type { SimRequest } from './requests.js';
import { type Outcome, type SimulationSummary, Tally } from './tally.js';
import { planTraffic, requestsOfDay, type TrafficPlan, visitCount } from './traffic.js';

/**
 * Sends simulated shop traffic through a running collector over HTTP, exactly as the tracker
 * would: past days first, day by day in time order with their timestamps and the backfill header,
 * then today's share without timestamps (the collector stamps it). Requests go out `concurrency`
 * at a time, at most `rate` a second. Resolves with a summary; rejects with a SimulationError when
 * it cannot start or the collector refuses the traffic outright (docs/simulator.md).
 */
const Accepted = z.object({ accepted: z.number().int().min(0) });
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
/** So many network failures in a row mean the collector is gone. */
const MAX_CONSECUTIVE_FAILURES = 25;

export async function simulate(input: SimulateOptions): Promise<SimulationSummary> {
  const options = parseOptions(input);
  if (options.days > 0 && !options.backfillToken) throw backfillTokenRequired(options.days);
  const catalogue = await loadCatalogue();
  const plan = planTraffic(
    {
      site: options.site,
      origin: options.origin,
      visitors: options.visitors,
      pastDays: options.days,
      seed: options.seed,
      now: options.now,
    },
    catalogue,
  );
  const collector = new URL(options.collectorUrl).origin;
  const http = createHttpClient(options.concurrency);
  const signal = input.signal;
  try {
    await preflight(http, collector);
    const started = performance.now();
    const tally = new Tally();
    const meter = new ProgressMeter(tally, visitCount(plan), started, input.onProgress);
    const limiter = new RateLimiter(options.rate);
    const queue = requestsInOrder(plan, meter);
    let fatal: SimulationError | undefined;
    let failuresInRow = 0;

    const worker = async () => {
      while (!signal?.aborted && !fatal) {
        const next = queue.next();
        if (next.done) return;
        await limiter.take(signal);
        if (signal?.aborted || fatal) return;
        const request = next.value;
        const headers = headersFor(request.visitor, options.origin, collector);
        if (request.backfill && options.backfillToken) headers[BACKFILL_HEADER] = options.backfillToken;
        tally.sent(request);
        const outcome = await send(http, `${collector}/e`, headers, request.body);
        tally.answered(request, outcome);
        failuresInRow = outcome.kind === 'failed' ? failuresInRow + 1 : 0;
        fatal ??= fatalError(outcome, failuresInRow, collector);
        meter.tick();
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    meter.tick(true);

    const seconds = Math.max(0.001, (performance.now() - started) / 1000);
    const summary: SimulationSummary = {
      site: options.site,
      collectorUrl: collector,
      seed: options.seed,
      from: plan.days[0]?.date ?? '',
      to: plan.days[plan.days.length - 1]?.date ?? '',
      pastDays: options.days,
      visitors: tally.visitorCounts(),
      sessions: tally.sessions,
      requests: tally.requests,
      events: tally.events,
      rejected: tally.rejected,
      failed: tally.failed,
      backfilled: tally.backfilled,
      durationMs: Math.round(seconds * 1000),
      eventsPerSecond: Math.round(tally.events.sent / seconds),
      requestsPerSecond: Math.round(tally.requests / seconds),
      aborted: Boolean(signal?.aborted || fatal),
    };
    if (fatal) {
      fatal.summary = summary;
      throw fatal;
    }
    return summary;
  } finally {
    http.close();
  }
}

/** Every day's requests, oldest day first, each day in send order; tells the meter where it is. */
function* requestsInOrder(plan: TrafficPlan, meter: ProgressMeter): Generator<SimRequest> {
  for (const day of plan.days) {
    meter.day = day.date;
    meter.live = day.today;
    const requests = requestsOfDay(plan, day);
    meter.requestsGenerated += requests.length;
    meter.visitsGenerated += plan.visitsByDay[day.index]?.length ?? 0;
    yield* requests;
  }
}

async function preflight(http: HttpClient, collector: string): Promise<void> {
  let status: number;
  try {
    status = (await http.get(`${collector}/readyz`)).status;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SimulationError(
      'collector_unreachable',
      `Cannot reach the collector at ${collector} (${reason}). Start Kanon (npm start), or point the simulator at a running collector (--collector).`,
    );
  }
  if (status === 503) {
    throw new SimulationError(
      'collector_not_ready',
      `The collector at ${collector} is up but not ready: its Redis is unreachable (GET /readyz answered 503).`,
    );
  }
  if (status !== 200) {
    throw new SimulationError(
      'collector_unreachable',
      `${collector} answered GET /readyz with ${status}: is it a Kanon collector?`,
    );
  }
}

async function send(
  http: HttpClient,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<Outcome> {
  try {
    const response = await http.post(url, headers, body);
    if (response.status === 202) {
      const parsed = Accepted.safeParse(response.json);
      return { kind: 'accepted', accepted: parsed.success ? parsed.data.accepted : 0 };
    }
    if (response.status >= 400 && response.status < 500) {
      const error = ErrorBody.safeParse(response.json);
      return {
        kind: 'rejected',
        status: response.status,
        code: error.success ? error.data.error.code : 'unknown',
        message: error.success ? error.data.error.message : '',
      };
    }
    return { kind: 'failed', reason: `HTTP ${response.status}` };
  } catch (error) {
    return { kind: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
}

function fatalError(outcome: Outcome, failuresInRow: number, collector: string): SimulationError | undefined {
  if (outcome.kind === 'rejected' && FATAL_REJECTIONS[outcome.code]) {
    return new SimulationError(
      'refused',
      `The collector refused the traffic: ${outcome.status} ${outcome.code} (${outcome.message}). ${FATAL_REJECTIONS[outcome.code]}`,
    );
  }
  if (outcome.kind === 'failed' && failuresInRow >= MAX_CONSECUTIVE_FAILURES) {
    return new SimulationError(
      'collector_unreachable',
      `${failuresInRow} requests in a row to ${collector} failed (last: ${outcome.reason}); stopping.`,
    );
  }
  return undefined;
}
