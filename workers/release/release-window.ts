import { toClickHouseDateTime } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import {
  EVENT_KINDS_REPORT,
  type ReportName,
  type StagedReportName,
  WINDOW_REPORTS,
} from '../../schema/reports.js';
import { publishedTable, RELEASES_TABLE } from '../../schema/tables.js';
import { type CheckedInsert, insertChecked } from './checked-inserts.js';
import type { StagedCell } from './generalise.js';
import { releaseLinkedReports } from './link-reports.js';
import { manifestRows } from './manifest.js';
import { toPublishedRow } from './published-rows.js';
import { readStagedCells } from './staged-cells.js';

export interface WindowReleaseSummary {
  site: string;
  windowStart: number;
  rows: number;
  /** Fewer than K visitors in the whole window: nothing of it was published. */
  withheld: boolean;
  /** Overview figures the linked-reports safety net lowered (link-reports.ts): 0 unless a defect. */
  capped: number;
  /** Inserts whose part the engine had lost in a crash, written again (checked-inserts.ts). */
  insertsRestored: number;
}

/**
 * Releases one closed window of one site: its site totals (WINDOW_REPORTS), for the dashboards'
 * figures of today. A window of fewer than K visitors publishes nothing; a kind of event fewer
 * than K visitors made reads 0 (link-reports.ts). Breakdowns wait for the day (release-day.ts).
 * The overview is one staged cell and each kind one cell, so no visitor token is read: their
 * distinct counts come from the engine. Every insert has a deterministic deduplication token, so a
 * release that crashes half-way, is retried, or runs in two workers at once publishes its row
 * once (invariant 5); the manifest, written last, marks the window as released.
 */
export async function releaseWindow(options: {
  warehouse: Warehouse;
  site: string;
  windowStart: number;
  windowSeconds: number;
  k: number;
  /** KANON_MIN_NETWORKS (0 or 1: no networks threshold). */
  minNetworks?: number;
  /**
   * Noise mode: the window publishes nothing (its manifest only, which marks it released). Every
   * hour's totals would spend the visitors' budget again; their day carries it once.
   */
  noise?: boolean;
  releasedAt: number;
  /** The window's events (overview), when the caller has them. */
  events?: number;
}): Promise<WindowReleaseSummary> {
  const { warehouse, site, windowStart, windowSeconds, k } = options;
  const threshold = { k, networks: options.minNetworks ?? 0 };
  const staged = options.noise
    ? new Map<StagedReportName, StagedCell[]>()
    : await readStagedCells(
        warehouse,
        { site, from: windowStart, to: windowStart + windowSeconds },
        threshold,
        { reports: [...WINDOW_REPORTS.map((spec) => spec.name), EVENT_KINDS_REPORT], events: options.events },
      );
  const { releases, capped } = releaseLinkedReports(
    staged as ReadonlyMap<ReportName, StagedCell[]>,
    staged.get(EVENT_KINDS_REPORT) ?? [],
    threshold,
    WINDOW_REPORTS,
  );
  const overview = releases.get('overview')!;
  const withheld = !options.noise && overview.rows.length === 0;

  const window = toClickHouseDateTime(windowStart);
  const releasedAt = toClickHouseDateTime(Math.floor(options.releasedAt / 1000));
  const token = `release:${site}:${windowStart}:${windowSeconds}`;
  const ofThisWindow = `site = {site:String} AND window_start = {window:DateTime('UTC')} AND window_seconds = {seconds:UInt32}`;
  const inserts: CheckedInsert[] = WINDOW_REPORTS.map((spec) => ({
    table: publishedTable(spec.name, 'window'),
    rows: releases
      .get(spec.name)!
      .rows.map((row) =>
        toPublishedRow(
          spec.name,
          row,
          { site, window_start: window, window_seconds: windowSeconds },
          releasedAt,
        ),
      ),
    token: `${token}:${spec.name}`,
    landed: ofThisWindow,
  }));
  const manifest: CheckedInsert = {
    table: RELEASES_TABLE,
    rows: manifestRows({
      site,
      grain: 'window',
      periodStart: window,
      periodSeconds: windowSeconds,
      k,
      releasedAt,
      reports: WINDOW_REPORTS,
      releases,
      nothingByDesign: options.noise === true,
    }),
    token: `${token}:manifest`,
    landed: `site = {site:String} AND grain = 'window' AND period_start = {window:DateTime('UTC')} AND period_seconds = {seconds:UInt32}`,
  };
  const insertsRestored = await insertChecked(warehouse, inserts, manifest, {
    site,
    window,
    seconds: windowSeconds,
  });
  const rows = inserts.reduce((sum, insert) => sum + insert.rows.length, 0);
  return { site, windowStart, rows, withheld, capped, insertsRestored };
}
