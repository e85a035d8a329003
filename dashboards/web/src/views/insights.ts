/// <reference lib="dom" />
import { card, fill, type View, type ViewContext } from '../context.js';
import { h, icon } from '../dom.js';
import { formatCount, formatMoney } from '../format.js';
import { activeDimensions, toQuery } from '../state.js';
import { emptyState, notSplitNotice, privacyFootnote, releasedBanner } from '../ui/notices.js';
import { decorateProductCell } from '../ui/product-cell.js';
import { type ColumnKind, csvLink, formatCell, type Row } from '../ui/table.js';
import type { TableResponse } from './common.js';

/** One card of /api/v1/insights (dashboards/presenters/get-insights.ts). */
interface InsightCard {
  rule: string;
  action: string;
  finding: string;
  subject: string;
  product: Record<string, string | number | null> | null;
  figures: { label: string; value: number | null; kind: ColumnKind }[];
  sentence: string;
  impact: { estimate: number; kind: 'count' | 'money'; share: number; label: string; text: string };
  visitors: number;
  /** `pageType`: a slot's, which the layout view opens on. */
  report: { view: string; anchor: string; label: string; pageType?: string };
}
interface RuleStatus {
  rule: string;
  action: string;
  finding: string;
  sentence: string;
  status: 'fired' | 'quiet' | 'not_compared' | 'waiting';
  found: number;
}
interface InsightsResponse extends TableResponse {
  cards: InsightCard[];
  rules: RuleStatus[];
}

/** Counts a rule finds exactly; the others' impacts are estimates. */
const EXACT = new Set(['searches_found_nothing']);

/**
 * Scrolls to the report's card, and again while the cards above it load (they grow from their
 * skeletons), until the view has settled or the person scrolls.
 */
function keepInView(anchor: string): void {
  const target = document.getElementById(anchor);
  const view = document.getElementById('view');
  if (!target || !view) return;
  target.scrollIntoView({ block: 'start' });
  const observer = new MutationObserver(() => {
    if (!target.isConnected) return observer.disconnect();
    target.scrollIntoView({ block: 'start' });
    if (!view.querySelector('.skeleton')) observer.disconnect();
  });
  observer.observe(view, { childList: true, subtree: true });
  for (const name of ['wheel', 'touchmove', 'keydown'])
    window.addEventListener(name, () => observer.disconnect(), { once: true, passive: true });
}

/**
 * The link to the card's report: the view with the same filters, scrolled to the card the figures
 * come from (the address keeps the anchor, so it opens there in a new tab too).
 */
function reportLink(context: ViewContext, report: InsightCard['report']): HTMLElement {
  const query = toQuery(context.filters, { page_type: report.pageType });
  const href = `${report.view}?${query}#${report.anchor}`;
  return h(
    'a',
    {
      class: 'insight-link',
      attrs: { href },
      on: {
        click: (event) => {
          const mouse = event as MouseEvent;
          if (mouse.metaKey || mouse.ctrlKey || mouse.shiftKey) return;
          event.preventDefault();
          context.navigate(report.view);
          // The view reads its page type from the address once its figures are in.
          history.replaceState(null, '', `${location.pathname}?${query}#${report.anchor}`);
          keepInView(report.anchor);
        },
      },
    },
    `${report.label} →`,
  );
}

function insightCard(context: ViewContext, item: InsightCard): HTMLElement {
  const subject = h('div', 'insight-subject', h('span', 'label', item.subject));
  if (item.product) decorateProductCell({ ...item.product, level: 0 } as Row, subject);
  const estimate =
    item.impact.kind === 'money' ? formatMoney(item.impact.estimate) : formatCount(item.impact.estimate);
  return h(
    'article',
    { class: `insight rule-${item.rule}`, dataset: { rule: item.rule } },
    h('p', 'insight-finding', item.finding),
    h('h3', 'insight-action', item.action),
    subject,
    h(
      'dl',
      'insight-figures',
      item.figures.map((figure) =>
        h('div', null, h('dt', null, figure.label), h('dd', null, formatCell(figure.kind, figure.value))),
      ),
    ),
    h(
      'p',
      'insight-impact',
      h('strong', null, `${EXACT.has(item.rule) ? '' : '≈ '}${estimate} ${item.impact.label}`),
      h('span', 'muted', ` · ${item.impact.text}`),
    ),
    h('p', 'insight-rule', icon('info', 'icon small'), item.sentence),
    reportLink(context, item.report),
  );
}

function ruleState(rule: RuleStatus, response: InsightsResponse, context: ViewContext): string {
  switch (rule.status) {
    case 'fired': {
      const shown = response.cards.filter((item) => item.rule === rule.rule).length;
      return shown < rule.found ? `Found ${rule.found}, the ${shown} largest shown` : `Found ${rule.found}`;
    }
    case 'quiet':
      return 'Nothing qualifies on these days';
    case 'waiting':
      return 'Waits for the first released day of the range';
    case 'not_compared':
      return context.filters.compare === 'none' || !response.comparison
        ? 'Choose a comparison ("vs previous period") to use it'
        : response.comparison.text;
  }
}

function ruleList(response: InsightsResponse, context: ViewContext): HTMLElement {
  return h(
    'ul',
    'insight-rules',
    response.rules.map((rule) =>
      h(
        'li',
        { class: `rule-status ${rule.status}`, dataset: { rule: rule.rule, status: rule.status } },
        h('span', 'rule-name', h('strong', null, rule.action), h('span', 'muted', ` · ${rule.finding}`)),
        h('span', 'rule-state', ruleState(rule, response, context)),
        h('span', 'rule-sentence muted', rule.sentence),
      ),
    ),
  );
}

/** Why no card shows over released days: each rule looked and found nothing, or could not compare. */
function noInsights(response: InsightsResponse): HTMLElement {
  const notCompared = response.rules.some((rule) => rule.status === 'not_compared');
  return h(
    'div',
    'empty-state',
    icon('empty', 'icon large'),
    h('p', 'empty-title', `No insight for ${response.released.covers ?? 'these days'}`),
    h(
      'p',
      'muted',
      `No named product, search, slot, promotion or campaign crosses a rule's threshold on these days${
        notCompared ? ', and rising and falling products need a previous period to compare with' : ''
      }. The rules below say what each looks for.`,
    ),
  );
}

function renderInsights(root: HTMLElement, context: ViewContext) {
  const banner = releasedBanner();
  const cards = h('div', 'card-content');
  const rules = h('div', 'card-content');
  const csv = context.csv('/api/v1/insights');
  root.append(
    notSplitNotice(activeDimensions(context.filters), 'Insights', true) ?? '',
    banner.element,
    card(
      {
        title: 'What to do',
        subtitle: 'From the released figures, most at stake first. Each card says the rule it follows.',
        actions: csv ? csvLink(csv) : null,
        id: 'insights',
        className: 'insights-card',
      },
      cards,
    ),
    card(
      {
        title: 'The rules',
        subtitle: 'What each insight looks for, and what it found on these days',
        id: 'insight-rules',
      },
      rules,
    ),
  );
  const loading = context.load<InsightsResponse>('/api/v1/insights');
  fill(cards, context.signal, async () => {
    const response = await loading;
    banner.show(response.released, response.comparison);
    if (response.released.days.length === 0)
      return emptyState(response.privacy, context.session.windowSeconds, response.k, response.released);
    if (response.cards.length === 0) return noInsights(response);
    return [
      h(
        'div',
        'insight-grid',
        response.cards.map((item) => insightCard(context, item)),
      ),
      privacyFootnote(response.privacy),
    ];
  });
  fill(rules, context.signal, async () => ruleList(await loading, context));
}

export const insightsView: View = {
  path: '/insights',
  title: 'Insights',
  nav: 'Insights',
  icon: 'insights',
  role: 'viewer',
  filters: [],
  filtered: true,
  render: renderInsights,
};
