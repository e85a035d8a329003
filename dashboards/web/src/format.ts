const whole = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const money = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const moneyWhole = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

export const DASH = '—';

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return Math.abs(value) >= 1_000_000 ? compact.format(value) : whole.format(value);
}

export function formatCompact(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return Math.abs(value) >= 10_000 ? compact.format(value) : whole.format(value);
}

let currency: { compact: Intl.NumberFormat; whole: Intl.NumberFormat; exact: Intl.NumberFormat } | undefined;
/** The shop's currency (ISO code), when the deployment names one; otherwise plain numbers. */
export function setCurrency(code: string | undefined): void {
  if (!code) return;
  try {
    currency = {
      compact: new Intl.NumberFormat('en', {
        style: 'currency',
        currency: code,
        notation: 'compact',
        maximumFractionDigits: 1,
      }),
      whole: new Intl.NumberFormat('en', { style: 'currency', currency: code, maximumFractionDigits: 0 }),
      exact: new Intl.NumberFormat('en', { style: 'currency', currency: code }),
    };
  } catch {
    currency = undefined;
  }
}

/** Money arrives in minor units (cents). */
export function formatMoney(cents: number | null | undefined, big = false): string {
  if (cents === null || cents === undefined) return DASH;
  const major = cents / 100;
  if (big && Math.abs(major) >= 100_000) return (currency?.compact ?? compact).format(major);
  return big && Math.abs(major) >= 1000
    ? (currency?.whole ?? moneyWhole).format(major)
    : (currency?.exact ?? money).format(major);
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
