/**
 * What noise mode's noise looks like to a reader of the released figures: the discrete Laplace
 * distribution, P(X = x) ∝ exp(−|x| / scale) on the integers, whose draws the release adds
 * (workers/release/noise/discrete-laplace.ts) and whose scale per figure the manifest states
 * (`pub_releases.noise`). The release checks its draws against these; the dashboards turn them into
 * the ± margin beside a noisy figure. Pure arithmetic, so both stages share it from here.
 */

/** P(|X| ≥ m) for X discrete Laplace with this scale: 2 p^m / (1 + p), p = exp(−1/scale), m ≥ 1. */
export function tailProbability(scale: number, m: number): number {
  const p = Math.exp(-1 / scale);
  return m <= 0 ? 1 : (2 * p ** m) / (1 + p);
}

/** The variance of discrete Laplace with this scale: 2p / (1 − p)²; 0 without noise. */
export function variance(scale: number): number {
  if (!(scale > 0)) return 0;
  const p = Math.exp(-1 / scale);
  return (2 * p) / (1 - p) ** 2;
}

/**
 * The fourth cumulant of discrete Laplace with this scale, 2p(1 + 4p + p²) / (1 − p)⁴: how much
 * heavier than a normal's its tails are (3 variance² in the continuous limit). Cumulants of
 * independent draws add, so a sum's tails can be told from its parts'.
 */
export function fourthCumulant(scale: number): number {
  if (!(scale > 0)) return 0;
  const p = Math.exp(-1 / scale);
  return (2 * p * (1 + 4 * p + p * p)) / (1 - p) ** 4;
}

/** The least m with P(|X| ≥ m) ≤ 5 %: the ± margin shown beside a figure of one draw. */
export function margin95(scale: number): number {
  if (!(scale > 0)) return 0;
  const p = Math.exp(-1 / scale);
  return Math.max(0, Math.ceil(Math.log((0.05 * (1 + p)) / 2) / Math.log(p)));
}
