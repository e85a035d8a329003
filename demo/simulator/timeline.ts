import type { Random } from './random.js';

/**
 * When traffic happens. Past days are whole UTC days before today's; today is the part of the
 * current UTC day up to `now`. Visits follow a diurnal curve (quiet nights, a lunch bump, an
 * evening peak, in UTC for a mostly European audience) and weekends are a little busier.
 */
export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Relative visits per UTC hour. */
export const HOURLY = [
  1.2, 0.8, 0.5, 0.4, 0.4, 0.6, 1.2, 2.2, 3.2, 3.8, 4.0, 4.3, 4.6, 4.3, 4.0, 4.0, 4.3, 4.8, 5.6, 6.2, 6.3,
  5.4, 3.9, 2.3,
] as const;
const HOURLY_TOTAL = HOURLY.reduce((sum, weight) => sum + weight, 0);
/** Sunday first, as Date#getUTCDay counts. */
const WEEKDAY = [1.15, 0.95, 0.95, 1.0, 1.0, 0.95, 1.1] as const;

export interface Day {
  /** 0 for the oldest day. */
  index: number;
  start: number;
  /** `YYYY-MM-DD`. */
  date: string;
  /** True for today: its traffic is sent live, without timestamps. */
  today: boolean;
  /** Until when visits start: the day's end, or `now` for today. */
  until: number;
  /** Expected share of traffic, relative. */
  weight: number;
}

export const startOfUtcDay = (ms: number) => ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);

/** Share of a day's visits that start before `ms` into the day. */
function elapsedShare(msIntoDay: number): number {
  let share = 0;
  for (let hour = 0; hour < 24; hour += 1) {
    const covered = Math.min(1, Math.max(0, (msIntoDay - hour * HOUR_MS) / HOUR_MS));
    share += covered * (HOURLY[hour] ?? 0);
  }
  return share / HOURLY_TOTAL;
}

/** `pastDays` whole days before today, then today up to `now`. */
export function buildTimeline(pastDays: number, now: number): Day[] {
  const today = startOfUtcDay(now);
  const days: Day[] = [];
  for (let back = pastDays; back >= 0; back -= 1) {
    const start = today - back * DAY_MS;
    const weekday = WEEKDAY[new Date(start).getUTCDay()] ?? 1;
    const isToday = back === 0;
    days.push({
      index: pastDays - back,
      start,
      date: new Date(start).toISOString().slice(0, 10),
      today: isToday,
      until: isToday ? now : start + DAY_MS,
      // With no past day, all the traffic is today's, however early it is.
      weight: weekday * (isToday && pastDays > 0 ? elapsedShare(now - start) : 1),
    });
  }
  return days;
}

/** A visit's start within the day, following the diurnal curve (and before `until`). */
export function visitStart(day: Day, random: Random): number {
  const span = day.until - day.start;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const offset = random.weightedIndex(HOURLY) * HOUR_MS + Math.floor(random.next() * HOUR_MS);
    if (offset < span) return day.start + offset;
  }
  return day.start + Math.floor(random.next() * span);
}
