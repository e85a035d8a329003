import type { EventType } from '../../schema/event.js';
import {
  EVENT_HOME,
  type EventKind,
  REPORT_LIST,
  REPORTS,
  type ReportName,
  type ReportSpec,
  type Split,
} from '../../schema/reports.js';
import {
  type ReleasedRow,
  type ReportRelease,
  reaches,
  releaseReport,
  type StagedCell,
  type Threshold,
} from './generalise.js';

/**
 * The reports of one release scope (a window) are linked tables: the overview's figures are split
 * by several reports at once (orders by campaign and by device, pageviews by page, device and
 * country, ...). Each report on its own is safe (generalise.ts: its published rows add up to its
 * whole, or a scope of fewer than K visitors is withheld), but two reports that withhold different
 * things would let "one figure minus another" isolate fewer than K visitors. The rule kept here,
 * for every overview figure and every report that splits it: the figure equals the sum of the
 * report's published rows (docs/privacy.md, "Linked reports"; test/invariants/3-linked-reports).
 *
 * 1. A kind of event (a purchase, a search, an entry, ...) that fewer than K distinct visitors (or
 *    fewer than KANON_MIN_NETWORKS networks) made in the scope is withheld in every report: each measure that counts it reads 0. Every report
 *    that splits such a measure holds all its events in scopes whose visitors are those who made
 *    them (or more), so a report withholds a measure's events exactly when the measure is withheld.
 * 2. The overview's `events` is the sum of each kind's published figure (EVENT_HOME).
 * 3. As a safety net, each overview figure is capped at what each report that splits it publishes.
 *    With 1 and 2 the cap changes nothing; a cap that does is counted and logged as a defect.
 */

export interface LinkedRelease {
  releases: Map<ReportName, ReportRelease>;
  /** Kinds of event withheld in this scope (fewer than K visitors made them). */
  withheld: ReadonlySet<EventKind>;
  /** Overview figures the safety net had to lower: 0 unless a report broke rule 1. */
  capped: number;
}

/**
 * Kinds that at least K distinct visitors (from enough networks) made: one staged cell each, so
 * its counts are exact.
 */
export function kindsReachingK(kindCells: readonly StagedCell[], threshold: Threshold): Set<string> {
  return new Set(kindCells.filter((cell) => reaches(cell, threshold)).map((cell) => cell.dims[0] ?? ''));
}

function withholdKinds(
  spec: ReportSpec,
  release: ReportRelease,
  reaching: ReadonlySet<string>,
): ReportRelease {
  const withheld = spec.measures.filter((measure) => measure.counts && !reaching.has(measure.counts));
  if (withheld.length === 0) return release;
  const rows = release.rows.map((row) => {
    const measures = { ...row.measures };
    for (const measure of withheld) measures[measure.name] = 0;
    return { ...row, measures };
  });
  return { ...release, rows };
}

/** The sum of a report's published rows for one split of an overview measure. */
export function publishedSum(
  spec: ReportSpec,
  rows: readonly Pick<ReleasedRow, 'dims' | 'measures'>[],
  split: Split,
): number {
  const { measure, where } = typeof split === 'string' ? { measure: split, where: {} } : split;
  const conditions = Object.entries(where).map(([dim, value]) => {
    const index = spec.dims.findIndex((d) => d.name === dim);
    return (row: Pick<ReleasedRow, 'dims'>) => row.dims[index] === value;
  });
  return rows
    .filter((row) => conditions.every((matches) => matches(row)))
    .reduce((sum, row) => sum + (row.measures[measure] ?? 0), 0);
}

function capOverview(
  overview: ReleasedRow,
  releases: ReadonlyMap<ReportName, ReportRelease>,
): { row: ReleasedRow; capped: number } {
  const measures = { ...overview.measures };
  let capped = 0;
  for (const spec of REPORT_LIST.filter((report) => releases.has(report.name))) {
    for (const [name, split] of Object.entries(spec.splits ?? {})) {
      const published = publishedSum(spec, releases.get(spec.name)?.rows ?? [], split);
      if ((measures[name] ?? 0) > published) {
        measures[name] = published;
        capped += 1;
      }
    }
  }
  return { row: { ...overview, measures }, capped };
}

function composeEvents(overview: ReleasedRow, releases: ReadonlyMap<ReportName, ReportRelease>): ReleasedRow {
  let events = 0;
  for (const home of Object.values(EVENT_HOME) as (typeof EVENT_HOME)[EventType][]) {
    // A kind whose home report this grain does not release counts as 0 (the window grain).
    const rows = home.report === 'overview' ? [overview] : (releases.get(home.report)?.rows ?? []);
    events += publishedSum(REPORTS[home.report], rows, home.measure);
  }
  return { ...overview, measures: { ...overview.measures, events } };
}

/**
 * Releases the reports of one scope from its staged cells (`kinds`: the staged-only event-kinds
 * cells) and links them: every report for a day, the overview alone for a window. Pure: the same
 * cells and K always give the same rows. Cells whose tokens a first pass did not read are listed
 * in each release's `unread` (generalise.ts).
 */
export function releaseLinkedReports(
  staged: ReadonlyMap<ReportName, readonly StagedCell[]>,
  kinds: readonly StagedCell[],
  threshold: Threshold,
  reports: readonly ReportSpec[] = REPORT_LIST,
): LinkedRelease {
  const reaching = kindsReachingK(kinds, threshold);
  const releases = new Map<ReportName, ReportRelease>();
  for (const spec of reports) {
    releases.set(
      spec.name,
      withholdKinds(spec, releaseReport(spec, staged.get(spec.name) ?? [], threshold), reaching),
    );
  }
  let capped = 0;
  const overview = releases.get('overview');
  if (overview?.rows[0]) {
    const safe = capOverview(overview.rows[0], releases);
    capped = safe.capped;
    releases.set('overview', { ...overview, rows: [composeEvents(safe.row, releases)] });
  }
  const withheld = new Set<EventKind>(
    reports
      .flatMap((spec) => spec.measures.flatMap((measure) => measure.counts ?? []))
      .filter((kind) => !reaching.has(kind)),
  );
  return { releases, withheld, capped };
}
