import { OTHER, type ReportSpec } from '../../schema/reports.js';

/**
 * The k-anonymous release of one report for one window (invariant 3). Pure: the same cells and K
 * always give the same rows.
 *
 * 1. Ladder. A cell whose group has at least K distinct visitors is published as it is (level 0).
 *    The others move up the report's ladder (product → its category → (other)), where groups are
 *    unions of cells and are published once their union reaches K.
 * 2. Complementary suppression. At the top of the ladder each scope (e.g. one page type for slots,
 *    everything for products) ends with at most one leftover group below K. Dropping it alone would
 *    let anyone recover it as "scope total minus the published rows", so the smallest published
 *    groups of the same scope are folded into it until the leftover reaches K. If even the whole
 *    scope stays below K, nothing of the scope is published.
 *    So within a window the published rows of a scope always add up to the scope's full total, or
 *    the scope is absent: no subtraction of published figures isolates fewer than K visitors.
 */

export interface StagedCell {
  dims: readonly string[];
  measures: Readonly<Record<string, number>>;
  /** Distinct visitor tokens of the cell; empty for a cell whose tokens were not read (see below). */
  visitors: readonly string[];
  /**
   * How many distinct visitors the cell has, when its tokens were not all read (defaults to
   * `visitors.length`). The release reads the tokens of cells below the threshold only: a cell that
   * reaches it is published on its own at level 0 on its counts alone, and only cells below it are
   * ever united (staged-cells.ts explains why this matters at scale).
   */
  visitorCount?: number;
  /** Distinct network codes of the cell (its visitor tokens' top 16 bits), read with its visitors. */
  networks?: readonly string[];
  /** How many distinct networks the cell has, when its tokens were not read. */
  networkCount?: number;
}

/**
 * What a group needs to be published: at least `k` distinct visitors and at least `networks`
 * distinct networks (KANON_MIN_NETWORKS; 0 checks no networks). A bare number is K alone.
 */
export type Threshold = number | { k: number; networks: number };

export function thresholdOf(threshold: Threshold): { k: number; networks: number } {
  const resolved = typeof threshold === 'number' ? { k: threshold, networks: 0 } : threshold;
  if (!Number.isInteger(resolved.k) || resolved.k < 2)
    throw new Error('K must be a whole number of at least 2');
  if (!Number.isInteger(resolved.networks) || resolved.networks < 0)
    throw new Error('the networks threshold must be a whole number of at least 0');
  return resolved;
}

export const visitorCountOf = (cell: StagedCell) => cell.visitorCount ?? cell.visitors.length;
export const networkCountOf = (cell: StagedCell) => cell.networkCount ?? cell.networks?.length ?? 0;
/** Whether all the cell's visitor tokens and network codes are in `visitors` and `networks`. */
export const wasRead = (cell: StagedCell) =>
  cell.visitors.length === visitorCountOf(cell) && (cell.networks?.length ?? 0) === networkCountOf(cell);
/** Whether the cell reaches the threshold on its own. */
export const reaches = (cell: StagedCell, threshold: Threshold) => {
  const { k, networks } = thresholdOf(threshold);
  return visitorCountOf(cell) >= k && networkCountOf(cell) >= networks;
};

export interface ReleasedRow {
  dims: string[];
  /** 0 = exact; n = generalised n steps up the ladder. */
  level: number;
  measures: Record<string, number>;
  visitors: number;
  /** Indexes of the staged cells the row stands for (staging tier only, never published). */
  cells: number[];
}

export interface ReportRelease {
  rows: ReleasedRow[];
  /** Published rows that stand for a generalised group (level > 0). */
  generalised: number;
  /** Staged cells whose detail is not published on its own row (generalised or suppressed). */
  cellsHidden: number;
  /** Staged cells not published in any row at all. */
  cellsSuppressed: number;
  /**
   * Cells whose tokens were not read but are needed for an exact count: a cell of K or more that
   * complementary suppression folded into a small group. Empty when every count is exact; else
   * read these cells' tokens and release again.
   */
  unread: number[];
}

interface Group {
  /** Level and dimensions: unique among the groups of one release. */
  key: string;
  /** The group's key at the top level: groups of one scope add up to the scope's total. */
  scope: string;
  dims: string[];
  level: number;
  cells: number[];
  /** Distinct visitors: exact when every cell was read, or when the group is one cell. */
  size: number;
  /** Distinct networks, the same way. */
  networks: number;
}

export function dimsAtLevel(spec: ReportSpec, dims: readonly string[], level: number): string[] {
  const kept = spec.ladder[level] ?? [];
  return spec.dims.map((dim, index) => (kept.includes(dim.name) ? (dims[index] ?? '') : OTHER));
}

/**
 * The sizes of the union of the cells' visitor sets and of their network sets. A cell whose tokens
 * were not read adds its counts: exact when it is the only cell, an upper bound otherwise (then
 * `releaseReport` lists it as unread, and its caller reads its tokens and releases again).
 */
function union(cells: readonly number[], staged: readonly StagedCell[]): { size: number; networks: number } {
  const visitors = new Set<string>();
  const networks = new Set<string>();
  let unreadVisitors = 0;
  let unreadNetworks = 0;
  for (const index of cells) {
    const cell = staged[index]!;
    if (wasRead(cell)) {
      for (const token of cell.visitors) visitors.add(token);
      for (const token of cell.networks ?? []) networks.add(token);
    } else {
      unreadVisitors += visitorCountOf(cell);
      unreadNetworks += networkCountOf(cell);
    }
  }
  return { size: visitors.size + unreadVisitors, networks: networks.size + unreadNetworks };
}

const compareKeys = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function toRow(group: Group, staged: readonly StagedCell[]): ReleasedRow {
  const measures: Record<string, number> = {};
  for (const index of group.cells) {
    for (const [name, value] of Object.entries(staged[index]!.measures))
      measures[name] = (measures[name] ?? 0) + value;
  }
  return {
    dims: group.dims,
    level: group.level,
    measures,
    visitors: group.size,
    cells: [...group.cells].sort((a, b) => a - b),
  };
}

export function releaseReport(
  spec: ReportSpec,
  staged: readonly StagedCell[],
  threshold: Threshold,
): ReportRelease {
  const { k, networks: minNetworks } = thresholdOf(threshold);
  const passes = (group: { size: number; networks: number }) =>
    group.size >= k && group.networks >= minNetworks;
  const top = spec.ladder.length - 1;
  const released: Group[] = [];
  let remaining = staged.map((_, index) => index);
  const leftovers = new Map<string, Group>();

  for (let level = 0; level <= top && remaining.length > 0; level += 1) {
    const buckets = new Map<string, Group>();
    for (const index of remaining) {
      const dims = dimsAtLevel(spec, staged[index]!.dims, level);
      const key = JSON.stringify([level, ...dims]);
      let bucket = buckets.get(key);
      if (!bucket) {
        const scope = JSON.stringify(dimsAtLevel(spec, staged[index]!.dims, top));
        bucket = { key, scope, dims, level, cells: [], size: 0, networks: 0 };
        buckets.set(key, bucket);
      }
      bucket.cells.push(index);
    }
    const next: number[] = [];
    for (const bucket of [...buckets.values()].sort(compareKeys)) {
      Object.assign(bucket, union(bucket.cells, staged));
      if (passes(bucket)) released.push(bucket);
      else if (level === top) leftovers.set(bucket.key, bucket);
      else next.push(...bucket.cells);
    }
    remaining = next;
  }

  // Complementary suppression, scope by scope (a scope is a key at the top level).
  const suppressed = new Set<number>();
  for (const leftover of [...leftovers.values()].sort(compareKeys)) {
    const candidates = released
      .filter((group) => group.scope === leftover.scope)
      .sort((a, b) => a.size - b.size || b.level - a.level || compareKeys(a, b));
    for (const candidate of candidates) {
      if (passes(leftover)) break;
      released.splice(released.indexOf(candidate), 1);
      leftover.cells.push(...candidate.cells);
      Object.assign(leftover, union(leftover.cells, staged));
    }
    if (passes(leftover)) released.push(leftover);
    else for (const index of leftover.cells) suppressed.add(index);
  }
  // Cells below the threshold are always read, so only a group with more than one cell that holds
  // a cell reaching it (a level-0 row folded into a leftover) can have an inexact count.
  const unread = released
    .filter((group) => group.cells.length > 1)
    .flatMap((group) => group.cells.filter((index) => !wasRead(staged[index]!)));

  const rows = released.sort(compareKeys).map((group) => toRow(group, staged));
  const exact = rows.filter((row) => row.level === 0).length;
  return {
    rows,
    generalised: rows.length - exact,
    cellsHidden: staged.length - exact,
    cellsSuppressed: suppressed.size,
    unread: unread.sort((a, b) => a - b),
  };
}
