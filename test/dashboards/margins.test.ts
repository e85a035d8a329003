import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { margin95 } from '../../core/discrete-laplace.js';
import { marginCells, ratioMargin, shareMargin, sumMargin } from '../../dashboards/presenters/margins.js';
import { addSpreads, spreadsOf } from '../../dashboards/query/noise-spread.js';
import { discreteLaplace } from '../../workers/release/noise/discrete-laplace.js';

/**
 * The ± margin beside a noisy figure (dashboards/presenters/margins.ts): checked against the noise
 * itself, drawn as the release draws it (workers/release/noise/discrete-laplace.ts), over thousands
 * of identities. A margin that said 95 % and covered 90 % would mislead a merchandiser as much as
 * none at all.
 */
const secret = Buffer.alloc(32, 27);
const TRIALS = 4000;
const draw = (trial: number, part: number, scale: number) =>
  discreteLaplace(secret, `margin-test|${trial}|${part}`, scale);

/** Days 2026-12-01.. with the given scales of `views`. */
const scalesOf = (list: readonly number[]) =>
  new Map(list.map((scale, index) => [`2026-12-${String(index + 1).padStart(2, '0')}`, { views: scale }]));
const oneRowEach = (list: readonly number[]) =>
  Object.fromEntries(list.map((_, index) => [`2026-12-${String(index + 1).padStart(2, '0')}`, 1]));

describe('the ± margin of a noisy figure', () => {
  it('gives a figure of one noisy value the exact 95 % margin of its draw', () => {
    for (const scale of [0.5, 3, 40, 900]) {
      const spread = spreadsOf({ '2026-12-01': 1 }, scalesOf([scale]), ['views']).views;
      expect(sumMargin(spread)).toBe(margin95(scale));
    }
  });

  it('covers 95 % of the noise of a sum of 1 to 60 draws, of equal and of mixed scales', () => {
    const cases: number[][] = [
      [25],
      [25, 25],
      [25, 25, 25],
      [8, 120],
      Array.from({ length: 7 }, (_, i) => 10 + 15 * i),
      Array.from({ length: 60 }, () => 6),
    ];
    for (const scales of cases) {
      const margin = sumMargin(spreadsOf(oneRowEach(scales), scalesOf(scales), ['views']).views)!;
      let inside = 0;
      for (let trial = 0; trial < TRIALS; trial += 1) {
        const noise = scales.reduce((sum, scale, part) => sum + draw(trial, part, scale), 0);
        if (Math.abs(noise) <= margin) inside += 1;
      }
      // 4,000 trials: a coverage of 95 % lands within ±1.1 points nineteen times in twenty.
      expect(inside / TRIALS, `scales ${scales.join(', ')}`).toBeGreaterThan(0.94);
      expect(inside / TRIALS, `scales ${scales.join(', ')}`).toBeLessThan(0.965);
    }
  });

  it('counts a day with three rows of a group as three draws, and adds groups figure by figure', () => {
    const scales = scalesOf([10, 10]);
    const three = spreadsOf({ '2026-12-01': 3 }, scales, ['views']).views!;
    const once = spreadsOf({ '2026-12-01': 1 }, scales, ['views']).views!;
    expect(three.variance).toBeCloseTo(3 * once.variance);
    const both = addSpreads({ views: once }, { views: once, visitors: once })!;
    expect(both.views!.variance).toBeCloseTo(2 * once.variance);
    expect(both.visitors).toEqual(once);
  });

  it('gives a rate of two noisy figures a margin that covers 95 % of its noise', () => {
    const [a, b, scaleA, scaleB] = [300, 2000, 20, 60];
    const spreadA = spreadsOf({ d: 1 }, new Map([['d', { x: scaleA }]]), ['x']).x;
    const spreadB = spreadsOf({ d: 1 }, new Map([['d', { x: scaleB }]]), ['x']).x;
    const margin = ratioMargin(a, spreadA, b, spreadB)!;
    let inside = 0;
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const noisy = (a + draw(trial, 0, scaleA)) / (b + draw(trial, 1, scaleB));
      if (Math.abs(noisy - a / b) <= margin) inside += 1;
    }
    expect(inside / TRIALS).toBeGreaterThan(0.935);
    expect(inside / TRIALS).toBeLessThan(0.97);
  });

  it("gives a part's share of a total that includes it a margin that covers 95 % of its noise", () => {
    const parts = [400, 250, 90, 60];
    const scale = 15;
    const one = spreadsOf({ d: 1 }, new Map([['d', { x: scale }]]), ['x']);
    const total = parts.reduce((sum, part) => sum + part, 0);
    const totalSpread = spreadsOf({ d: parts.length }, new Map([['d', { x: scale }]]), ['x']).x;
    const spreads = parts.map(() => one.x);
    const margin = shareMargin(parts[0], spreads[0], total, totalSpread)!;
    let inside = 0;
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const noisy = parts.map((part, index) => part + draw(trial, index, scale));
      const share = noisy[0]! / noisy.reduce((sum, part) => sum + part, 0);
      if (Math.abs(share - parts[0]! / total) <= margin) inside += 1;
    }
    expect(inside / TRIALS).toBeGreaterThan(0.935);
    expect(inside / TRIALS).toBeLessThan(0.97);
  });

  it('covers 95 % of the noise of any group of days and rows the dashboards add up (fast-check)', () => {
    // Random groups: up to 6 days, each with its own scale and 1 to 12 rows of the group.
    const day = fc.record({
      scale: fc.double({ min: 0.5, max: 400, noNaN: true }),
      rows: fc.integer({ min: 1, max: 12 }),
    });
    fc.assert(
      fc.property(fc.array(day, { minLength: 1, maxLength: 6 }), (days) => {
        const scales = scalesOf(days.map((item) => item.scale));
        const rowsPerDay = Object.fromEntries(
          [...scales.keys()].map((key, index) => [key, days[index]!.rows]),
        );
        const spread = spreadsOf(rowsPerDay, scales, ['views']).views!;
        const margin = sumMargin(spread)!;
        // Never narrower than one draw of the widest scale alone.
        expect(margin).toBeGreaterThanOrEqual(margin95(Math.max(...days.map((item) => item.scale))));
        const trials = 1500;
        let inside = 0;
        for (let trial = 0; trial < trials; trial += 1) {
          let noise = 0;
          let part = 0;
          for (const item of days)
            for (let row = 0; row < item.rows; row += 1) noise += draw(trial, part++, item.scale);
          if (Math.abs(noise) <= margin) inside += 1;
        }
        // 1,500 trials: 95 % lands within ±1.7 points nineteen times in twenty; a ±2.5 band is
        // loose enough for the approximation and tight enough to catch a margin of 90 % or 99 %.
        expect(inside / trials).toBeGreaterThan(0.925);
        expect(inside / trials).toBeLessThan(0.975);
      }),
      { numRuns: 12, seed: 27 },
    );
  });

  it('gives exact figures (plain mode, or a day released before noise mode) no margin at all', () => {
    const plain = spreadsOf({ '2026-12-01': 4 }, new Map(), ['views', 'visitors']);
    expect(plain).toEqual({});
    expect(sumMargin(plain.views)).toBeUndefined();
    expect(ratioMargin(10, plain.views, 100, plain.visitors)).toBeUndefined();
    expect(shareMargin(10, plain.views, 100, plain.views)).toBeUndefined();
    expect(marginCells({ views: undefined, visitors: undefined })).toEqual({});
    expect(marginCells({ views: 12, cart_rate: 0.013 })).toEqual({
      views_margin: 12,
      cart_rate_margin: 0.013,
    });
  });
});
