import { escapeHtml } from '../../core/http/escape-html.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { type Role, roleAllows } from '../auth/roles.js';
import { describeSpan } from '../presenters/day-notes.js';
import { getComparison } from '../presenters/get-comparison.js';
import { getInsights, INSIGHT_REPORTS, type InsightCard } from '../presenters/get-insights.js';
import { getOverview, type Kpi } from '../presenters/get-overview.js';
import { comparedWithReleasedDays, parseFilters } from '../query/filters.js';
import { getReleasedDays } from '../query/released-days.js';
import type { ReportPeriod } from './report-period.js';
import type { Subscription } from './subscription-store.js';

export interface ReportMail {
  subject: string;
  text: string;
  html: string;
}

export interface ReportMailContext {
  warehouse: Warehouse;
  sites: readonly string[];
  k: number;
  windowSeconds: number;
  graceSeconds: number;
  /** ISO currency of order values (KANON_CURRENCY), for money; unset = plain numbers. */
  currency: string | undefined;
  /** Where the dashboards are opened, for the links (e.g. https://stats.shop.example). */
  baseUrl: string;
  now: number;
}

/** Insights a mail lists at most: the top ones by impact, as the Insights view ranks them. */
export const MAIL_INSIGHTS = 3;

/**
 * The scheduled report of one user and period: the overview's figures against the period before,
 * the top insights and links to the views. Everything comes from the presenters the dashboards
 * use, over published tables only, so a mail shows nothing the user could not see signed in; each
 * part is included only if the user's role may open its view (both are viewer views today).
 */
export async function buildReportMail(
  context: ReportMailContext,
  subscription: Subscription,
  role: Role,
  period: ReportPeriod,
  frequency: 'daily' | 'weekly',
): Promise<ReportMail> {
  const filters = parseFilters(
    { site: subscription.site, from: period.from, to: period.to },
    context.sites,
    context.now,
  );
  const today = filters.today;
  const span = describeSpan(period.from, period.to, today);
  const query = new URLSearchParams({ site: filters.site, from: period.from, to: period.to }).toString();
  const link = (path: string) => `${context.baseUrl}${path}?${query}`;

  const money = context.currency
    ? new Intl.NumberFormat('en', { style: 'currency', currency: context.currency })
    : new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const count = new Intl.NumberFormat('en');
  const format = (kpi: Kpi, value: number | null) => {
    if (value === null) return '–';
    if (kpi.kind === 'money') return money.format(value / 100);
    if (kpi.kind === 'rate') return `${(value * 100).toFixed(1)}%`;
    return count.format(value);
  };
  const change = (kpi: Kpi) =>
    kpi.change === null ? '' : ` (${kpi.change >= 0 ? '+' : '−'}${Math.abs(Math.round(kpi.change * 100))}%)`;

  const sections: { text: string[]; html: string[] } = { text: [], html: [] };
  if (roleAllows(role, 'viewer')) {
    const overview = await getOverview(context.warehouse, filters, {
      windowSeconds: context.windowSeconds,
      now: context.now,
      graceSeconds: context.graceSeconds,
    });
    const lines = overview.kpis.map((kpi) => ({
      label: kpi.label,
      value: format(kpi, kpi.value),
      change: change(kpi),
    }));
    sections.text.push(
      `The figures, ${span}`,
      ...lines.map((line) => `  ${line.label}: ${line.value}${line.change}`),
      overview.comparison ? `  ${overview.comparison.text}` : '',
      `  Overview: ${link('/')}`,
      '',
    );
    sections.html.push(
      `<h2 style="font-size:16px">The figures, ${escapeHtml(span)}</h2>`,
      '<table cellpadding="4" style="border-collapse:collapse">',
      ...lines.map(
        (line) =>
          `<tr><td>${escapeHtml(line.label)}</td><td style="text-align:right"><strong>${escapeHtml(line.value)}</strong></td><td style="color:#64748b">${escapeHtml(line.change)}</td></tr>`,
      ),
      '</table>',
      overview.comparison ? `<p style="color:#64748b">${escapeHtml(overview.comparison.text)}</p>` : '',
      `<p><a href="${escapeHtml(link('/'))}">Open the overview</a></p>`,
    );
  }
  if (roleAllows(role, 'viewer')) {
    const cards = await topInsights(context, filters);
    sections.text.push('What to do', ...(cards.length === 0 ? ['  No insight fired on these days.'] : []));
    sections.html.push('<h2 style="font-size:16px">What to do</h2>');
    if (cards.length === 0) sections.html.push('<p>No insight fired on these days.</p>');
    for (const card of cards) {
      sections.text.push(`  ${card.action}: ${card.subject}. ${card.finding}`);
      sections.html.push(
        `<p><strong>${escapeHtml(card.action)}</strong>: ${escapeHtml(card.subject)}<br><span style="color:#64748b">${escapeHtml(card.finding)}</span></p>`,
      );
    }
    sections.text.push(`  Insights: ${link('/insights')}`, '');
    sections.html.push(`<p><a href="${escapeHtml(link('/insights'))}">Open the insights</a></p>`);
  }

  const footer = `Every figure stands for at least K = ${context.k} visitors; only released figures are shown. You get this ${frequency} e-mail because you asked for it in Kanon; turn it off on the overview page.`;
  const title = `Kanon ${frequency} report for ${filters.site}: ${span}`;
  return {
    subject: title,
    text: [title, '', ...sections.text, footer, ''].join('\n'),
    html: [
      '<!doctype html><html><body style="font-family:sans-serif;color:#0f172a">',
      `<h1 style="font-size:18px">${escapeHtml(title)}</h1>`,
      ...sections.html,
      `<p style="color:#64748b;font-size:12px">${escapeHtml(footer)}</p>`,
      '</body></html>',
    ].join('\n'),
  };
}

/**
 * The top insights of the period, as /api/v1/insights answers them: compared with the period
 * before only when every day of both is released.
 */
async function topInsights(
  context: ReportMailContext,
  requested: ReturnType<typeof parseFilters>,
): Promise<InsightCard[]> {
  const released = await getReleasedDays(context.warehouse, requested, INSIGHT_REPORTS);
  const cut = comparedWithReleasedDays(requested, released.pending);
  const comparison = await getComparison(context.warehouse, cut, INSIGHT_REPORTS);
  const filters = comparison?.compared === false ? { ...cut, previous: undefined } : cut;
  const { cards } = await getInsights(context.warehouse, filters, { k: context.k, released });
  return cards.slice(0, MAIL_INSIGHTS);
}
