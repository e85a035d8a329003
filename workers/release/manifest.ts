import type { ReportName, ReportSpec } from '../../schema/reports.js';
import type { Grain } from '../../schema/tables.js';
import type { ReportRelease } from './generalise.js';

/**
 * The manifest rows of one released period (pub_releases), one per report: written last, once the
 * rest has landed, it marks the period as released. It counts only what stands for K visitors or
 * more: the rows published, and the groups folded into them. Groups withheld outright never appear
 * in it, not even as a count (they had fewer than K visitors); a period withheld whole (its
 * overview withheld: fewer than K visitors) says so and nothing more.
 */
export function manifestRows(options: {
  site: string;
  grain: Grain;
  periodStart: string;
  periodSeconds: number;
  k: number;
  releasedAt: string;
  reports: readonly ReportSpec[];
  releases: ReadonlyMap<ReportName, ReportRelease>;
  /** Noise mode's windows: nothing is published, and not because of K. */
  nothingByDesign?: boolean;
  /** Noise mode: the ε each report's figures spent, and each figure's noise scale. */
  noise?: { epsilon: number; scales: (spec: ReportSpec) => Record<string, number> };
}): object[] {
  // In noise mode a window publishes nothing by design: that is not a window withheld.
  const withheld = !options.nothingByDesign && (options.releases.get('overview')?.rows.length ?? 0) === 0;
  return options.reports.map((spec) => {
    const release = options.releases.get(spec.name)!;
    return {
      site: options.site,
      grain: options.grain,
      period_start: options.periodStart,
      period_seconds: options.periodSeconds,
      report: spec.name,
      k: options.k,
      withheld: withheld ? 1 : 0,
      epsilon: options.noise?.epsilon ?? 0,
      noise: options.noise?.scales(spec) ?? {},
      rows_published: release.rows.length,
      rows_generalised: release.generalised,
      groups_generalised: release.cellsHidden - release.cellsSuppressed,
      released_at: options.releasedAt,
    };
  });
}
