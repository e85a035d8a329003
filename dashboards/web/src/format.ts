const whole = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const plainMoney = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const DASH = '—';

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return Math.abs(value) >= 1_000_000 ? compact.format(value) : whole.format(value);
}

export function formatCompact(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return Math.abs(value) >= 10_000 ? compact.format(value) : whole.format(value);
}

interface MoneyFormats {
  /** The currency's own minor digits (2 for EUR, 0 for JPY), for every figure. */
  exact: Intl.NumberFormat;
  /** A headline over 100,000 ("€123.5K"), as counts go compact over 10,000. */
  compact: Intl.NumberFormat;
  /** Axis ticks below 10,000, in whole units. */
  axis: Intl.NumberFormat;
}

const plain: MoneyFormats = {
  exact: plainMoney,
  compact: new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 }),
  axis: whole,
};
let money: MoneyFormats = plain;

/**
 * The shop's currency (KANON_CURRENCY, an ISO 4217 code): every amount is written with its symbol
 * and its own number of decimals through Intl.NumberFormat. Unset (or unknown to the browser),
 * amounts are plain numbers with two decimals.
 */
export function setCurrency(code: string | undefined): void {
  money = plain;
  if (!code) return;
  try {
    money = {
      exact: new Intl.NumberFormat('en', { style: 'currency', currency: code }),
      compact: new Intl.NumberFormat('en', {
        style: 'currency',
        currency: code,
        notation: 'compact',
        maximumFractionDigits: 1,
      }),
      axis: new Intl.NumberFormat('en', { style: 'currency', currency: code, maximumFractionDigits: 0 }),
    };
  } catch {
    money = plain;
  }
}

/**
 * Money arrives in minor units (cents). Every amount has the same decimals, in tables and on the
 * cards alike ("€11,076.40", "€727.10"); `headline` (a card's big figure) goes compact from
 * 100,000 up, `axis` (chart ticks) drops the decimals and goes compact from 10,000 up.
 */
export function formatMoney(
  cents: number | null | undefined,
  style: 'exact' | 'headline' | 'axis' = 'exact',
): string {
  if (cents === null || cents === undefined) return DASH;
  const major = cents / 100;
  if (style === 'axis') return (Math.abs(major) >= 10_000 ? money.compact : money.axis).format(major);
  if (style === 'headline' && Math.abs(major) >= 100_000) return money.compact.format(major);
  return money.exact.format(major);
}

const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
/** "Germany" for DE: a country's name in English, or its code when the browser knows no name. */
export function countryName(code: string): string {
  try {
    return regions.of(code) ?? code;
  } catch {
    return code;
  }
}

export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  const percent = value * 100;
  return `${percent >= 10 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)}%`;
}

/**
 * A share in named rows as the API's sentences word it: never 100% while something is in "Other",
 * never 0% while something is named (dashboards/presenters/named-share.ts).
 */
export function formatNamedShare(share: number): string {
  if (share >= 1) return '100%';
  if (share <= 0) return '0%';
  return `${100 - Math.min(99, Math.max(1, Math.round((1 - share) * 100)))}%`;
}

export function formatChange(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  const percent = Math.round(value * 100);
  if (percent === 0) return '±0%';
  return `${percent > 0 ? '+' : '−'}${Math.abs(percent)}%`;
}

const DAY_FORMAT = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const YEAR_FORMAT = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

export function formatDay(date: string, withYear = false): string {
  const at = new Date(`${date}T00:00:00Z`);
  return (withYear ? YEAR_FORMAT : DAY_FORMAT).format(at);
}

export function formatRange(from: string, to: string): string {
  if (from === to) return formatDay(from, true);
  return `${formatDay(from)} – ${formatDay(to, true)}`;
}

export function formatWindow(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? 'day' : `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  return `${Math.round(seconds / 60)} minutes`;
}
