import {
  EVENT_KINDS_REPORT,
  type EventKind,
  REPORT_LIST,
  type ReportSpec,
  WINDOW_REPORTS,
} from '../../schema/reports.js';
import { type CellExclusions, exclusionKey } from './staged-cells.js';

/**
 * Days and windows (invariant 3, differencing across grains). The windows of a day published its
 * site totals hour by hour; the day publishes them again, over the whole day's cells. "Day minus
 * its windows" is, for each figure, what the windows withheld: windows of fewer than K visitors
 * (withheld whole) and, in the others, the kinds of event fewer than K visitors made there (an
 * hour's two purchases). The day may publish that remainder only if it stands for K visitors or
 * more: the union of those who made that kind of event in those windows. Otherwise the day leaves
 * it out too, from every report, so that the day's figures still agree with each other
 * (link-reports.ts) and the difference stays zero. docs/privacy.md, "Days and windows".
 */

/** A set of visitors: its size, and its tokens when it has fewer than the window's K. */
export interface CountedSet {
  count: number;
  tokens: readonly string[];
}

/** What the day release needs to know of one released window of the day. */
export interface WindowTotals {
  start: number;
  /** The K the window was released with. */
  k: number;
  /** The window's distinct visitors. */
  visitors: CountedSet;
  /** Each kind's makers in the window (kinds nobody made are absent). */
  kinds: ReadonlyMap<string, CountedSet>;
}

export interface DayExclusions {
  /** Windows withheld whole whose visitors, together, are fewer than K: left out of the day. */
  windows: number[];
  /** Kinds left out of some windows: fewer than K visitors made them in the windows that withheld them. */
  hidden: { kind: EventKind; windows: number[] }[];
}

/** Kinds of event whose figures the windows publish (the overview's measures). */
export const WINDOW_KINDS: readonly EventKind[] = [
  ...new Set(WINDOW_REPORTS.flatMap((spec) => spec.measures.flatMap((measure) => measure.counts ?? []))),
];

/** How many distinct visitors the sets hold together; each set is read (below its window's K). */
function unionSize(sets: readonly CountedSet[]): number {
  const tokens = new Set<string>();
  for (const set of sets) for (const token of set.tokens) tokens.add(token);
  return tokens.size;
}

const isSmall = (set: CountedSet, k: number) => set.count > 0 && set.count < k;

export function dayExclusions(windows: readonly WindowTotals[], k: number): DayExclusions {
  const withheldWhole = windows.filter((window) => window.visitors.count < window.k);
  const leftOut = unionSize(withheldWhole.map((window) => window.visitors)) < k;
  const included = leftOut ? windows.filter((window) => !withheldWhole.includes(window)) : windows;
  const hidden: DayExclusions['hidden'] = [];
  for (const kind of WINDOW_KINDS) {
    // The windows that did not publish this kind's figures, and the makers it had there. Every
    // such set is below its window's K, so its tokens were read.
    const withheld = included.filter((window) => {
      const makers = window.kinds.get(kind);
      return makers !== undefined && (withheldWhole.includes(window) || isSmall(makers, window.k));
    });
    const makers = withheld.map((window) => window.kinds.get(kind)!);
    const size = unionSize(makers);
    if (size > 0 && size < k) hidden.push({ kind, windows: withheld.map((window) => window.start) });
  }
  return { windows: leftOut ? withheldWhole.map((window) => window.start) : [], hidden };
}

/** Reports whose cells hold every event of their visitors, so a cell stays whatever its measures. */
const countsEveryVisitor = (spec: ReportSpec) => spec.name === 'overview' || spec.splitsVisitors === true;

/**
 * The day's exclusions as the staged-cells reader takes them: in the windows where a kind is
 * hidden, every measure that counts it is left out, the event-kinds cell of that kind and the
 * funnels' cells of its step are dropped, and a report's cell whose every measure is left out is
 * dropped (its visitors are in it only for those events), except in the reports that count every
 * visitor (overview, devices, countries), whose cells hold all of a visitor's events.
 */
export function toCellExclusions(exclusions: DayExclusions): CellExclusions {
  const zero: string[] = [];
  const drop: string[] = [];
  for (const { kind, windows } of exclusions.hidden) {
    for (const window of windows) {
      drop.push(exclusionKey(EVENT_KINDS_REPORT, window, kind));
      for (const spec of REPORT_LIST) {
        for (const [d1, cellKind] of Object.entries(spec.kindByD1 ?? {}))
          if (cellKind === kind) drop.push(exclusionKey(spec.name, window, d1));
        for (const measure of spec.measures)
          if (measure.counts === kind) zero.push(exclusionKey(spec.name, window, measure.name));
      }
    }
  }
  return {
    windows: exclusions.windows,
    zero,
    drop,
    keepEmpty: REPORT_LIST.filter(countsEveryVisitor).map((spec) => spec.name),
  };
}
