import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPORT_LIST, REPORTS } from '../../../schema/reports.js';
import { releaseLinkedReports } from '../../../workers/release/link-reports.js';
import { fitToTotal, noiseScales, noisyRelease } from '../../../workers/release/noise/noisy-release.js';
import { linkedReportViolations, type PublishedScope } from '../../fixtures/linked-release-check.js';
import { randomTraffic } from '../../fixtures/random-traffic.js';
import { stagedCells } from '../../fixtures/staged-cells.js';

/**
 * Noise mode's post-processing (workers/release/noise/noisy-release.ts): over random traffic, the
 * noisy reports of a day still obey the linked-reports rule (every overview figure equals each
 * report that splits it, the visitors add up over devices and countries, every row shows K or more
 * visitors), the same secret gives the same figures, and the noise is what the budget says.
 */
const WINDOW = 86_400;
const start = Date.UTC(2026, 11, 1);
const settings = { epsilon: 2, rows: 5, clamp: 3, moneyCents: 20_000 };
const traffic = randomTraffic({ windows: 1, windowSeconds: WINDOW, start, maxVisitors: 30 });

function release(events: Parameters<typeof stagedCells>[0], k: number, secret: Buffer) {
  const { reports, kinds } = stagedCells(events, WINDOW, start);
  const linked = releaseLinkedReports(reports, kinds, k);
  const noisy = noisyRelease(linked.releases, { settings, secret, period: 'shop|2026-12-01', k });
  return new Map(REPORT_LIST.map((spec) => [spec.name, noisy.get(spec.name)!.rows])) as PublishedScope;
}

describe('noisyRelease', () => {
  it('keeps every report adding up to the overview, and every row at K visitors or more', () => {
    fc.assert(
      fc.property(traffic, fc.constantFrom(2, 3, 5), fc.integer({ min: 1, max: 255 }), (events, k, fill) => {
        expect(linkedReportViolations(release(events, k, Buffer.alloc(32, fill)), k)).toEqual([]);
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it('publishes the same figures for the same secret, and others for another', () => {
    fc.assert(
      fc.property(traffic, (events) => {
        const a = release(events, 2, Buffer.alloc(32, 1));
        expect(release(events, 2, Buffer.alloc(32, 1))).toEqual(a);
      }),
      { numRuns: 50, seed: 6 },
    );
  });

  it('splits ε evenly over the reports and their figures, each scaled to a visitor bounded contribution', () => {
    const share = settings.epsilon / REPORT_LIST.length;
    const products = noiseScales(REPORTS.products, settings);
    // 7 measures and the visitors: 8 figures, each with share / 8.
    expect(products.views).toBeCloseTo((settings.rows * settings.clamp) / (share / 8));
    expect(products.item_revenue_cents).toBeCloseTo((settings.rows * settings.moneyCents) / (share / 8));
    expect(products.visitors).toBeCloseTo(settings.rows / (share / 8));
    // The overview: one row per visitor, and events is derived (no noise of its own).
    const overview = noiseScales(REPORTS.overview, settings);
    expect(overview.events).toBeUndefined();
    expect(overview.orders).toBeCloseTo(settings.clamp / (share / 9));
  });
});

describe('fitToTotal', () => {
  it('adds up to the target, keeps every value at the floor or above, and is whole', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 10 }),
        (values, target, floor) => {
          const fitted = fitToTotal(values, target, floor);
          expect(fitted.reduce((sum, value) => sum + value, 0)).toBe(Math.max(target, floor * values.length));
          for (const value of fitted) {
            expect(Number.isInteger(value)).toBe(true);
            expect(value).toBeGreaterThanOrEqual(floor);
          }
        },
      ),
      { numRuns: 500, seed: 8 },
    );
  });
});
