import { z } from 'zod';
import type { Logger } from '../../core/log.js';
import type { Metrics } from '../../core/metrics.js';
import { holdOf, type PendingHolds } from '../../core/queue/pending-batches.js';
import { DAY_SECONDS, toClickHouseDateTime } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { RELEASES_TABLE, STAGING_TABLE } from '../../schema/tables.js';
import type { NoiseSettings } from './noise/noisy-release.js';
import { releaseDay } from './release-day.js';
import { releaseWindow } from './release-window.js';
import { STAGED_EVENTS } from './staged-cells.js';

export interface ReleaseSettings {
  k: number;
  /** KANON_MIN_NETWORKS: distinct networks every released figure needs besides K visitors. */
  minNetworks: number;
  /** Noise mode (KANON_EPSILON), when set. */
  noise?: NoiseSettings;
  windowSeconds: number;
  graceSeconds: number;
  stagingTtlSeconds: number;
  /** KANON_RETENTION: a period already past it is not published (see releaseDue). */
  retentionSeconds: number;
}

export interface ReleaseDeps {
  warehouse: Warehouse;
  settings: ReleaseSettings;
  /**
   * What batches queued but not staged since before `before` (ms) hold back, site by site;
   * undefined when nothing can be pending (a release over staging written directly).
   */
  holds(before: number, now: number): Promise<PendingHolds | undefined>;
  clock: () => number;
  log: Logger;
  metrics: Metrics;
}

const LOOKBACK_SECONDS = 32 * 86_400;

const Due = z.object({ site: z.string(), start: z.number() });
const DueWindow = Due.extend({ events: z.coerce.number() });

/**
 * One release tick. A site's window is due once it has closed, its grace period has passed, and no
 * queued batch can still add to it (the batches pending for that site: another site's do not hold it
 * back); then every due window is released, oldest first, and every day whose windows are all
 * released is released over its whole staging (release-day.ts). Safe to run twice or concurrently.
 */
export async function releaseDue(deps: ReleaseDeps): Promise<{ windows: number; days: number }> {
  const { warehouse, settings } = deps;
  const now = deps.clock();
  const graceEnd = now - settings.graceSeconds * 1000;
  const holds = await deps.holds(graceEnd, now);
  // Seconds before which a site's periods may close: the grace period's end, or its oldest pending event.
  const cutoff = Math.floor(graceEnd / 1000);
  const cutoffOf = (site: string) => Math.floor(Math.min(graceEnd, holdOf(holds, site)) / 1000);
  // Staging expires by the time a cell was staged, not by its window, so backfilled past days
  // (up to 31 days back) are found too.
  const sinceSeconds = Math.floor(now / 1000) - Math.max(settings.stagingTtlSeconds, LOOKBACK_SECONDS);
  const since = toClickHouseDateTime(sinceSeconds);
  // A window or day whose rows would already be past KANON_RETENTION (a backfill older than it)
  // is not published: the engine keeps an insert whose rows have all expired, so they would show
  // past the retention until its next TTL merge. Its staged cells expire with the staging TTL.
  const retainedSeconds = Math.floor(now / 1000) - settings.retentionSeconds + 1;
  const retainedFrom = toClickHouseDateTime(retainedSeconds);
  // Windows are looked for where staging can still hold them and their rows are still retained.
  const windowsFrom = toClickHouseDateTime(Math.max(sinceSeconds, retainedSeconds));
  const windowsReleased = deps.metrics.counter('kanon_release_windows_total', 'Windows released');
  const daysReleased = deps.metrics.counter('kanon_release_days_total', 'Days released');
  const rowsPublished = deps.metrics.counter(
    'kanon_release_rows_total',
    'Rows published by window and day releases',
  );
  const restored = deps.metrics.counter(
    'kanon_release_lost_parts_restored_total',
    'Release inserts lost in a crash after the engine had recorded their token, written again',
  );
  // Counts of windows, never of the groups a window withheld: those had fewer than K visitors.
  const withheld = deps.metrics.counter(
    'kanon_release_withheld_windows_total',
    'Windows of fewer than K visitors, of which nothing was published',
  );
  const capped = deps.metrics.counter(
    'kanon_release_capped_figures_total',
    'Overview figures the linked-reports safety net had to lower (a defect: should stay 0)',
  );

  const closedWindows = await warehouse.query({
    name: 'due_windows',
    sql: `SELECT site, toUInt32(toUnixTimestamp(window_start)) AS start, ${STAGED_EVENTS} AS events
          FROM ${STAGING_TABLE}
          WHERE report = 'overview' AND window_start <= {latest:DateTime('UTC')} AND window_start >= {from:DateTime('UTC')}
            AND (site, window_start) NOT IN (
              SELECT site, period_start FROM ${RELEASES_TABLE}
              WHERE grain = 'window' AND period_start >= {since:DateTime('UTC')})
          GROUP BY site, window_start
          ORDER BY window_start, site`,
    params: { latest: toClickHouseDateTime(cutoff - settings.windowSeconds), from: windowsFrom, since },
    row: DueWindow,
  });
  const dueWindows = closedWindows.filter((due) => due.start + settings.windowSeconds <= cutoffOf(due.site));
  deps.metrics
    .gauge('kanon_release_backlog_windows', 'Closed windows waiting to be released')
    .set(dueWindows.length);
  for (const due of dueWindows) {
    const summary = await releaseWindow({
      warehouse,
      site: due.site,
      windowStart: due.start,
      windowSeconds: settings.windowSeconds,
      k: settings.k,
      minNetworks: settings.minNetworks,
      noise: settings.noise !== undefined,
      releasedAt: deps.clock(),
      events: due.events,
    });
    windowsReleased.inc();
    rowsPublished.inc(summary.rows);
    if (summary.withheld) withheld.inc();
    if (summary.insertsRestored > 0) restored.inc(summary.insertsRestored);
    if (summary.capped > 0) {
      capped.inc(summary.capped);
      deps.log.error(
        { site: due.site, window: toClickHouseDateTime(due.start), capped: summary.capped },
        'release capped overview figures that a report disagreed with',
      );
    }
    deps.log.info(
      {
        site: due.site,
        window: toClickHouseDateTime(due.start),
        rows: summary.rows,
        withheld: summary.withheld,
      },
      'window released',
    );
  }

  const closedDays = await warehouse.query({
    name: 'due_days',
    sql: `SELECT site, toUInt32(toUnixTimestamp(toDateTime(toDate(period_start), 'UTC'))) AS start
          FROM ${RELEASES_TABLE}
          WHERE grain = 'window' AND report = 'overview' AND period_start >= {since:DateTime('UTC')}
            AND toDateTime(toDate(period_start), 'UTC') + ${DAY_SECONDS} <= {cutoff:DateTime('UTC')}
            AND toDateTime(toDate(period_start), 'UTC') >= {retainedFrom:DateTime('UTC')}
            AND (site, toDate(period_start)) NOT IN (
              SELECT site, toDate(period_start) FROM ${RELEASES_TABLE}
              WHERE grain = 'day' AND period_start >= {since:DateTime('UTC')})
          GROUP BY site, start
          ORDER BY start, site`,
    params: { cutoff: toClickHouseDateTime(cutoff), since, retainedFrom },
    row: Due,
  });
  const dueDays = closedDays.filter((due) => due.start + DAY_SECONDS <= cutoffOf(due.site));
  for (const due of dueDays) {
    const summary = await releaseDay({
      warehouse,
      site: due.site,
      dayStart: due.start,
      k: settings.k,
      minNetworks: settings.minNetworks,
      noise: settings.noise,
      releasedAt: deps.clock(),
    });
    daysReleased.inc();
    rowsPublished.inc(summary.rows);
    if (summary.insertsRestored > 0) restored.inc(summary.insertsRestored);
    if (summary.capped > 0) {
      capped.inc(summary.capped);
      deps.log.error(
        { site: due.site, day: toClickHouseDateTime(due.start).slice(0, 10), capped: summary.capped },
        'release capped overview figures that a report disagreed with',
      );
    }
    deps.log.info(
      {
        site: due.site,
        day: toClickHouseDateTime(due.start).slice(0, 10),
        rows: summary.rows,
        withheld: summary.withheld,
      },
      'day released',
    );
  }
  return { windows: dueWindows.length, days: dueDays.length };
}
