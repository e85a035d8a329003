import { REPORTS, type ReportName } from '../../schema/reports.js';
import type { ReleasedRow } from './generalise.js';

/** Turns a released row into a row of pub_<report>_by_<grain>, with the catalogue's column names. */
export function toPublishedRow(
  report: ReportName,
  row: Pick<ReleasedRow, 'dims' | 'level' | 'measures' | 'visitors'>,
  period: Record<string, string | number>,
  releasedAt: string,
): Record<string, string | number> {
  const spec = REPORTS[report];
  const out: Record<string, string | number> = { ...period };
  spec.dims.forEach((dim, index) => {
    out[dim.name] = row.dims[index] ?? '';
  });
  out.level = row.level;
  for (const measure of spec.measures) out[measure.name] = row.measures[measure.name] ?? 0;
  out.visitors = row.visitors;
  out.released_at = releasedAt;
  return out;
}
