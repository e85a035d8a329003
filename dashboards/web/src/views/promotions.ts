/// <reference lib="dom" />
import type { View, ViewContext } from '../context.js';
import { formatRate } from '../format.js';
import { activeDimensions } from '../state.js';
import { barChart } from '../ui/chart.js';
import { notSplitNotice, releasedBanner } from '../ui/notices.js';
import { grid, type TableResponse, tableCard } from './common.js';

function renderPromotions(root: HTMLElement, context: ViewContext) {
  const banner = releasedBanner();
  const loaded = (response: TableResponse) => banner.show(response.released, response.comparison);
  root.append(
    notSplitNotice(
      activeDimensions(context.filters).filter((name) => name !== 'campaign'),
      'Promotions and campaigns',
      true,
    ) ?? '',
    banner.element,
  );
  root.append(
    grid(
      'two',
      tableCard(context, {
        title: 'Click-through by slot',
        subtitle: 'Clicks ÷ impressions, all promotions of a slot',
        path: '/api/v1/promotions/slots',
        inlineNotSplit: false,
        id: 'promotion-slots',
        loaded,
        before: (response) =>
          barChart({
            labels: response.table.rows.map((row) => String(row.slot)),
            values: response.table.rows.map((row) => (row.ctr === null ? null : Number(row.ctr))),
            format: (value) => formatRate(value),
            seriesLabel: 'Click-through',
          }),
      }),
      tableCard(context, {
        title: 'Promotions',
        subtitle: 'Seen when at least half of the promotion was visible',
        path: '/api/v1/promotions',
        inlineNotSplit: false,
        id: 'promotions',
        loaded,
        table: { bar: 'impressions', hide: ['visitors'] },
      }),
    ),
    tableCard(context, {
      title: 'Campaigns',
      subtitle: context.filters.campaign
        ? `Only ${context.filters.campaign}`
        : 'Visits started from utm-tagged links (utm_source / utm_medium / utm_campaign)',
      path: '/api/v1/campaigns',
      id: 'campaigns',
      loaded,
      table: { bar: 'entries' },
      filterBy: { dimension: 'campaign', key: 'utm_campaign' },
    }),
  );
}

export const promotionsView: View = {
  path: '/promotions',
  title: 'Promotions and campaigns',
  nav: 'Promotions',
  icon: 'promotions',
  role: 'viewer',
  filters: ['campaign'],
  filtered: true,
  render: renderPromotions,
};
