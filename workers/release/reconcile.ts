import { REPORT_LIST, type ReportName } from '../../schema/reports.js';
import type { ReleasedRow, ReportRelease } from './generalise.js';

/**
 * Keeps the overview consistent with the reports that split it. If a report had to suppress a
 * whole scope (say, the few shoppers who searched this hour), the overview's matching measure would
 * otherwise still contain them, and "overview searches minus the sum of published search rows"
 * would count fewer than K visitors. So each overview measure is capped at what the splitting
 * reports publish; when nothing was suppressed the two are equal and nothing changes.
 */
export function reconcileOverview(
  overview: ReleasedRow | undefined,
  reports: ReadonlyMap<ReportName, ReportRelease>,
): ReleasedRow | undefined {
  if (!overview) return undefined;
  const measures = { ...overview.measures };
  for (const spec of REPORT_LIST) {
    if (!spec.splits) continue;
    const release = reports.get(spec.name);
    for (const [overviewMeasure, reportMeasure] of Object.entries(spec.splits)) {
      const published = (release?.rows ?? []).reduce(
        (sum, row) => sum + (row.measures[reportMeasure] ?? 0),
        0,
      );
      measures[overviewMeasure] = Math.min(measures[overviewMeasure] ?? 0, published);
    }
  }
  return { ...overview, measures };
}
