/// <reference lib="dom" />
import { card, type View, type ViewContext } from '../context.js';
import { h, icon, replace } from '../dom.js';
import { formatCount, formatRate } from '../format.js';
import { activeDimensions } from '../state.js';
import { barChart } from '../ui/chart.js';
import {
  emptyState,
  errorState,
  namedLine,
  notSplitNotice,
  privacyFootnote,
  releasedBanner,
  releasedTag,
  skeleton,
} from '../ui/notices.js';
import { csvLink, dataTable, type Row } from '../ui/table.js';
import { type TableResponse, tableCard } from './common.js';

const SLOT_ORDER = [
  'hero',
  'banner',
  'header',
  'navigation',
  'grid',
  'recommendations',
  'related',
  'sidebar',
  'footer',
];
const slotRank = (slot: string) => {
  const index = SLOT_ORDER.indexOf(slot);
  return index === -1 ? SLOT_ORDER.length : index;
};

/** Shade for a share of clicks, relative to the busiest position on the page. */
function shade(share: number, max: number): { background: string; color: string } {
  const strength = max > 0 ? share / max : 0;
  const alpha = 0.08 + strength * 0.82;
  return { background: `rgba(79, 70, 229, ${alpha.toFixed(3)})`, color: alpha > 0.5 ? '#ffffff' : '#1e1b4b' };
}

/**
 * A simple picture of a page type: its slots top to bottom, each position a tile shaded by its
 * share of the page's slot clicks. Generalised rows appear as "other positions" / "other slots".
 */
function pagePicture(rows: Row[], k: number): HTMLElement {
  const max = Math.max(...rows.map((row) => Number(row.share ?? 0)), 0);
  const slots = new Map<string, Row[]>();
  const others: Row[] = [];
  for (const row of rows) {
    if (row.slot === null) others.push(row);
    else slots.set(String(row.slot), [...(slots.get(String(row.slot)) ?? []), row]);
  }
  const tile = (row: Row, label: string) => {
    const share = Number(row.share ?? 0);
    const colours = shade(share, max);
    return h(
      'div',
      {
        class: `pp-tile${row.level > 0 ? ' generalised' : ''}`,
        style: { background: colours.background, color: colours.color },
        attrs: {
          title: `${row.slot_label}: ${formatCount(Number(row.clicks))} clicks, ${formatRate(share)} of clicks${row.level > 0 ? ` (small positions grouped, fewer than ${k} visitors each)` : ''}`,
        },
      },
      h('span', 'pp-pos', label),
      h('span', 'pp-share', formatRate(share)),
    );
  };
  const blocks = [...slots.entries()]
    .sort((a, b) => slotRank(a[0]) - slotRank(b[0]) || a[0].localeCompare(b[0]))
    .map(([slot, cells]) => {
      const sorted = [...cells].sort(
        (a, b) =>
          (a.position === null ? 1e9 : Number(a.position)) - (b.position === null ? 1e9 : Number(b.position)),
      );
      const total = sorted.reduce((sum, row) => sum + Number(row.share ?? 0), 0);
      const columns = Math.min(sorted.length, slot === 'hero' || slot === 'banner' ? 3 : 4);
      return h(
        'div',
        { class: `pp-slot pp-${slotRank(slot) < 2 ? 'wide' : 'list'}`, dataset: { slot } },
        h(
          'div',
          'pp-slot-head',
          h('strong', null, slot),
          h('span', 'muted', `${formatRate(total)} of clicks`),
        ),
        h(
          'div',
          { class: 'pp-tiles', style: { 'grid-template-columns': `repeat(${columns}, minmax(0, 1fr))` } },
          sorted.map((row) => tile(row, row.position === null ? 'other' : `#${row.position}`)),
        ),
      );
    });
  return h(
    'div',
    { class: 'page-picture', attrs: { role: 'img', 'aria-label': 'Page slots shaded by share of clicks' } },
    h('div', 'pp-browser', h('span'), h('span'), h('span')),
    h('div', 'pp-header', h('div', 'pp-logo'), h('div', 'pp-nav'), h('div', 'pp-search')),
    blocks,
    others.length > 0
      ? h(
          'div',
          { class: 'pp-slot pp-list' },
          h('div', 'pp-slot-head', h('strong', null, 'Other slots'), h('span', 'muted', 'grouped')),
          h(
            'div',
            'pp-tiles',
            others.map((row) => tile(row, 'other')),
          ),
        )
      : null,
    h('div', 'pp-footer'),
    h(
      'div',
      'pp-legend',
      h('span', 'muted', 'fewer clicks'),
      h('span', 'pp-gradient'),
      h('span', 'muted', 'more clicks'),
    ),
  );
}

function renderLayout(root: HTMLElement, context: ViewContext) {
  const banner = releasedBanner();
  root.append(
    notSplitNotice(activeDimensions(context.filters), 'Slot clicks and scroll depth', true) ?? '',
    banner.element,
  );
  const picker = h('div', { class: 'segmented', attrs: { role: 'tablist', 'aria-label': 'Page type' } });
  const pictureBody = h('div', 'card-content');
  const tableBody = h('div', 'card-content');
  const scrollBody = h('div', 'card-content');
  const slotsCsv = context.csv('/api/v1/slots');
  const scrollCsv = context.csv('/api/v1/scroll');
  root.append(
    h('div', 'page-type-bar', h('span', 'control-label', 'Page type'), picker),
    h(
      'div',
      'grid layout-main',
      card(
        { title: 'Where shoppers click', subtitle: 'Share of slot clicks by position', id: 'page-picture' },
        pictureBody,
      ),
      card(
        {
          title: 'Clicks by slot and position',
          actions: slotsCsv ? csvLink(slotsCsv) : null,
          id: 'slot-table',
        },
        tableBody,
      ),
    ),
    h(
      'div',
      'grid two',
      card(
        {
          title: 'How far down shoppers read',
          subtitle: 'Page views reaching each depth',
          actions: scrollCsv ? csvLink(scrollCsv) : null,
          id: 'scroll-depth',
        },
        scrollBody,
      ),
      tableCard(context, {
        title: 'Device mix',
        subtitle: context.filters.device
          ? `Browsers and systems on ${context.filters.device}`
          : 'Pageviews by device class, whole site',
        path: '/api/v1/devices',
        id: 'device-mix',
        loaded: (response) => banner.show(response.released),
        before: (response) => deviceStrip(response.table.rows),
      }),
    ),
  );
  const slotsPromise = context.load<TableResponse & { pageTypes: string[] }>('/api/v1/slots');
  const scrollPromise = context.load<TableResponse>('/api/v1/scroll');
  let selected: string | undefined;
  const draw = (slots: TableResponse & { pageTypes: string[] }, scroll: TableResponse) => {
    const types = [
      ...new Set([...slots.pageTypes, ...scroll.table.rows.map((row) => String(row.page_type))]),
    ];
    // An insight's link names the page type of its slot (?page_type=home).
    const asked = new URLSearchParams(location.search).get('page_type');
    selected ??= asked && types.includes(asked) ? asked : types[0];
    replace(
      picker,
      types.map((type) =>
        h(
          'button',
          {
            class: `segment${type === selected ? ' active' : ''}`,
            attrs: {
              type: 'button',
              role: 'tab',
              'aria-selected': type === selected ? 'true' : 'false',
              'data-page-type': type,
            },
            on: {
              click: () => {
                selected = type;
                draw(slots, scroll);
              },
            },
          },
          type.charAt(0).toUpperCase() + type.slice(1),
        ),
      ),
    );
    const slotRows = slots.table.rows.filter((row) => row.page_type === selected);
    // A page type read (scroll depth) but without slot clicks over released days: say that, not K.
    const noSlotClicks = () =>
      slots.released.days.length > 0 && selected !== undefined
        ? noSlots(selected, slots.k)
        : emptyState(slots.privacy, context.session.windowSeconds, slots.k, slots.released);
    replace(
      pictureBody,
      slotRows.length > 0 ? releasedTag(slots.released) : null,
      slotRows.length > 0 ? pagePicture(slotRows, slots.k) : noSlotClicks(),
      privacyFootnote(slots.privacy),
    );
    replace(
      tableBody,
      dataTable(
        { columns: slots.table.columns.filter((c) => c.key !== 'page_type'), rows: slotRows },
        {
          k: slots.k,
          bar: 'clicks',
          empty: noSlotClicks(),
        },
      ),
      // The report's share, over every page type, not only the one picked.
      slotRows.length > 0 ? namedLine(slots.named, '(All page types.)') : null,
    );
    const depthRows = scroll.table.rows.filter((row) => row.page_type === selected);
    replace(
      scrollBody,
      depthRows.length > 0
        ? barChart({
            labels: depthRows.map((row) => `${row.depth}`),
            values: depthRows.map((row) => (row.share === null ? null : Number(row.share))),
            format: (value) => formatRate(value),
            seriesLabel: 'Share of page views',
            max: 1.1,
          })
        : emptyState(
            scroll.privacy,
            context.session.windowSeconds,
            scroll.k,
            scroll.released,
            `scroll depths of ${selected ?? ''} pages`,
          ),
      depthRows.length > 0
        ? dataTable(
            { columns: scroll.table.columns.filter((c) => c.key !== 'page_type'), rows: depthRows },
            { k: scroll.k },
          )
        : null,
      depthRows.length > 0 ? namedLine(scroll.named, '(All page types.)') : null,
      privacyFootnote(scroll.privacy),
    );
  };
  for (const body of [pictureBody, tableBody, scrollBody]) replace(body, skeleton());
  Promise.all([slotsPromise, scrollPromise]).then(
    ([slots, scroll]) => {
      if (context.signal.aborted) return;
      banner.show(slots.released);
      draw(slots, scroll);
    },
    (error: unknown) => {
      if (context.signal.aborted) return;
      const message = error instanceof Error ? error.message : 'Unknown error';
      for (const body of [pictureBody, tableBody, scrollBody]) replace(body, errorState(message));
    },
  );
}

/**
 * Why a page type has no picture: none of its parts is tagged as a slot (the demo shop's cart and
 * checkout), or too few visitors clicked one. Slot clicks keep their page type at every level of
 * generalisation, so page types grouped for scroll depth ("Other page types") have none here.
 */
function noSlots(pageType: string, k: number): HTMLElement {
  const grouped = pageType === 'Other page types';
  return h(
    'div',
    { class: 'empty-state no-slots' },
    icon('empty', 'icon large'),
    h(
      'p',
      'empty-title',
      grouped ? 'Slot clicks are shown per page type' : `No slot clicks on ${pageType} pages`,
    ),
    h(
      'p',
      'muted',
      grouped
        ? 'Page types too small to name are grouped for scroll depth only; their slot clicks, if any, are not shown.'
        : `No part of a ${pageType} page is tagged as a slot (data-kanon-slot), or fewer than K = ${k} visitors clicked one on these days.`,
    ),
  );
}

const DEVICE_COLOURS = ['#4f46e5', '#0ea5e9', '#14b8a6', '#f59e0b', '#a855f7', '#64748b'];

/** One horizontal bar split by device share. */
function deviceStrip(rows: Row[]): HTMLElement {
  return h(
    'div',
    'strip-wrap',
    h(
      'div',
      { class: 'strip', attrs: { role: 'img', 'aria-label': 'Device mix' } },
      rows.map((row, index) =>
        h('span', {
          style: {
            width: `${(Number(row.share ?? 0) * 100).toFixed(2)}%`,
            background: DEVICE_COLOURS[index % DEVICE_COLOURS.length]!,
          },
          attrs: {
            title: `${row.device}${row.browser ? ` · ${row.browser} · ${row.os}` : ''}: ${formatRate(Number(row.share))}`,
          },
        }),
      ),
    ),
    h(
      'div',
      'strip-legend',
      rows
        .slice(0, 6)
        .map((row, index) =>
          h(
            'span',
            null,
            h('i', { style: { background: DEVICE_COLOURS[index % DEVICE_COLOURS.length]! } }),
            `${row.browser ? `${row.browser} · ${row.os}` : row.device} ${formatRate(Number(row.share))}`,
          ),
        ),
    ),
  );
}

export const layoutView: View = {
  path: '/layout',
  title: 'Page layout',
  nav: 'Page layout',
  icon: 'layout',
  role: 'viewer',
  filters: ['device'],
  filtered: true,
  render: renderLayout,
};
