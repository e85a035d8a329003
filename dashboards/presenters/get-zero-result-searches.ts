import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { Filters } from '../query/filters.js';
import { getSearchTerms } from './get-search-terms.js';
import type { Table } from './table.js';

/** Searches that found nothing, most frequent first: demand the shop does not stock. */
export function getZeroResultSearches(warehouse: Warehouse, filters: Filters): Promise<Table> {
  return getSearchTerms(warehouse, filters, { zeroResultsOnly: true });
}
