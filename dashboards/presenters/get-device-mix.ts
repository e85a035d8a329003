import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { OTHER } from '../../schema/reports.js';
import { sumReport } from '../query/daily-rows.js';
import type { Filters } from '../query/filters.js';
import { addSpreads, type Spreads } from '../query/noise-spread.js';
import { deviceLabel, isOther } from './labels.js';
import { marginCells, shareMargin, sumMarginCells, totalSpread } from './margins.js';
import { rate, sortBy, type Table, visitorsColumn } from './table.js';

/**
 * Page views by device class (the sum of each device's published rows), or, with a device filter,
 * that device's browsers and operating systems. Site-wide: the devices report is not split by page.
 */
export async function getDeviceMix(warehouse: Warehouse, filters: Filters): Promise<Table> {
  if (filters.device) {
    const rows = (
      await sumReport(warehouse, 'devices', filters, {
        where: 'device = {device:String}',
        params: { device: filters.device },
      })
    ).filter((row) => row.period === 'current');
    const total = rows.reduce((sum, row) => sum + (row.measures.pageviews ?? 0), 0);
    const spreadOfTotal = totalSpread(rows, 'pageviews');
    return {
      columns: [
        { key: 'browser', label: `Browser on ${filters.device}`, kind: 'text' },
        { key: 'os', label: 'Operating system', kind: 'text' },
        { key: 'pageviews', label: 'Pageviews', kind: 'count' },
        { key: 'share', label: 'Share', kind: 'rate' },
        visitorsColumn(),
      ],
      rows: sortBy(rows, (row) => row.measures.pageviews ?? 0).map((row) => ({
        level: row.level,
        device: deviceLabel(row.dims.device ?? ''),
        browser: isOther(row.dims.browser) ? 'Other browsers' : (row.dims.browser ?? ''),
        os: isOther(row.dims.os) ? 'Other systems' : (row.dims.os ?? ''),
        pageviews: row.measures.pageviews ?? 0,
        share: rate(row.measures.pageviews, total),
        visitors: row.visitors,
        ...sumMarginCells(row.spread, { pageviews: 'pageviews', visitors: 'visitors' }),
        ...marginCells({
          share: shareMargin(row.measures.pageviews, row.spread?.pageviews, total, spreadOfTotal),
        }),
      })),
    };
  }
  const byDevice = new Map<string, { pageviews: number; visitors: number; spread?: Spreads }>();
  for (const row of await sumReport(warehouse, 'devices', filters, { dims: ['device'] })) {
    if (row.period !== 'current') continue;
    const device = row.dims.device ?? '';
    const sums = byDevice.get(device) ?? { pageviews: 0, visitors: 0 };
    sums.pageviews += row.measures.pageviews ?? 0;
    sums.visitors += row.visitors;
    sums.spread = addSpreads(sums.spread, row.spread);
    byDevice.set(device, sums);
  }
  const total = [...byDevice.values()].reduce((sum, row) => sum + row.pageviews, 0);
  const spreadOfTotal = totalSpread([...byDevice.values()], 'pageviews');
  return {
    columns: [
      { key: 'device', label: 'Device', kind: 'text' },
      { key: 'pageviews', label: 'Pageviews', kind: 'count' },
      { key: 'share', label: 'Share', kind: 'rate' },
      visitorsColumn(),
    ],
    rows: sortBy([...byDevice.entries()], ([, sums]) => sums.pageviews).map(([device, sums]) => ({
      level: device === OTHER ? 3 : 0,
      device: deviceLabel(device),
      device_class: device === OTHER ? null : device,
      pageviews: sums.pageviews,
      share: rate(sums.pageviews, total),
      visitors: sums.visitors,
      ...sumMarginCells(sums.spread, { pageviews: 'pageviews', visitors: 'visitors' }),
      ...marginCells({ share: shareMargin(sums.pageviews, sums.spread?.pageviews, total, spreadOfTotal) }),
    })),
  };
}
