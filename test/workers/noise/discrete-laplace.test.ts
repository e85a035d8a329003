import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  discreteLaplace,
  margin95,
  tailProbability,
  variance,
} from '../../../workers/release/noise/discrete-laplace.js';

/**
 * Noise mode's mechanism (workers/release/noise/discrete-laplace.ts): draws over many identities
 * follow the discrete Laplace distribution it states, the same identity always draws the same
 * noise (in this process and another), and the margin shown beside a figure covers 95 %.
 */
const secret = Buffer.alloc(32, 9);
const pmf = (x: number, scale: number) => {
  const p = Math.exp(-1 / scale);
  return ((1 - p) / (1 + p)) * p ** Math.abs(x);
};

describe('discreteLaplace', () => {
  it.each([0.7, 3, 25])(
    'draws the discrete Laplace distribution of scale %s (chi-square, p > 0.001)',
    (scale) => {
      const draws = 20_000;
      const counts = new Map<number, number>();
      for (let n = 0; n < draws; n += 1) {
        const x = discreteLaplace(secret, `figure ${n}`, scale);
        counts.set(x, (counts.get(x) ?? 0) + 1);
      }
      // Bins of the values with an expected count of 20 or more, and the two tails together.
      const bins: { observed: number; expected: number }[] = [];
      let tailObserved = draws;
      let tailExpected = draws;
      for (let x = -1000; x <= 1000; x += 1) {
        const expected = draws * pmf(x, scale);
        if (expected < 20) continue;
        const observed = counts.get(x) ?? 0;
        bins.push({ observed, expected });
        tailObserved -= observed;
        tailExpected -= expected;
      }
      bins.push({ observed: tailObserved, expected: tailExpected });
      const chiSquare = bins.reduce((sum, bin) => sum + (bin.observed - bin.expected) ** 2 / bin.expected, 0);
      // The 99.9 % point of chi-square with d degrees of freedom, by the Wilson–Hilferty approximation.
      const d = bins.length - 1;
      const critical = d * (1 - 2 / (9 * d) + 3.09 * Math.sqrt(2 / (9 * d))) ** 3;
      expect(chiSquare).toBeLessThan(critical);
      const mean = [...counts].reduce((sum, [x, n]) => sum + x * n, 0) / draws;
      const observedVariance = [...counts].reduce((sum, [x, n]) => sum + (x - mean) ** 2 * n, 0) / draws;
      expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(variance(scale) / draws));
      expect(observedVariance / variance(scale)).toBeGreaterThan(0.9);
      expect(observedVariance / variance(scale)).toBeLessThan(1.1);
    },
  );

  it('draws the same noise for the same figure, and other noise for another figure or secret', () => {
    const a = discreteLaplace(secret, 'shop|2026-12-06|products|p1|views', 40);
    expect(discreteLaplace(secret, 'shop|2026-12-06|products|p1|views', 40)).toBe(a);
    const others = Array.from({ length: 20 }, (_, n) => discreteLaplace(secret, `other ${n}`, 40));
    expect(new Set(others).size).toBeGreaterThan(5);
    const elsewhere = Array.from({ length: 20 }, (_, n) =>
      discreteLaplace(Buffer.alloc(32, 1), `other ${n}`, 40),
    );
    expect(elsewhere).not.toEqual(others);
  });

  it('draws the same noise in another process', () => {
    const here = discreteLaplace(secret, 'shop|2026-12-06|overview|orders', 12);
    const there = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./workers/release/noise/discrete-laplace.ts').then((m) => console.log(m.discreteLaplace(Buffer.alloc(32, 9), 'shop|2026-12-06|overview|orders', 12)))`,
      ],
      { encoding: 'utf8' },
    );
    expect(there.stderr).toBe('');
    expect(Number(there.stdout.trim())).toBe(here);
  });

  it('shows a margin that 95 % of the noise stays within, and that 94 % would not', () => {
    for (const scale of [0.5, 2, 10, 300]) {
      const m = margin95(scale);
      expect(tailProbability(scale, m)).toBeLessThanOrEqual(0.05);
      if (m > 1) expect(tailProbability(scale, m - 1)).toBeGreaterThan(0.05);
    }
  });
});
