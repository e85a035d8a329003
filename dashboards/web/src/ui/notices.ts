/// <reference lib="dom" />
import { h, icon } from '../dom.js';
import { formatRate, formatWindow } from '../format.js';
import type { DimensionFilter } from '../state.js';

export interface PrivacyNote {
  k: number;
  /** Release windows for the site totals, days for breakdowns. */
  grain: 'window' | 'day';
  released: number;
  groupsGeneralised: number;
  withheld: number;
  text: string | null | undefined;
  /** When the next release window is published ("Next release at 14:05 UTC"). */
  nextRelease?: { at: string; text: string };
}

/** The days a breakdown covers: released ones, and those still to come (today). */
export interface ReleasedDays {
  days: string[];
  pending: string[];
  /** The released days in words ("1–5 Dec"). */
  covers?: string | null;
  text: string | null;
}

/**
 * What a view's figures are compared with, or why they are not (the previous period lacks released
 * figures for part of the stretch compared): one rule for every page, worded by the API.
 */
export interface Comparison {
  from: string;
  to: string;
  until: number | null;
  days: number;
  covered: number;
  compared: boolean;
  text: string;
}

/** The share of a table's main measure in named rows, as the API words it. */
export interface NamedShare {
  measure: string;
  label: string;
  share: number | null;
  text: string | null;
}

/** "12 small groups combined or hidden to protect shoppers' privacy", in place, under a card. */
export function privacyFootnote(note: PrivacyNote | undefined): HTMLElement | null {
  if (!note?.text) return null;
  return h(
    'p',
    {
      class: 'privacy-note',
      attrs: {
        title: `Every figure stands for at least ${note.k} visitors. Smaller groups are folded into "Other" rows or left out.`,
      },
    },
    icon('shield', 'icon small'),
    note.text,
  );
}

/**
 * Which days a table covers, in place above it, when the range reaches a day not released yet:
 * "Released days: 1–5 Dec", the whole sentence on hover (the view says it once in full).
 */
export function releasedTag(released: ReleasedDays | undefined): HTMLElement | null {
  if (!released?.covers || released.pending.length === 0) return null;
  return h(
    'p',
    { class: 'released-tag', attrs: { title: released.text ?? '' } },
    icon('calendar', 'icon small'),
    `Released days: ${released.covers}`,
  );
}

/**
 * The view's one full note on the days its tables cover ("These figures cover 1–5 Dec, the days
 * released so far. Yesterday and today come ..."), and on why they are not compared when the
 * previous period lacks released days, shown once the first table has loaded. With no day
 * released, each table's empty state says when its day comes instead.
 */
export function releasedBanner(): {
  element: HTMLElement;
  show(released: ReleasedDays, comparison?: Comparison | null): void;
} {
  const text = h('span');
  const element = h(
    'p',
    { class: 'released-note hidden', attrs: { role: 'note' } },
    icon('calendar', 'icon small'),
    text,
  );
  return {
    element,
    show(released, comparison) {
      if (!element.classList.contains('hidden') || released.days.length === 0) return;
      const notCompared = comparison && !comparison.compared ? comparison.text : null;
      const sentences = [released.text, notCompared].filter(Boolean);
      if (sentences.length === 0) return;
      text.textContent = sentences.join(' ');
      element.classList.remove('hidden');
    },
  };
}

/**
 * In place on a table with a change column whose previous period is not comparable: "Not compared
 * with 24–30 Nov", with the reason beside it, so a dash in the change column is not a mystery.
 */
export function notComparedTag(comparison: Comparison | null | undefined): HTMLElement | null {
  if (!comparison || comparison.compared) return null;
  return h(
    'p',
    { class: 'not-compared-tag', attrs: { role: 'note' } },
    icon('info', 'icon small'),
    comparison.text,
  );
}

/**
 * "94% of orders are in named rows; 6% in groups too small to name", under a table, with a thin
 * bar of the named share so a dominant "Other" shows at a glance.
 */
export function namedLine(named: NamedShare | null | undefined, scope?: string): HTMLElement | null {
  if (!named?.text || named.share === null) return null;
  return h(
    'div',
    { class: 'named-line', attrs: { role: 'note' } },
    h(
      'span',
      {
        class: 'named-meter',
        attrs: { role: 'img', 'aria-label': `${formatRate(named.share)} of ${named.label} in named rows` },
      },
      h('span', { style: { width: `${(named.share * 100).toFixed(1)}%` } }),
    ),
    h('span', null, scope ? `${named.text} ${scope}` : named.text),
  );
}

/** A sentence that reconciles two figures of the same thing ("Bought counts shoppers, not orders"). */
export function figureNote(text: string | null | undefined, className = ''): HTMLElement | null {
  if (!text) return null;
  return h(
    'div',
    { class: `notice figures ${className}`.trim(), attrs: { role: 'note' } },
    icon('info', 'icon'),
    h('div', null, text),
  );
}

const NAMES: Record<DimensionFilter, string> = {
  device: 'device',
  country: 'country',
  campaign: 'campaign',
  source: 'source',
  product: 'product',
};
/** What the figures are for when a filter cannot apply ("for all devices"). */
const ALL: Record<DimensionFilter, string> = {
  device: 'devices',
  country: 'countries',
  campaign: 'visits',
  source: 'sources',
  product: 'products',
};

/** Said where a filter cannot apply, instead of quietly showing unfiltered figures. */
export function notSplitNotice(
  dimensions: readonly DimensionFilter[],
  what = 'This view',
  plural = false,
): HTMLElement | null {
  if (dimensions.length === 0) return null;
  const list = dimensions.map((d) => NAMES[d]).join(' or ');
  return h(
    'div',
    { class: 'notice not-split', attrs: { role: 'note' } },
    icon('shield', 'icon'),
    h(
      'div',
      null,
      h('strong', null, `${what} ${plural ? 'are' : 'is'} not split by ${list}.`),
      ' ',
      `Kanon keeps its reports apart so that a filtered copy can never be compared with the whole to single out a few shoppers. The figures below are for all ${ALL[dimensions[0]!]}.`,
    ),
  );
}

/** Said where a filter waits for a day's release (today): the figures are everyone's meanwhile. */
export function filterPendingNotice(dimension: DimensionFilter, text: string | null): HTMLElement {
  return h(
    'div',
    { class: 'notice pending', attrs: { role: 'note' } },
    icon('calendar', 'icon'),
    h('div', null, text ?? `Not split by ${NAMES[dimension]} yet.`),
  );
}

/**
 * Why there is nothing to show: a day not released yet (breakdowns come once per day, after it
 * ends), nothing released at all, or released days without any of `what` ("promotions"): then none
 * were recorded, or too few visitors made them to show. K is one reason of two there, never the
 * only one: a shop without promotions has none to show whatever K is.
 */
export function emptyState(
  note: PrivacyNote | undefined,
  windowSeconds: number,
  k: number,
  released?: ReleasedDays,
  what?: string,
): HTMLElement {
  if (released && released.days.length === 0 && released.pending.length > 0) {
    return h(
      'div',
      'empty-state waiting',
      icon('calendar', 'icon large'),
      h('p', 'empty-title', 'Published once the day is over'),
      h('p', 'muted', released.text ?? ''),
    );
  }
  if (what && released && released.days.length > 0) {
    return h(
      'div',
      'empty-state',
      icon('empty', 'icon large'),
      h('p', 'empty-title', `No ${what} in ${released.covers ?? 'these days'}`),
      h(
        'p',
        'muted',
        `None were recorded on these days, or fewer than K = ${k} visitors account for them, and a figure of fewer than K visitors is never shown.`,
      ),
    );
  }
  const none = !note || note.released === 0;
  const when =
    note?.grain === 'day'
      ? 'Breakdowns are released once per day, over the whole day, after it ends'
      : `Figures are released once their release window (every ${formatWindow(windowSeconds)}) has closed`;
  return h(
    'div',
    'empty-state',
    icon('empty', 'icon large'),
    h('p', 'empty-title', none ? 'No released data yet' : 'Nothing to show for this range'),
    h(
      'p',
      'muted',
      none
        ? `${when}, and only for groups of at least K = ${k} visitors.`
        : `Only groups of at least K = ${k} visitors are released; none reached it here.`,
    ),
    none && note?.nextRelease ? h('p', 'next-release', `${note.nextRelease.text}.`) : null,
  );
}

export function errorState(message: string): HTMLElement {
  return h(
    'div',
    'empty-state error',
    icon('info', 'icon large'),
    h('p', 'empty-title', 'This could not be loaded'),
    h('p', 'muted', message),
  );
}

export function skeleton(lines = 4): HTMLElement {
  return h(
    'div',
    { class: 'skeleton', attrs: { 'aria-busy': 'true' } },
    Array.from({ length: lines }, () => h('div', 'skeleton-line')),
  );
}
