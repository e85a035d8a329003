/// <reference lib="dom" />
import { h, icon } from '../dom.js';
import { formatWindow } from '../format.js';
import type { DimensionFilter } from '../state.js';

export interface PrivacyNote {
  k: number;
  windowsReleased: number;
  groupsGeneralised: number;
  windowsWithheld: number;
  text: string | null | undefined;
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

const NAMES: Record<DimensionFilter, string> = { device: 'device', country: 'country', campaign: 'campaign' };

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
      `Kanon keeps its reports apart so that a filtered copy can never be compared with the whole to single out a few shoppers. The figures below are for all ${dimensions.includes('device') ? 'devices' : dimensions.includes('country') ? 'countries' : 'visits'}.`,
    ),
  );
}

/** Why there is nothing to show. */
export function emptyState(note: PrivacyNote | undefined, windowSeconds: number, k: number): HTMLElement {
  const none = !note || note.windowsReleased === 0;
  return h(
    'div',
    'empty-state',
    icon('empty', 'icon large'),
    h('p', 'empty-title', none ? 'No released data yet' : 'Nothing to show for this range'),
    h(
      'p',
      'muted',
      none
        ? `Figures are released once their release window (every ${formatWindow(windowSeconds)}) has closed, and only for groups of at least K = ${k} visitors.`
        : `Only groups of at least K = ${k} visitors are released; none reached it here.`,
    ),
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
