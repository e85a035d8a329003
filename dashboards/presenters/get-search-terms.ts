import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { sumReport } from '../query/daily-rows.js';
import type { Filters } from '../query/filters.js';
import { isOther, searchLabel } from './labels.js';
import { changeMargin, marginCells, ratioMargin, sumMarginCells } from './margins.js';
import { type NamedShare, type NamedSpec, namedShare } from './named-share.js';
import { change, orNull, rate, sortBy, type Table, visitorsColumn } from './table.js';

export const SEARCHES: NamedSpec = { measure: 'searches', label: 'searches' };
const ZERO_RESULTS: NamedSpec = { measure: 'zero_results', label: 'searches that found nothing' };

/**
 * Search terms by searches, with how often each found nothing. The list of searches that found
 * nothing keeps named terms only; its share in named rows is taken over every row of the report.
 */
export async function getSearchTerms(
  warehouse: Warehouse,
  filters: Filters,
  options: { zeroResultsOnly?: boolean } = {},
): Promise<Table & { named?: NamedShare }> {
  const rows = await sumReport(warehouse, 'searches', filters);
  const previous = new Map(
    rows.filter((row) => row.period === 'previous').map((row) => [`${row.level}:${row.dims.query}`, row]),
  );
  const all = rows.filter((row) => row.period === 'current');
  const current = all.filter(
    (row) => !options.zeroResultsOnly || ((row.measures.zero_results ?? 0) > 0 && !isOther(row.dims.query)),
  );
  const sortKey = options.zeroResultsOnly ? 'zero_results' : 'searches';
  return {
    ...(options.zeroResultsOnly
      ? { named: namedShare(all, ZERO_RESULTS, (row) => row.measures.zero_results ?? 0) }
      : {}),
    columns: [
      { key: 'term', label: 'Search term', kind: 'text' },
      { key: 'searches', label: 'Searches', kind: 'count' },
      { key: 'searches_change', label: 'vs previous', kind: 'change' },
      { key: 'zero_results', label: 'Found nothing', kind: 'count' },
      { key: 'zero_rate', label: 'Share found nothing', kind: 'rate' },
      visitorsColumn(),
    ],
    rows: sortBy(current, (row) => row.measures[sortKey] ?? 0).map((row) => ({
      level: row.level,
      term: searchLabel(row.dims.query ?? ''),
      searches: row.measures.searches ?? 0,
      searches_change: filters.previous
        ? change(
            row.measures.searches,
            orNull(previous.get(`${row.level}:${row.dims.query}`)?.measures.searches),
          )
        : null,
      zero_results: row.measures.zero_results ?? 0,
      zero_rate: rate(row.measures.zero_results, row.measures.searches),
      visitors: row.visitors,
      ...sumMarginCells(row.spread, {
        searches: 'searches',
        zero_results: 'zero_results',
        visitors: 'visitors',
      }),
      ...marginCells({
        searches_change: filters.previous
          ? changeMargin(
              row.measures.searches,
              row.spread?.searches,
              orNull(previous.get(`${row.level}:${row.dims.query}`)?.measures.searches),
              previous.get(`${row.level}:${row.dims.query}`)?.spread?.searches,
            )
          : undefined,
        // Found nothing and searches are two figures, each with its own draw.
        zero_rate: ratioMargin(
          row.measures.zero_results,
          row.spread?.zero_results,
          row.measures.searches,
          row.spread?.searches,
        ),
      }),
    })),
  };
}
