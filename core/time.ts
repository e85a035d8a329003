/** Time helpers shared by workers and dashboards. All times are UTC; ClickHouse columns are DateTime('UTC'). */

/** Start (unix seconds) of the window holding `ms`. */
export function windowStartOf(ms: number, windowSeconds: number): number {
  const seconds = Math.floor(ms / 1000);
  return seconds - (seconds % windowSeconds);
}

/** `YYYY-MM-DD HH:MM:SS`, the text form ClickHouse reads and writes for DateTime('UTC'). */
export function toClickHouseDateTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

export function fromClickHouseDateTime(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}Z`) / 1000;
}

export function toClickHouseDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10);
}

export const DAY_SECONDS = 86_400;

const DAY_MS = DAY_SECONDS * 1000;
// The collector asks for the day of every event, nearly always the same one: formatting a Date
// each time showed in its profile, so the last day's bounds and text are kept.
let lastDay = { from: 0, to: 0, text: '1970-01-01' };

/** The UTC day (`YYYY-MM-DD`) of a millisecond timestamp. */
export function dayOfMs(ms: number): string {
  if (ms >= lastDay.from && ms < lastDay.to) return lastDay.text;
  const from = Math.floor(ms / DAY_MS) * DAY_MS;
  const text = new Date(from).toISOString().slice(0, 10);
  if (Number.isFinite(from)) lastDay = { from, to: from + DAY_MS, text };
  return text;
}
