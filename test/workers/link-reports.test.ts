import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnonymousEvent } from '../../schema/event.js';
import { REPORT_LIST } from '../../schema/reports.js';
import { releaseLinkedReports } from '../../workers/release/link-reports.js';
import { linkedReportViolations, type PublishedScope } from '../fixtures/linked-release-check.js';
import { randomTraffic } from '../fixtures/random-traffic.js';
import { stagedCells } from '../fixtures/staged-cells.js';

/**
 * Linked reports (invariant 3, differencing across reports; link-reports.ts): over random traffic
 * folded by the workers' own fold, every overview figure equals what each report that splits it
 * publishes, `events` equals the kinds' figures, and the visitors add up over devices and
 * countries. Pure, so it runs many cases; test/invariants/3-linked-reports.test.ts runs the same
 * rules on the published tables of real releases.
 */
const WINDOW = 3600;
const start = Date.UTC(2026, 11, 1, 10);

function release(events: readonly AnonymousEvent[], k: number, networks = 0) {
  const { reports, kinds } = stagedCells(events, WINDOW, start);
  const linked = releaseLinkedReports(reports, kinds, { k, networks });
  const scope: PublishedScope = new Map(
    REPORT_LIST.map((spec) => [spec.name, linked.releases.get(spec.name)!.rows]),
  );
  return { linked, scope, reports };
}

const traffic = randomTraffic({ windows: 1, windowSeconds: WINDOW, start });

describe('releaseLinkedReports', () => {
  it('publishes no overview figure that a report splitting it disagrees with, over random traffic', () => {
    fc.assert(
      fc.property(traffic, fc.constantFrom(2, 3, 5), fc.constantFrom(0, 2, 3), (events, k, networks) => {
        const { linked, scope } = release(events, k, Math.min(networks, k));
        expect(linkedReportViolations(scope, k)).toEqual([]);
        expect(linked.capped).toBe(0);
      }),
      { numRuns: 400, seed: 24 },
    );
  });

  it('publishes no row whose visitors come from fewer networks than the threshold', () => {
    fc.assert(
      fc.property(traffic, fc.constantFrom(2, 3), (events, networks) => {
        const { linked, reports } = release(events, 3, networks);
        for (const spec of REPORT_LIST) {
          const cells = reports.get(spec.name) ?? [];
          for (const row of linked.releases.get(spec.name)!.rows) {
            const union = new Set(row.cells.flatMap((index) => cells[index]!.networks ?? []));
            expect(union.size, `${spec.name} ${JSON.stringify(row.dims)}`).toBeGreaterThanOrEqual(networks);
          }
        }
      }),
      { numRuns: 300, seed: 27 },
    );
  });

  it('withholds a kind of event that fewer than K visitors made in every report that counts it', () => {
    fc.assert(
      fc.property(traffic, fc.constantFrom(2, 3, 5), (events, k) => {
        const { linked } = release(events, k);
        const makers = (kind: string) =>
          new Set(
            events
              .filter(
                (event) =>
                  event.type === kind ||
                  (kind === 'entry' && event.type === 'pageview' && event.referrer !== '(internal)'),
              )
              .map((event) => event.visitor),
          ).size;
        for (const spec of REPORT_LIST) {
          for (const measure of spec.measures) {
            if (!measure.counts) continue;
            const withheld = makers(measure.counts) < k;
            expect(linked.withheld.has(measure.counts)).toBe(withheld);
            if (!withheld) continue;
            for (const row of linked.releases.get(spec.name)!.rows)
              expect(row.measures[measure.name] ?? 0).toBe(0);
          }
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('keeps the example of the issue apart: five campaign buyers and one direct buyer of 123.45', () => {
    const visit = (visitor: string, campaign: boolean, value: number): AnonymousEvent[] => {
      const base = {
        ts: start + 60_000,
        site: 'shop',
        visitor,
        path: '/',
        page_type: 'home' as const,
        referrer: '(direct)',
        utm_source: campaign ? 'news' : '',
        utm_medium: campaign ? 'email' : '',
        utm_campaign: campaign ? 'spring' : '',
        device: 'desktop' as const,
        browser: 'Chrome',
        os: 'Linux',
        country: 'DE',
        viewport: 'l' as const,
      };
      const item = {
        product_id: value === 1000 ? 'p1' : 'p9',
        category: 'tea',
        price_cents: value,
        quantity: 1,
      };
      return [
        { ...base, type: 'pageview' },
        { ...base, type: 'purchase', items: [item], value_cents: value, currency: 'EUR' },
      ];
    };
    const events = [
      ...['1', '2', '3', '4', '5'].flatMap((visitor) => visit(visitor, true, 1000)),
      ...visit('6', false, 12_345),
    ];
    const { scope } = release(events, 5);
    const overview = scope.get('overview')![0]!;
    const campaigns = scope.get('campaigns')!;
    const sum = (name: string) => campaigns.reduce((total, row) => total + (row.measures[name] ?? 0), 0);
    expect(overview.measures.orders).toBe(6);
    expect(overview.measures.revenue_cents).toBe(17_345);
    expect(sum('orders')).toBe(6);
    expect(sum('revenue_cents')).toBe(17_345);
    expect(sum('entries')).toBe(overview.measures.entries);
    expect(campaigns.every((row) => row.visitors >= 5)).toBe(true);
  });
});
