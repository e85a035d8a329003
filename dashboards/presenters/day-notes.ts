import { DAY_SECONDS } from '../../core/time.js';
import type { ReleasedDays } from '../query/released-days.js';

/**
 * The sentences that say, in place, which days a breakdown covers and when the others come. A
 * merchandiser sees "Covers 1–5 Dec, the days released so far", never an empty table that seems
 * to blame K for a day that simply has not been released yet.
 */
export interface DayContext {
  today: string;
  graceSeconds: number;
}

const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000 / DAY_SECONDS;

/** "today", "yesterday" or "3 Dec". */
function dayLabel(date: string, today: string): string {
  if (date === today) return 'today';
  if (dayNumber(date) === dayNumber(today) - 1) return 'yesterday';
  return DATE.format(new Date(`${date}T00:00:00Z`));
}

/** Runs of consecutive days, as [first, last]. */
function runs(days: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const date of [...days].sort()) {
    const last = out.at(-1);
    if (last && dayNumber(date) === dayNumber(last[1]) + 1) last[1] = date;
    else out.push([date, date]);
  }
  return out;
}

const list = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/** "1–5 Dec", "28 Nov – 2 Dec", "3 Dec and 5–6 Dec", "yesterday and today", "2 Dec – today". */
export function describeDays(days: readonly string[], today: string): string {
  return list(
    runs(days).map(([first, last]) => {
      const from = dayLabel(first, today);
      const to = dayLabel(last, today);
      if (first === last) return from;
      if (dayNumber(last) === dayNumber(first) + 1 && (to === 'today' || to === 'yesterday'))
        return `${from} and ${to}`;
      if (/^\d/.test(to) && first.slice(0, 7) === last.slice(0, 7)) return `${Number(first.slice(8))}–${to}`;
      return `${from} – ${to}`;
    }),
  );
}

/** A run of days given by its first and last, in words ("24–28 Nov"). */
export function describeSpan(from: string, to: string, today: string): string {
  const days: string[] = [];
  for (let day = dayNumber(from); day <= dayNumber(to); day++)
    days.push(new Date(day * DAY_SECONDS * 1000).toISOString().slice(0, 10));
  return describeDays(days, today);
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** When a day's breakdowns are released: midnight UTC plus KANON_GRACE. */
export function releaseTime(graceSeconds: number): string {
  const minutes = Math.round(graceSeconds / 60);
  const clock = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')} UTC`;
  return graceSeconds > 0 ? `from ${clock}, midnight plus the grace period` : `from ${clock}`;
}

const CLOCK = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

/**
 * When the next release window is published: a window is released once it has closed and
 * KANON_GRACE has passed (workers/release/release-due.ts), so the next one after `now` is the end
 * of the window open at `now - grace`, plus the grace. "Next release at 14:05 UTC" (or "tomorrow
 * at 00:05 UTC"); the release job's tick may add a moment.
 */
export function nextRelease(
  now: number,
  windowSeconds: number,
  graceSeconds: number,
): { at: string; text: string } {
  const nowSeconds = Math.floor(now / 1000);
  const open = nowSeconds - graceSeconds;
  const at = (Math.floor(open / windowSeconds) + 1) * windowSeconds + graceSeconds;
  const date = new Date(at * 1000);
  const sameDay = Math.floor(at / DAY_SECONDS) === Math.floor(nowSeconds / DAY_SECONDS);
  return {
    at: date.toISOString(),
    text: `Next release ${sameDay ? 'at' : 'tomorrow at'} ${CLOCK.format(date)} UTC`,
  };
}

/** "once it ends (...)" for today alone; "once each day has ended and been released (...)" otherwise. */
function whenPublished(pending: readonly string[], context: DayContext): string {
  const time = releaseTime(context.graceSeconds);
  if (pending.length === 1 && pending[0] === context.today) return `once it ends (${time})`;
  return pending.length === 1
    ? `once it has ended and been released (${time})`
    : `once each day has ended and been released (${time})`;
}

/**
 * The note under a breakdown of `noun` (plural: "products", "search terms"), or undefined when
 * every day of the range with figures is released.
 */
export function describeReleased(
  released: ReleasedDays,
  noun: string,
  context: DayContext,
  /** The previous period the released days are compared with, when comparison is on. */
  compared?: { from: string; to: string },
): string | undefined {
  const { days, pending } = released;
  if (pending.length === 0) return undefined;
  const waiting = describeDays(pending, context.today);
  if (days.length === 0) {
    if (pending.length === 1 && pending[0] === context.today)
      return `Today's ${noun} are published as a whole day ${whenPublished(pending, context)}.`;
    return `The ${noun} of ${waiting} are published as ${pending.length === 1 ? 'a whole day' : 'whole days'} ${whenPublished(pending, context)}.`;
  }
  // "Today comes once it has ended and been released": beside released days, say both steps.
  const when =
    pending.length === 1
      ? `comes once it has ended and been released (${releaseTime(context.graceSeconds)})`
      : `come ${whenPublished(pending, context)}`;
  const against = compared
    ? `, compared with ${describeSpan(compared.from, compared.to, context.today)}`
    : '';
  return `These figures cover ${describeDays(days, context.today)}, the days released so far${against}. ${capital(waiting)} ${when}.`;
}

/** The overview's note on its tables, which cover released days while its totals count today. */
export function describeTables(released: ReleasedDays, context: DayContext): string | undefined {
  const { days, pending } = released;
  if (pending.length === 0) return undefined;
  const waiting = describeDays(pending, context.today);
  const time = releaseTime(context.graceSeconds);
  if (days.length === 0)
    return pending.length === 1 && pending[0] === context.today
      ? `Today's tables are published as a whole day once it ends (${time}). The totals above count today's release windows so far.`
      : `The tables of ${waiting} are published once each day has ended and been released (${time}). The totals above count their release windows so far.`;
  return `The tables below cover ${describeDays(days, context.today)}, the days released so far; the totals above also count ${waiting} as far as released. Each day's tables are published as a whole once it has ended and been released (${time}).`;
}

/** What the figures are for when a filter cannot apply ("for all devices"). */
const ALL: Record<string, string> = {
  device: 'devices',
  country: 'countries',
  campaign: 'visits',
  source: 'sources',
  product: 'products',
};

/**
 * The overview's note when a device, country, campaign, source or product filter reads a breakdown: it covers the
 * released days only (or, with none released yet, cannot apply and the totals are for everyone).
 */
export function describeFilterDays(
  released: ReleasedDays,
  dimension: string,
  context: DayContext,
): string | undefined {
  const { days, pending } = released;
  if (pending.length === 0) return undefined;
  const waiting = describeDays(pending, context.today);
  const all = ALL[dimension] ?? 'visits';
  if (days.length === 0) {
    const today = pending.length === 1 && pending[0] === context.today;
    return today
      ? `Today is not split by ${dimension} yet: figures by ${dimension} are published as a whole day ${whenPublished(pending, context)}. The figures below are today's totals for all ${all}.`
      : `${capital(waiting)} ${pending.length === 1 ? 'is' : 'are'} not split by ${dimension} yet: figures by ${dimension} are published as whole days ${whenPublished(pending, context)}. The figures below are for all ${all}.`;
  }
  return `By ${dimension}, figures cover ${describeDays(days, context.today)}, the days released so far, compared with the same days of the previous period. ${capital(waiting)} ${pending.length === 1 ? 'is' : 'are'} split by ${dimension} ${whenPublished(pending, context)}.`;
}

/** What a comparison covers, as the API answers it (presenters/get-comparison.ts). */
export interface ComparedStretch {
  from: string;
  to: string;
  /** Unix seconds: the last day counts up to here, the part of today released so far. */
  until: number | null;
  days: number;
  covered: number;
  compared: boolean;
  /** The same days a year before (compare=year), rather than the days just before. */
  yearBefore?: boolean;
}

/**
 * "Compared with 24–30 Nov.", "Compared with 1–7 Dec 2025, a year before.", "Compared with
 * yesterday until 12:00 UTC: the same part of the day as today.", or why there is no change to show: "Not compared with 24–30 Nov: it has released
 * figures for only 1 of its 7 days." A change against days without figures would read as growth.
 */
export function describeComparison(stretch: ComparedStretch, today: string): string {
  const span = describeSpan(stretch.from, stretch.to, today);
  const what = stretch.yearBefore ? `${span} ${stretch.to.slice(0, 4)}, a year before` : span;
  if (!stretch.compared) {
    return stretch.covered === 0
      ? `Not compared with ${what}: it has no released figures.`
      : `Not compared with ${what}: it has released figures for only ${stretch.covered} of its ${stretch.days} days.`;
  }
  if (stretch.until === null) return `Compared with ${what}.`;
  const time = `${new Date(stretch.until * 1000).toISOString().slice(11, 16)} UTC`;
  return stretch.days === 1
    ? `Compared with ${what} until ${time}: the same part of the day as today.`
    : `Compared with ${what}, its last day until ${time}: the same part of the day as today.`;
}
