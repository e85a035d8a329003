/// <reference lib="dom" />
import { card, fill, type View, type ViewContext } from '../context.js';
import { h } from '../dom.js';
import { DASH, formatCount, formatRate } from '../format.js';
import { activeDimensions } from '../state.js';
import {
  emptyState,
  figureNote,
  notSplitNotice,
  privacyFootnote,
  releasedBanner,
  releasedTag,
} from '../ui/notices.js';
import { marginNote } from '../ui/table.js';
import { grid, type TableResponse, tableCard } from './common.js';

interface FunnelStep {
  step: string;
  label: string;
  visitors: number | null;
  actions: number;
  fromPrevious: number | null;
  fromStart: number | null;
  /** Noise mode: each figure's ± margin (95 %). */
  margins?: Record<string, number>;
}

/** The funnel as bars narrowing step by step, with the share kept at each step. */
function funnelBars(steps: FunnelStep[]): HTMLElement {
  const first = steps[0]?.visitors ?? 0;
  return h(
    'ol',
    'funnel',
    steps.map((step, index) =>
      h(
        'li',
        { dataset: { step: step.step } },
        h('div', 'funnel-label', h('span', 'funnel-index', String(index + 1)), h('strong', null, step.label)),
        h(
          'div',
          'funnel-track',
          h('div', {
            class: 'funnel-bar',
            style: {
              width: `${first > 0 && step.visitors !== null ? Math.max(1.5, (step.visitors / first) * 100).toFixed(1) : 0}%`,
            },
          }),
        ),
        h(
          'div',
          'funnel-figures',
          h(
            'strong',
            { attrs: { title: 'Visitor-days: distinct visitors per day, added up' } },
            step.visitors === null ? DASH : formatCount(step.visitors),
          ),
          step.visitors === null ? null : marginNote('count', step.margins?.visitors),
          h('span', 'muted', index === 0 ? 'visitors' : `${formatRate(step.fromPrevious)} of previous step`),
        ),
      ),
    ),
  );
}

function renderFunnel(root: HTMLElement, context: ViewContext) {
  const device = context.filters.device;
  root.append(
    notSplitNotice(
      activeDimensions(context.filters).filter((name) => name !== 'device'),
      'The funnel',
    ) ?? '',
  );
  const stepsBody = h('div', 'card-content');
  const banner = releasedBanner();
  root.append(
    banner.element,
    card(
      {
        title: device ? `Shopping funnel on ${device}` : 'Shopping funnel',
        subtitle: 'Product view → add to cart → checkout → purchase; distinct visitors per step',
        id: 'funnel',
      },
      stepsBody,
    ),
  );
  fill(stepsBody, context.signal, async () => {
    const response = await context.load<
      TableResponse & { steps: FunnelStep[]; orders: { text: string | null } }
    >('/api/v1/funnel/devices');
    const has = response.steps.some((step) => step.visitors !== null);
    const overall = response.steps[3]?.fromStart;
    banner.show(response.released);
    return [
      has ? releasedTag(response.released) : null,
      has
        ? funnelBars(response.steps)
        : emptyState(response.privacy, context.session.windowSeconds, response.k, response.released),
      has ? h('p', 'funnel-summary', `${formatRate(overall)} of product viewers bought.`) : null,
      // Bought counts shoppers, the overview counts orders: say how the two meet.
      has ? figureNote(response.orders.text) : null,
      privacyFootnote(response.privacy),
    ];
  });
  root.append(
    grid(
      'one',
      tableCard(context, {
        title: 'By device',
        noun: 'funnel figures',
        subtitle: device ? `Only ${device}` : 'Visitors at each step, and their orders',
        path: '/api/v1/funnel/devices',
        id: 'funnel-devices',
        loaded: (response) => banner.show(response.released),
      }),
      tableCard(context, {
        title: 'By category',
        noun: 'funnel figures',
        subtitle:
          'Visitors at each step, by product category. A shopper who looked at two categories counts in both, so the rows add up to more than the funnel above.',
        path: '/api/v1/funnel/categories',
        id: 'funnel-categories',
      }),
    ),
  );
}

export const funnelView: View = {
  path: '/funnel',
  title: 'Funnel',
  nav: 'Funnel',
  icon: 'funnel',
  role: 'viewer',
  filters: ['device'],
  filtered: true,
  render: renderFunnel,
};
