import {
  EVENT_KINDS_REPORT,
  type EventKind,
  REPORT_LIST,
  type ReportSpec,
  WINDOW_REPORTS,
} from '../../schema/reports.js';
import { type Threshold, thresholdOf } from './generalise.js';
import { type CellExclusions, exclusionKey } from './staged-cells.js';

/**
 * Days and windows (invariant 3, differencing across grains). The windows of a day published its
 * site totals hour by hour; the day publishes them again, over the whole day's cells. "Day minus
 * its windows" is, for each figure, what the windows withheld: windows of fewer than K visitors
 * (withheld whole) and, in the others, the kinds of event fewer than K visitors made there (an
 * hour's two purchases). The day may publish that remainder only if it stands for K visitors or
 * more (from KANON_MIN_NETWORKS networks or more): the union of those who made that kind of event
 * in those windows. Otherwise the day leaves it out too, from every report, so that the day's
 * figures still agree with each other (link-reports.ts) and the difference stays zero.
 * What a window withheld is read off what it published (release-day.ts), not worked out again,
 * so a change of K or of the networks threshold between a window and its day changes nothing.
 * docs/privacy.md, "Days and windows".
 */

/** A set of visitors, all of whose tokens (and their network codes) were read. */
export interface TokenSet {
  visitors: readonly string[];
  networks: readonly string[];
}

/** What the day release needs to know of one staged window of the day. */
export interface WindowTotals {
  start: number;
  /** Whether the window's site totals were published (else it was withheld whole). */
  published: boolean;
  /** The window's visitors: read when it was withheld whole. */
  visitors: TokenSet;
  /** The makers of each kind of event its totals withheld (or, withheld whole, of every kind). */
  withheldKinds: ReadonlyMap<string, TokenSet>;
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

/** Whether the sets, together, reach the threshold. */
function reachTogether(sets: readonly TokenSet[], threshold: Threshold): boolean {
  const { k, networks } = thresholdOf(threshold);
  const visitors = new Set(sets.flatMap((set) => set.visitors));
  const nets = new Set(sets.flatMap((set) => set.networks));
  return visitors.size >= k && nets.size >= networks;
}

export function dayExclusions(windows: readonly WindowTotals[], threshold: Threshold): DayExclusions {
  const withheldWhole = windows.filter((window) => !window.published);
  const leftOut =
    withheldWhole.length > 0 &&
    !reachTogether(
      withheldWhole.map((w) => w.visitors),
      threshold,
    );
  const included = leftOut ? windows.filter((window) => window.published) : windows;
  const hidden: DayExclusions['hidden'] = [];
  for (const kind of WINDOW_KINDS) {
    const withheld = included.filter((window) => window.withheldKinds.has(kind));
    if (withheld.length === 0) continue;
    if (
      !reachTogether(
        withheld.map((window) => window.withheldKinds.get(kind)!),
        threshold,
      )
    )
      hidden.push({ kind, windows: withheld.map((window) => window.start) });
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
