import type { TableRow } from './table.js';

/**
 * How much of a breakdown's main measure is in named rows (level 0: a product, a search term, a
 * device) and how much in generalised "Other" rows, groups too small to name. Computed from the
 * published rows the table shows, so it stands for K visitors or more like every figure in it.
 */
export interface NamedShare {
  /** The table column (or report measure) the share is of. */
  measure: string;
  /** The measure in words, plural: "orders", "product views". */
  label: string;
  /** Named ÷ all, or null when the table has none of the measure. */
  share: number | null;
  text: string | null;
}

export interface NamedSpec {
  measure: string;
  label: string;
}

/**
 * The share of `spec.measure` in rows of level 0, over `rows` (all rows of the breakdown, as the
 * table shows them: a device row holds its generalised browsers, so it names a device).
 */
export function namedShare<T extends Pick<TableRow, 'level'>>(
  rows: readonly T[],
  spec: NamedSpec,
  value: (row: T) => number = (row) => Number((row as Record<string, unknown>)[spec.measure] ?? 0),
): NamedShare {
  let named = 0;
  let all = 0;
  for (const row of rows) {
    const amount = value(row);
    all += amount;
    if (row.level === 0) named += amount;
  }
  const share = all > 0 ? named / all : null;
  return { ...spec, share, text: share === null ? null : describeNamed(share, spec.label) };
}

/**
 * "94% of orders are in named rows; 6% in groups too small to name." Never rounds a remainder
 * away: 0.4 % in "Other" reads 1 %, and 100 % is said only when nothing is generalised.
 */
export function describeNamed(share: number, label: string): string {
  if (share >= 1) return `All ${label} are in named rows.`;
  if (share <= 0) return `All ${label} are in groups too small to name.`;
  const other = Math.min(99, Math.max(1, Math.round((1 - share) * 100)));
  return `${100 - other}% of ${label} are in named rows; ${other}% in groups too small to name.`;
}
