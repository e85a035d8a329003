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

/** What one run may release: the bounds of its look for due periods, and each site's cutoff. */
interface RunScope {
  /** Seconds: the grace period's end. */
  cutoff: number;
  /** Seconds before which a site's periods may close: the grace period's end or its oldest pending event. */
  cutoffOf(site: string): number;
  since: string;
  retainedFrom: string;
  windowsFrom: string;
  /** Only this site's periods (a per-site release job), or every site's. */
  site?: string;
}

async function scopeOf(deps: ReleaseDeps, site?: string): Promise<RunScope> {
  const { settings } = deps;
  const now = deps.clock();
  const graceEnd = now - settings.graceSeconds * 1000;
  const holds = await deps.holds(graceEnd, now);
  // Staging expires by the time a cell was staged, not by its window, so backfilled past days
  // (up to 31 days back) are found too.
  const sinceSeconds = Math.floor(now / 1000) - Math.max(settings.stagingTtlSeconds, LOOKBACK_SECONDS);
  // A window or day whose rows would already be past KANON_RETENTION (a backfill older than it)
  // is not published: the engine keeps an insert whose rows have all expired, so they would show
  // past the retention until its next TTL merge. Its staged cells expire with the staging TTL.
  const retainedSeconds = Math.floor(now / 1000) - settings.retentionSeconds + 1;
  return {
    cutoff: Math.floor(graceEnd / 1000),
    cutoffOf: (due) => Math.floor(Math.min(graceEnd, holdOf(holds, due)) / 1000),
    since: toClickHouseDateTime(sinceSeconds),
    retainedFrom: toClickHouseDateTime(retainedSeconds),
    // Windows are looked for where staging can still hold them and their rows are still retained.
    windowsFrom: toClickHouseDateTime(Math.max(sinceSeconds, retainedSeconds)),
    ...(site === undefined ? {} : { site }),
  };
}

// A site's job reads that site's rows only, in its subqueries too: on a cluster, one shard.
const siteFilter = (scope: RunScope) => (scope.site === undefined ? '' : 'AND site = {site:String}');
const siteParam = (scope: RunScope) => (scope.site === undefined ? {} : { site: scope.site });

/** Closed windows not yet released, of the scope's site or of every site, oldest first. */
async function findDueWindows(deps: ReleaseDeps, scope: RunScope) {
  const closed = await deps.warehouse.query({
    name: 'due_windows',
    sql: `SELECT site, toUInt32(toUnixTimestamp(window_start)) AS start, ${STAGED_EVENTS} AS events
          FROM ${STAGING_TABLE}
          WHERE report = 'overview' AND window_start <= {latest:DateTime('UTC')} AND window_start >= {from:DateTime('UTC')}
            ${siteFilter(scope)}
            AND (site, window_start) NOT IN (
              SELECT site, period_start FROM ${RELEASES_TABLE}
              WHERE grain = 'window' AND period_start >= {since:DateTime('UTC')} ${siteFilter(scope)})
          GROUP BY site, window_start
          ORDER BY window_start, site`,
    params: {
      latest: toClickHouseDateTime(scope.cutoff - deps.settings.windowSeconds),
      from: scope.windowsFrom,
      since: scope.since,
      ...siteParam(scope),
    },
    row: DueWindow,
  });
  return closed.filter((due) => due.start + deps.settings.windowSeconds <= scope.cutoffOf(due.site));
}

/** Days with released windows that are past their end and not released themselves, oldest first. */
async function findDueDays(deps: ReleaseDeps, scope: RunScope) {
  const closed = await deps.warehouse.query({
    name: 'due_days',
    sql: `SELECT site, toUInt32(toUnixTimestamp(toDateTime(toDate(period_start), 'UTC'))) AS start
          FROM ${RELEASES_TABLE}
          WHERE grain = 'window' AND report = 'overview' AND period_start >= {since:DateTime('UTC')}
            ${siteFilter(scope)}
            AND toDateTime(toDate(period_start), 'UTC') + ${DAY_SECONDS} <= {cutoff:DateTime('UTC')}
            AND toDateTime(toDate(period_start), 'UTC') >= {retainedFrom:DateTime('UTC')}
            AND (site, toDate(period_start)) NOT IN (
              SELECT site, toDate(period_start) FROM ${RELEASES_TABLE}
              WHERE grain = 'day' AND period_start >= {since:DateTime('UTC')} ${siteFilter(scope)})
          GROUP BY site, start
          ORDER BY start, site`,
    params: {
      cutoff: toClickHouseDateTime(scope.cutoff),
      since: scope.since,
      retainedFrom: scope.retainedFrom,
      ...siteParam(scope),
    },
    row: Due,
  });
  return closed.filter((due) => due.start + DAY_SECONDS <= scope.cutoffOf(due.site));
}

const backlogGauge = (deps: ReleaseDeps) =>
  deps.metrics.gauge('kanon_release_backlog_windows', 'Closed windows waiting to be released');

/**
 * The sites that have a window or a day to release now: the release schedule gives each its own
 * job (core/queue/release-queue.ts), so one site's release never waits for another's.
 */
export async function sitesDue(deps: ReleaseDeps): Promise<string[]> {
  const scope = await scopeOf(deps);
  const [windows, days] = await Promise.all([findDueWindows(deps, scope), findDueDays(deps, scope)]);
  backlogGauge(deps).set(windows.length);
  return [...new Set([...windows, ...days].map((due) => due.site))];
}

export interface ReleaseScope {
  /** Release this site's periods only (a per-site job); every site's when absent. */
  site?: string;
  /**
   * Take no new window after this wall-clock time (ms), and leave the days to the next run: a site
   * with a long backfill then takes turns with the others rather than hold a worker.
   */
  until?: number;
}

/**
 * One release run. A site's window is due once it has closed, its grace period has passed, and no
 * queued batch can still add to it (the batches pending for that site: another site's do not hold it
 * back); then every due window is released, oldest first, and every day whose windows are all
 * released is released over its whole staging (release-day.ts). Safe to run twice or concurrently.
 * `more` says a run cut short by `until` left periods for the next.
 */
export async function releaseDue(
  deps: ReleaseDeps,
  runScope: ReleaseScope = {},
): Promise<{ windows: number; days: number; more: boolean }> {
  const { warehouse, settings } = deps;
  const scope = await scopeOf(deps, runScope.site);
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

  const dueWindows = await findDueWindows(deps, scope);
  if (runScope.site === undefined) backlogGauge(deps).set(dueWindows.length);
  let windowsDone = 0;
  for (const due of dueWindows) {
    if (runScope.until !== undefined && Date.now() > runScope.until) break;
    windowsDone += 1;
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

  // Cut short, some windows wait for the next run: so do the days, which come after their windows.
  if (windowsDone < dueWindows.length) return { windows: windowsDone, days: 0, more: true };
  const dueDays = await findDueDays(deps, scope);
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
  return { windows: dueWindows.length, days: dueDays.length, more: false };
}
