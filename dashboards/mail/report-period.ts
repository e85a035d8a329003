import { DAY_SECONDS, toClickHouseDate } from '../../core/time.js';
import type { Frequency } from './subscription-store.js';

/** The days a scheduled report covers: whole UTC days, both ends included. */
export interface ReportPeriod {
  from: string;
  to: string;
  /** When the mail is due (ms): once the period's last day has ended and been released. */
  dueAt: number;
}

const dayStart = (ms: number) => Math.floor(ms / 1000 / DAY_SECONDS) * DAY_SECONDS;

/**
 * The last period a report of `frequency` covers at `now`: yesterday for a daily one, the last
 * whole week (Monday to Sunday) for a weekly one. Breakdowns are released once a day ends, at
 * midnight UTC plus KANON_GRACE (and the release job's next tick), so the mail is due one release
 * window after that: it then reads the period's released day rows, never a day still filling up.
 */
export function lastReportPeriod(
  frequency: Exclude<Frequency, 'off'>,
  now: number,
  release: { windowSeconds: number; graceSeconds: number },
): ReportPeriod {
  const today = dayStart(now);
  // Monday is day 0 (1 Jan 1970 was a Thursday, day 3).
  const weekday = (today / DAY_SECONDS + 3) % 7;
  const end = frequency === 'daily' ? today : today - weekday * DAY_SECONDS;
  const start = end - (frequency === 'daily' ? 1 : 7) * DAY_SECONDS;
  return {
    from: toClickHouseDate(start),
    to: toClickHouseDate(end - DAY_SECONDS),
    dueAt: (end + release.graceSeconds + Math.min(release.windowSeconds, 3600)) * 1000,
  };
}
