/**
 * The shape every dashboard table is served in, as JSON and as CSV: columns that say how to show
 * each value, and rows keyed by column. `level` > 0 marks a generalised group ("Other products in
 * tea"), which the UI shows in italics and never lets a person drill into.
 */
export type ColumnKind = 'text' | 'count' | 'visitors' | 'rate' | 'money' | 'change';

export interface Column {
  key: string;
  label: string;
  kind: ColumnKind;
  hint?: string;
}

export type Cell = string | number | null;
export type TableRow = Record<string, Cell> & { level: number };

export interface Table {
  columns: Column[];
  rows: TableRow[];
}

export const VISITORS_HINT =
  "Visitor-days: each day's distinct visitors, added up over the range. Days still open add up their release windows.";

export const visitorsColumn = (label = 'Visitors'): Column => ({
  key: 'visitors',
  label,
  kind: 'visitors',
  hint: VISITORS_HINT,
});

/** a ÷ b, or null when b is zero (no published figure to divide by). */
export function rate(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || b <= 0) return null;
  return a / b;
}

/** Relative change from `previous` to `current`, or null when there is nothing to compare. */
export function change(
  current: number | null | undefined,
  previous: number | null | undefined,
): number | null {
  if (current == null || previous == null || previous <= 0) return null;
  return (current - previous) / previous;
}

/** A count that may be absent: published sums are never 0 visitors, so 0 means "no rows". */
export const orNull = (value: number | undefined) => (value === undefined || value === 0 ? null : value);

export function sortBy<T>(
  rows: T[],
  key: (row: T) => number | null,
  direction: 'asc' | 'desc' = 'desc',
): T[] {
  return rows.sort((a, b) => {
    const x = key(a) ?? Number.NEGATIVE_INFINITY;
    const y = key(b) ?? Number.NEGATIVE_INFINITY;
    return direction === 'desc' ? y - x : x - y;
  });
}
