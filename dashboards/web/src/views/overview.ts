/// <reference lib="dom" />
import { card, fill, type View, type ViewContext } from '../context.js';
import { h, icon, replace } from '../dom.js';
import {
  countryName,
  DASH,
  formatChange,
  formatCompact,
  formatCount,
  formatMoney,
  formatNamedShare,
  formatRange,
  formatRate,
} from '../format.js';
import type { DimensionFilter } from '../state.js';
import { type LineSeries, lineChart } from '../ui/chart.js';
import {
  type Comparison,
  emptyState,
  figureNote,
  filterPendingNotice,
  notSplitNotice,
  type PrivacyNote,
  privacyFootnote,
  type ReleasedDays,
} from '../ui/notices.js';
import { reportMailCard } from '../ui/report-mail.js';
import { formatMargin, MARGIN_HINT } from '../ui/table.js';
import { grid, type TableResponse, tableCard } from './common.js';

type KpiKey = 'visitors' | 'pageviews' | 'orders' | 'revenue' | 'conversion';
type ChartKey = Exclude<KpiKey, 'conversion'>;
interface Kpi {
  key: KpiKey;
  label: string;
  kind: 'visitors' | 'count' | 'money' | 'rate';
  value: number | null;
  previous: number | null;
  change: number | null;
  /** Noise mode: the ± margins (95 %) of the value, the previous figure and the change. */
  margin?: number;
  previousMargin?: number;
  changeMargin?: number;
  hint?: string;
  notSplitBy?: DimensionFilter;
}
interface TrendPoint {
  t: number;
  visitors: number | null;
  pageviews: number | null;
  orders: number | null;
  revenue: number | null;
  /** Noise mode: each figure's ± margin (95 %). */
  margins?: Partial<Record<ChartKey, number>>;
}
interface Overview {
  k: number;
  source: string;
  filter: DimensionFilter | undefined;
  notSplitBy: DimensionFilter[];
  filterPending: DimensionFilter | null;
  filterNote: string | null;
  breakdowns: ReleasedDays;
  notSplit: { dimension: DimensionFilter; orders: number; text: string } | null;
  privacy: PrivacyNote;
  kpis: Kpi[];
  trend: { grain: 'day' | 'window'; points: TrendPoint[]; previous: TrendPoint[] };
  comparison: Comparison | null;
}

const format = (kind: Kpi['kind'], value: number | null, big = true) =>
  kind === 'money'
    ? formatMoney(value, big ? 'headline' : 'exact')
    : kind === 'rate'
      ? formatRate(value)
      : big
        ? formatCompact(value)
        : formatCount(value);

const SOURCE_TEXT: Record<string, string> = {
  devices:
    'Visitors and pageviews come from the devices report, orders from the device funnel. Revenue is not split by device.',
  countries:
    'Visitors and pageviews come from the countries report. Orders and revenue are not split by country.',
  campaigns:
    'Visits, visitors, orders and revenue come from the campaigns report: the orders of the visits each campaign started.',
  referrers:
    'Visits and visitors come from the sources report: the visits the source started. Orders and revenue are not split by source.',
  products:
    "Views, units sold and their revenue come from the products report: the product's own rows. Conversion is units sold ÷ product views.",
};

function kpiCard(
  kpi: Kpi,
  selected: boolean,
  onSelect: () => void,
  comparison: Comparison | null,
): HTMLElement {
  const trend =
    kpi.change === null
      ? null
      : h(
          'span',
          `delta ${Math.round(kpi.change * 100) === 0 ? 'flat' : kpi.change > 0 ? 'up' : 'down'}`,
          Math.round(kpi.change * 100) > 0
            ? icon('up', 'icon tiny')
            : Math.round(kpi.change * 100) < 0
              ? icon('down', 'icon tiny')
              : null,
          formatChange(kpi.change),
        );
  const chartable = kpi.key !== 'conversion' && kpi.value !== null;
  return h(
    'button',
    {
      class: `kpi${selected ? ' selected' : ''}${kpi.value === null ? ' missing' : ''}`,
      attrs: {
        type: 'button',
        'data-kpi': kpi.key,
        title: kpi.hint,
        disabled: !chartable,
        'aria-pressed': selected ? 'true' : 'false',
      },
      on: { click: () => chartable && onSelect() },
    },
    h('span', 'kpi-label', kpi.label, kpi.hint ? icon('info', 'icon hint') : null),
    h('span', 'kpi-value', kpi.value === null ? DASH : format(kpi.kind, kpi.value)),
    // Noise mode: the figure's margin, small under it; its change's margin on hover.
    kpi.value !== null && kpi.margin !== undefined
      ? h(
          'span',
          {
            class: 'kpi-margin margin',
            attrs: {
              title: `${MARGIN_HINT}${kpi.changeMargin === undefined ? '' : ` The change: ${formatMargin('change', kpi.changeMargin)}.`}`,
            },
          },
          formatMargin(kpi.kind === 'visitors' ? 'count' : kpi.kind, kpi.margin),
        )
      : null,
    kpi.notSplitBy
      ? h('span', 'kpi-sub muted', `not split by ${kpi.notSplitBy}`)
      : comparison && !comparison.compared
        ? h(
            'span',
            { class: 'kpi-sub muted not-compared', attrs: { title: comparison.text } },
            'not compared',
          )
        : comparison
          ? h(
              'span',
              'kpi-sub',
              trend,
              h('span', 'muted', `from ${kpi.previous === null ? DASH : format(kpi.kind, kpi.previous)}`),
            )
          : h('span', 'kpi-sub muted', ' '),
  );
}

function renderOverview(root: HTMLElement, context: ViewContext) {
  const head = h('div', 'kpis-slot');
  const chartCard = h('div');
  // Above the tables: which days they cover (the totals above also count today's windows).
  const tablesNote = h('span');
  const tablesBlock = h(
    'p',
    { class: 'released-note page hidden', attrs: { role: 'note' } },
    icon('calendar', 'icon small'),
    tablesNote,
  );
  const summary = h('p', { class: 'named-summary hidden', attrs: { role: 'note' } });
  root.append(head, chartCard);
  let selected: ChartKey = 'visitors';
  fill(head, context.signal, async () => {
    const overview = await context.load<Overview>('/api/v1/overview');
    const drawChart = () => {
      const kpi = overview.kpis.find((item) => item.key === selected)!;
      const points = overview.trend.points;
      const hasData = points.some((point) => point[selected] !== null);
      const series: LineSeries[] = [
        {
          label: context.filters.compare !== 'none' ? 'This period' : kpi.label,
          values: points.map((point) => point[selected]),
          margins: points.map((point) => point.margins?.[selected]),
          fill: true,
          // Today is still filling up: its day point is drawn apart, dashed.
          partialLast: overview.trend.grain === 'day' && context.filters.to === context.session.today,
          partialLabel: 'Today so far',
        },
      ];
      // Only a comparable previous period is drawn (the API sends none otherwise), named with its
      // days and without dots: a lone previous-period dot read as a figure of this period.
      const compared = overview.comparison?.compared ? overview.comparison : null;
      if (compared && overview.trend.previous.length > 0) {
        series.push({
          label: `${context.filters.compare === 'year' ? 'A year before' : 'Previous period'} (${formatRange(compared.from, compared.to)}${compared.until === null ? '' : ', same part of the day'})`,
          values: overview.trend.previous.map((point) => point[selected]),
          color: '#94a3b8',
          dashed: true,
          points: false,
        });
      }
      replace(
        chartCard,
        card(
          {
            title: kpi.label,
            subtitle:
              overview.trend.grain === 'window'
                ? 'Per release window, today as far as released'
                : `${kpi.key === 'visitors' ? 'Per day; over a range, visitors are added up day by day (visitor-days).' : 'Per day.'}${context.filters.to === context.session.today ? ' Today so far.' : ''}`,
            className: 'trend',
            id: 'trend',
          },
          hasData
            ? lineChart({
                x: points.map((point) => point.t),
                series,
                grain: overview.trend.grain,
                format: (value) => (selected === 'revenue' ? formatMoney(value) : formatCount(value)),
                axis: (value) => (selected === 'revenue' ? formatMoney(value, 'axis') : formatCompact(value)),
              })
            : emptyState(overview.privacy, context.session.windowSeconds, overview.k),
          privacyFootnote(overview.privacy),
        ),
      );
      head.querySelectorAll<HTMLButtonElement>('.kpi').forEach((button) => {
        const on = button.dataset.kpi === selected;
        button.classList.toggle('selected', on);
        button.setAttribute('aria-pressed', on ? 'true' : 'false');
      });
    };
    const cards = overview.kpis.map((kpi) =>
      kpiCard(
        kpi,
        kpi.key === selected,
        () => {
          if (kpi.key === 'conversion') return;
          selected = kpi.key;
          drawChart();
        },
        context.filters.compare !== 'none' ? overview.comparison : null,
      ),
    );
    queueMicrotask(drawChart);
    replace(tablesNote, overview.breakdowns.text ?? '');
    tablesBlock.classList.toggle('hidden', !overview.breakdowns.text);
    return [
      notSplitNotice(overview.notSplitBy, 'The overview'),
      overview.filterPending ? filterPendingNotice(overview.filterPending, overview.filterNote) : null,
      overview.filter
        ? h(
            'div',
            'notice info',
            icon('info', 'icon'),
            h(
              'div',
              null,
              h('strong', null, `Filtered by ${overview.filter}: `),
              SOURCE_TEXT[overview.source] ?? '',
              overview.filterNote ? h('p', 'notice-more', overview.filterNote) : null,
            ),
          )
        : null,
      figureNote(overview.notSplit?.text),
      h('div', 'kpis', cards),
      // Today is partly released: say when the next window comes.
      context.filters.to === context.session.today && overview.privacy.nextRelease
        ? h(
            'p',
            'next-release',
            icon('calendar', 'icon small'),
            `Today so far, as released. ${overview.privacy.nextRelease.text}.`,
          )
        : null,
      context.filters.compare !== 'none' && overview.comparison
        ? h('p', `compare-caption${overview.comparison.compared ? '' : ' warn'}`, overview.comparison.text)
        : null,
    ];
  });

  // One line for the page: how much of each table below is in named rows.
  const shares = new Map<string, TableResponse['named']>();
  const cardsOrder = ['Top pages', 'Sources', 'Devices', 'Countries'];
  const noteShare = (title: string) => (response: TableResponse) => {
    shares.set(title, response.named);
    const items = cardsOrder
      .map((name) => ({ name, named: shares.get(name) }))
      .filter((item) => item.named?.share !== null && item.named?.share !== undefined);
    replace(
      summary,
      items.length > 0 ? h('strong', null, 'In named rows: ') : null,
      items
        .map(
          (item) =>
            `${formatNamedShare(item.named!.share!)} of ${item.named!.label} in ${item.name.toLowerCase()}`,
        )
        .join(', '),
      items.length > 0 ? '. ' : null,
      items.length > 0 ? h('span', 'muted', 'The rest is in groups too small to name.') : null,
    );
    summary.classList.toggle('hidden', items.length === 0);
  };
  root.append(
    h('div', 'tables-head', tablesBlock, summary),
    grid(
      'two',
      tableCard(context, {
        title: 'Top pages',
        path: '/api/v1/pages',
        table: { bar: 'pageviews', limit: 8, hide: ['entries'] },
        loaded: noteShare('Top pages'),
      }),
      tableCard(context, {
        title: 'Sources',
        subtitle: 'Where visits start',
        path: '/api/v1/referrers',
        table: { bar: 'entries', limit: 8 },
        filterBy: { dimension: 'source', key: 'referrer' },
        loaded: noteShare('Sources'),
      }),
      tableCard(context, {
        title: 'Devices',
        path: '/api/v1/devices',
        table: { bar: 'pageviews', limit: 8 },
        filterBy: { dimension: 'device', key: 'device_class' },
        loaded: noteShare('Devices'),
      }),
      tableCard(context, {
        title: 'Countries',
        path: '/api/v1/countries',
        table: {
          bar: 'pageviews',
          limit: 8,
          // Names, codes on hover; "Unknown" (ZZ) and "Other countries" come named.
          display: {
            country: (row) =>
              typeof row.code === 'string' && row.code !== 'ZZ'
                ? { text: countryName(row.code), title: row.code }
                : undefined,
          },
        },
        loaded: noteShare('Countries'),
        filterBy: { dimension: 'country', key: 'code' },
      }),
    ),
    reportMailCard(context),
  );
}

export const overviewView: View = {
  path: '/',
  title: 'Overview',
  nav: 'Overview',
  icon: 'overview',
  role: 'viewer',
  filters: ['device', 'country', 'campaign', 'source', 'product'],
  filtered: true,
  render: renderOverview,
};
