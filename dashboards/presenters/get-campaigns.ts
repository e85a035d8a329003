import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { REPORTS } from '../../schema/reports.js';
import { sumReport } from '../query/daily-rows.js';
import type { Filters } from '../query/filters.js';
import { campaignLabel, isNoCampaign, isOther, named } from './labels.js';
import { changeMargin, marginCells, ratioMargin, sumMarginCells } from './margins.js';
import { type Column, change, orNull, rate, type Table, type TableRow, visitorsColumn } from './table.js';

const LABELS: Record<string, string> = {
  entries: 'Visits',
  add_to_carts: 'Add to cart',
  orders: 'Orders',
  purchases: 'Purchases',
  revenue_cents: 'Revenue',
};

/**
 * Campaigns (utm_source / utm_medium / utm_campaign) by visits, and a last row for the visits,
 * carts and orders that no campaign brought (the report splits the overview whole: linked reports). The measures come from the report
 * catalogue, so measures added to the campaigns report later (add-to-carts, purchases) appear as
 * columns without a change here. With a campaign filter, only that utm_campaign's rows.
 */
export async function getCampaigns(warehouse: Warehouse, filters: Filters): Promise<Table> {
  const measures = REPORTS.campaigns.measures.map((measure) => measure.name);
  const scoped = filters.campaign
    ? { where: 'utm_campaign = {campaign:String}', params: { campaign: filters.campaign } }
    : {};
  const rows = await sumReport(warehouse, 'campaigns', filters, scoped);
  const key = (row: (typeof rows)[number]) =>
    JSON.stringify([row.level, row.dims.utm_source, row.dims.utm_medium, row.dims.utm_campaign]);
  const previous = new Map(rows.filter((row) => row.period === 'previous').map((row) => [key(row), row]));
  const current = rows.filter((row) => row.period === 'current');
  const noCampaign = (row: (typeof rows)[number]) =>
    isNoCampaign(row.dims.utm_source ?? '', row.dims.utm_medium ?? '', row.dims.utm_campaign ?? '');
  // Campaigns first, by visits; the visits no campaign brought last, for scale.
  current.sort(
    (a, b) =>
      Number(noCampaign(a)) - Number(noCampaign(b)) || (b.measures.entries ?? 0) - (a.measures.entries ?? 0),
  );
  const columns: Column[] = [
    { key: 'campaign', label: 'Campaign', kind: 'text' },
    { key: 'source', label: 'Source', kind: 'text' },
    { key: 'medium', label: 'Medium', kind: 'text' },
    ...measures.map(
      (name): Column => ({
        key: name,
        label: LABELS[name] ?? name.replace(/_/g, ' '),
        kind: name.endsWith('_cents') ? 'money' : 'count',
      }),
    ),
    ...(measures.includes('orders')
      ? [{ key: 'conversion', label: 'Conversion', kind: 'rate', hint: 'Orders ÷ visits' } satisfies Column]
      : []),
    { key: 'entries_change', label: 'vs previous', kind: 'change' },
    visitorsColumn(),
  ];
  return {
    columns,
    rows: current.map((row): TableRow => {
      const out: TableRow = {
        level: row.level,
        campaign: campaignLabel(
          row.dims.utm_source ?? '',
          row.dims.utm_medium ?? '',
          row.dims.utm_campaign ?? '',
        ),
        source:
          isOther(row.dims.utm_source) || noCampaign(row) ? '' : named(row.dims.utm_source ?? '', 'Not set'),
        medium:
          isOther(row.dims.utm_medium) || noCampaign(row) ? '' : named(row.dims.utm_medium ?? '', 'Not set'),
        utm_campaign: row.level === 0 && !noCampaign(row) ? (row.dims.utm_campaign ?? null) : null,
        entries_change: filters.previous
          ? change(row.measures.entries, orNull(previous.get(key(row))?.measures.entries))
          : null,
        visitors: row.visitors,
      };
      for (const name of measures) out[name] = row.measures[name] ?? 0;
      if (measures.includes('orders')) out.conversion = rate(row.measures.orders, row.measures.entries);
      // Noise mode: each figure's margin beside it.
      const before = previous.get(key(row));
      Object.assign(
        out,
        sumMarginCells(row.spread, {
          ...Object.fromEntries(measures.map((name) => [name, name])),
          visitors: 'visitors',
        }),
        marginCells({
          conversion: measures.includes('orders')
            ? ratioMargin(row.measures.orders, row.spread?.orders, row.measures.entries, row.spread?.entries)
            : undefined,
          entries_change:
            out.entries_change === null
              ? undefined
              : changeMargin(
                  row.measures.entries,
                  row.spread?.entries,
                  before?.measures.entries,
                  before?.spread?.entries,
                ),
        }),
      );
      return out;
    }),
  };
}
