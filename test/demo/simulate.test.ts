import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LOOPBACK_PROXIES } from '../../core/http/trust-proxy.js';
import { loadCatalogue } from '../../demo/simulator/catalogue.js';
import {
  type Progress,
  SimulationError,
  type SimulationSummary,
  simulate,
} from '../../demo/simulator/index.js';
import { DAY_MS, startOfUtcDay } from '../../demo/simulator/timeline.js';
import { planTraffic } from '../../demo/simulator/traffic.js';
import { REPORT_NAMES } from '../../schema/reports.js';
import { publishedTable } from '../../schema/tables.js';
import { startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';

/**
 * The simulator against the real collector, queue, worker, embedded ClickHouse and release: one
 * past day (backfilled) and today's share, for enough visitors that K = 5 publishes every report.
 */
const TOKEN = 'simulator-test-backfill-token-0123456789';
const ORIGIN = 'http://localhost:8082';
const HOUR_MS = 3_600_000;
const VISITORS = 700;
const OTHER = 'https://other.example';

const today = startOfUtcDay(Date.now());
// A fixed small share of today, so the split between days does not depend on when the test runs.
const now = Math.min(Date.now(), today + 3 * HOUR_MS);
const options = {
  site: 'demo',
  origin: ORIGIN,
  visitors: VISITORS,
  days: 1,
  seed: 7,
  now,
  backfillToken: TOKEN,
};
const Count = z.object({ n: z.coerce.number() });

describe('the traffic simulator through the real pipeline', () => {
  let pipeline: TestPipeline;
  let summary: SimulationSummary;
  const progress: Progress[] = [];

  beforeAll(async () => {
    pipeline = await startTestPipeline({
      // What npm start believes unless told otherwise: the simulator's X-Forwarded-For from loopback.
      KANON_TRUST_PROXY: LOOPBACK_PROXIES.join(','),
      KANON_BACKFILL_TOKEN: TOKEN,
      KANON_K: '5',
      KANON_WINDOW: '1h',
      KANON_SITES: `demo=${ORIGIN};other=${OTHER}`,
    });
    summary = await simulate({ ...options, collectorUrl: pipeline.url, onProgress: (p) => progress.push(p) });
    await pipeline.drain();
    // The release job as it would have run: after yesterday ended, then early tomorrow.
    await pipeline.release(today);
    await pipeline.release(today + DAY_MS + HOUR_MS);
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  const count = async (sql: string, params: Record<string, unknown> = {}) =>
    (await pipeline.warehouse.query({ name: 'count', sql, params, row: Count }))[0]?.n ?? 0;

  it('sends every request without a refusal or a failure', () => {
    expect(summary.rejected).toEqual({});
    expect(summary.failed).toBe(0);
    expect(summary.aborted).toBe(false);
    expect(summary.events.dropped.other).toBe(0);
    expect(summary.backfilled.requests).toBeGreaterThan(0);
    expect(summary.backfilled.requests).toBeLessThan(summary.requests);
    expect(summary.events.sent).toBe(
      summary.events.accepted + summary.events.dropped.bots + summary.events.dropped.optedOut,
    );
  });

  it('publishes the site totals of windows, and nothing else at window grain', async () => {
    for (const report of REPORT_NAMES) {
      const rows = await count(
        `SELECT count() AS n FROM ${publishedTable(report, 'window')} WHERE site = 'demo'`,
      );
      if (report === 'overview') expect(rows).toBeGreaterThan(0);
      else expect(rows, report).toBe(0);
    }
  });

  it('publishes a non-empty table for every report at day grain for the backfilled day', async () => {
    const yesterday = new Date(today - DAY_MS).toISOString().slice(0, 10);
    for (const report of REPORT_NAMES) {
      const rows = await count(
        `SELECT count() AS n FROM ${publishedTable(report, 'day')} WHERE site = 'demo' AND day = {day:Date}`,
        { day: yesterday },
      );
      expect(rows, report).toBeGreaterThan(0);
    }
  });

  it('stages exactly the events the collector accepted', async () => {
    const staged = await count(
      "SELECT sum(measures['events']) AS n FROM stg_cells WHERE site = 'demo' AND report = 'overview'",
    );
    expect(staged).toBe(summary.events.accepted);
  });

  it('has bots and opt-outs dropped by the collector and counted there', async () => {
    const metrics = (await pipeline.metrics.render()).body;
    const dropped = (reason: string) =>
      Number(
        new RegExp(`kanon_collector_dropped_total\\{reason="${reason}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0,
      );
    const optedOut = Number(/kanon_collector_opted_out_total (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(summary.events.dropped.optedOut).toBeGreaterThan(0);
    expect(optedOut).toBe(summary.events.dropped.optedOut);
    const botReasons = ['bot_user_agent', 'headless', 'webdriver', 'missing_fetch_metadata'];
    for (const reason of botReasons) expect(dropped(reason), reason).toBeGreaterThan(0);
    expect(botReasons.reduce((sum, reason) => sum + dropped(reason), 0)).toBe(summary.events.dropped.bots);
  });

  it('counts each simulated person once on the backfilled day', async () => {
    const plan = planTraffic({ ...options, pastDays: 1 }, await loadCatalogue());
    const people = new Set(
      (plan.visitsByDay[0] ?? [])
        .filter(({ visitor }) => visitor.client.kind === 'person' && !visitor.client.optedOut)
        .map(({ visitor }) => visitor.id),
    );
    const staged = await count(
      `SELECT length(groupUniqArrayMerge(visitors)) AS n FROM stg_cells
       WHERE site = 'demo' AND report = 'overview' AND toDate(window_start) = {day:Date}`,
      { day: new Date(today - DAY_MS).toISOString().slice(0, 10) },
    );
    expect(staged).toBe(people.size);
  });

  it('reports progress that ends on the summary', () => {
    expect(progress.length).toBeGreaterThan(0);
    const last = progress[progress.length - 1]!;
    expect(last.requests).toBe(summary.requests);
    expect(last.requestsPlanned).toBe(summary.requests);
    expect(last.accepted).toBe(summary.events.accepted);
    expect(last.errors).toBe(0);
  });

  it('refuses past days without a backfill token and names KANON_BACKFILL_TOKEN', async () => {
    const { backfillToken: _token, ...withoutToken } = options;
    const refusal = simulate({ ...withoutToken, collectorUrl: pipeline.url });
    await expect(refusal).rejects.toBeInstanceOf(SimulationError);
    await expect(refusal).rejects.toThrow(/KANON_BACKFILL_TOKEN/);
  });

  it('stops when the collector refuses the origin, and says what to fix', async () => {
    const refused = simulate({
      ...options,
      site: 'other',
      origin: 'https://evil.example',
      collectorUrl: pipeline.url,
    });
    await expect(refused).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/origin_not_allowed/),
    });
    const error = (await refused.catch((e: unknown) => e)) as SimulationError;
    expect(error.summary?.aborted).toBe(true);
    expect(error.summary?.rejected['403 origin_not_allowed']).toBeGreaterThan(0);
    expect(error.summary?.requests).toBeLessThan(100);
  });

  it('stops early when aborted and reports what it sent', async () => {
    const abort = new AbortController();
    const stopped = await simulate({
      ...options,
      days: 0,
      site: 'other',
      origin: OTHER,
      collectorUrl: pipeline.url,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.requests >= 50) abort.abort();
      },
    });
    expect(stopped.aborted).toBe(true);
    expect(stopped.requests).toBeGreaterThanOrEqual(50);
    expect(stopped.requests).toBeLessThan(500);
  });
});
