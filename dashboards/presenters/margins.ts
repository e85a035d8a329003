import { margin95 } from '../../core/discrete-laplace.js';
import { addSpreads, type Spread, type Spreads } from '../query/noise-spread.js';

/**
 * Noise mode: the ± margin (95 %) shown beside a figure made from noisy published values, from
 * their noise alone (docs/dashboards.md, "Noise mode: the ± beside a figure"). The release also
 * floors noisy values at 0 (visitors at K) and fits each report to the overview's totals; that
 * changes the error a little, so a margin is the noise's, approximately. In plain mode figures are
 * exact and carry no margin: every function here answers undefined.
 */

/** The two-sided 95 % point of the standard normal distribution. */
const Z95 = 1.959964;

/**
 * The 95 % margin of noise with this variance and fourth cumulant, by the normal approximation with
 * z widened for the Laplace draws' heavier tails (the Cornish-Fisher term of the noise's kurtosis:
 * z is 1.96 for many draws, about 2.06 for two). Fair once a few draws add up.
 */
function normalMargin(variance: number, cumulant4: number): number {
  const kurtosis = cumulant4 / variance ** 2;
  return (Z95 + ((Z95 ** 3 - 3 * Z95) * kurtosis) / 24) * Math.sqrt(variance);
}

/**
 * A sum of noisy values. One draw: its exact margin (core/discrete-laplace.ts). More: the normal
 * approximation above, never less than the widest single draw's exact margin (a sum is at least as
 * spread as any of its independent symmetric parts). Whole units: counts, and money in minor units.
 */
export function sumMargin(spread: Spread | undefined): number | undefined {
  if (!spread || !(spread.variance > 0)) return undefined;
  if (spread.draws === 1) return margin95(spread.scale);
  return Math.max(Math.ceil(normalMargin(spread.variance, spread.cumulant4)), margin95(spread.scale));
}

/** Rates as fractions: four decimals say more than any display shows. */
const fraction = (value: number) => Math.round(value * 10_000) / 10_000;

const none: Spread = { variance: 0, cumulant4: 0, scale: 0, draws: 0 };

/**
 * A rate a ÷ b of two independently noisy figures (conversion, cart rate, click-through, a
 * change against the previous period), by the delta method: a/b moves by about (δa − (a/b) δb) / b,
 * whose variance and tails the margin is taken from. Good while b is well above its own margin; for
 * a small b the true spread is wider and skewed, so the margin is then an indication, not a bound.
 */
export function ratioMargin(
  a: number | null | undefined,
  spreadA: Spread | undefined,
  b: number | null | undefined,
  spreadB: Spread | undefined,
): number | undefined {
  if (a == null || b == null || !(b > 0)) return undefined;
  const [x, y] = [spreadA ?? none, spreadB ?? none];
  if (!(x.variance + y.variance > 0)) return undefined;
  const r = a / b;
  const variance = (x.variance + r ** 2 * y.variance) / b ** 2;
  const cumulant4 = (x.cumulant4 + r ** 4 * y.cumulant4) / b ** 4;
  return fraction(normalMargin(variance, cumulant4));
}

/**
 * A part's share of a total that includes it (a source's share of visits): the part and the rest
 * are independent, so s = p/t moves by about ((1 − s) δp − s δrest) / t.
 */
export function shareMargin(
  part: number | null | undefined,
  spreadPart: Spread | undefined,
  total: number | null | undefined,
  spreadTotal: Spread | undefined,
): number | undefined {
  if (part == null || total == null || !(total > 0) || !spreadTotal || !(spreadTotal.variance > 0))
    return undefined;
  const p = spreadPart ?? none;
  const s = part / total;
  const restVariance = Math.max(0, spreadTotal.variance - p.variance);
  const restCumulant4 = Math.max(0, spreadTotal.cumulant4 - p.cumulant4);
  const variance = ((1 - s) ** 2 * p.variance + s ** 2 * restVariance) / total ** 2;
  const cumulant4 = ((1 - s) ** 4 * p.cumulant4 + s ** 4 * restCumulant4) / total ** 4;
  if (!(variance > 0)) return undefined;
  return fraction(normalMargin(variance, cumulant4));
}

/**
 * The margins of a table row as cells beside its figures: `views_margin` beside `views`. Figures
 * without noise get none, so a row in plain mode is unchanged.
 */
export function marginCells(margins: Readonly<Record<string, number | undefined>>): Record<string, number> {
  const cells: Record<string, number> = {};
  for (const [key, margin] of Object.entries(margins))
    if (margin !== undefined && Number.isFinite(margin)) cells[`${key}_margin`] = margin;
  return cells;
}

/**
 * The margins of a row's added-up figures as cells: column key → the measure it sums (`visitors`
 * included), `{ views: 'views', revenue: 'item_revenue_cents' }`. None in plain mode.
 */
export function sumMarginCells(
  spread: Spreads | undefined,
  columns: Readonly<Record<string, string>>,
): Record<string, number> {
  if (!spread) return {};
  return marginCells(
    Object.fromEntries(Object.entries(columns).map(([key, measure]) => [key, sumMargin(spread[measure])])),
  );
}

/**
 * The margin of a change from `previous` to `current`, (c − p) ÷ p: the ratio c ÷ p's, since the
 * two differ by a constant. The two periods' figures carry independent draws.
 */
export function changeMargin(
  current: number | null | undefined,
  spreadCurrent: Spread | undefined,
  previous: number | null | undefined,
  spreadPrevious: Spread | undefined,
): number | undefined {
  return ratioMargin(current, spreadCurrent, previous, spreadPrevious);
}

/** The spread of a measure summed over rows (a table's total, for its shares); none in plain mode. */
export function totalSpread(rows: readonly { spread?: Spreads }[], measure: string): Spread | undefined {
  let sum: Spreads | undefined;
  for (const row of rows)
    if (row.spread?.[measure]) sum = addSpreads(sum, { [measure]: row.spread[measure] });
  return sum?.[measure];
}

/** `{ visitors_margin: 9 }` → `{ visitors: 9 }`: margins keyed by figure (a trend point's, a funnel step's). */
export const unsuffixed = (cells: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(cells).map(([key, value]) => [key.replace(/_margin$/, ''), value]));
