import { DAY_SECONDS, toClickHouseDateTime } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { AnonymousEvent } from '../../schema/event.js';
import { STAGING_TABLE } from '../../schema/tables.js';
import { foldBatch, type StagingRow } from '../../workers/fold.js';
import { foldContributions } from '../../workers/fold-contributions.js';
import { createShop, mulberry32 } from './shop-model.js';
import { createAnonymiser, eventsBetween, hourlyShares, type Shopper } from './traffic.js';

/**
 * Staging cells written straight into stg_cells, as workers would have written them, for the
 * release and dashboards sections. Events come from the synthetic shop (bench/lib/shop-model.ts)
 * at `eventsPerDay` with a daily rhythm, and are folded by the worker's own `foldBatch`.
 */
export interface DayOptions {
  warehouse: Warehouse;
  /** Unix seconds of the day's 00:00 UTC. */
  dayStart: number;
  eventsPerDay: number;
  windowSeconds: number;
  seed: number;
  /** Events per insert, as the worker's micro-batches (each its own part). */
  batchEvents: number;
  /** Noise mode: each visitor's contributions too. */
  contributions?: boolean;
  onProgress?: (text: string) => void;
}

export interface StagedDay {
  events: number;
  rows: number;
  inserts: number;
  visitors: number;
}

/**
 * Events folded and inserted `batchEvents` at a time, as the queue's micro-batches would have
 * been, each insert under `token(offset of its first event)`.
 */
export async function stageInBatches(
  warehouse: Warehouse,
  events: readonly AnonymousEvent[],
  options: {
    windowSeconds: number;
    batchEvents: number;
    token: (at: number) => string;
    /** Noise mode: each visitor's contributions too, as its workers stage them. */
    contributions?: boolean;
  },
): Promise<{ rows: number; inserts: number }> {
  const staged = { rows: 0, inserts: 0 };
  for (let at = 0; at < events.length; at += options.batchEvents) {
    const batch = events.slice(at, at + options.batchEvents);
    const rows = foldBatch(batch, options.windowSeconds, Date.now());
    if (options.contributions) rows.push(...foldContributions(batch, options.windowSeconds, Date.now()));
    await warehouse.insert(STAGING_TABLE, rows, { dedupToken: options.token(at) });
    staged.rows += rows.length;
    staged.inserts += 1;
  }
  return staged;
}

/** One day, folded and inserted batch by batch as the queue's micro-batches would have been. */
export async function stageDay(options: DayOptions): Promise<StagedDay> {
  const shop = createShop();
  const anonymise = createAnonymiser(shop);
  const rng = mulberry32(options.seed);
  const shoppers: Shopper[] = [];
  const windows = DAY_SECONDS / options.windowSeconds;
  const shares = hourlyShares();
  const totals: StagedDay = { events: 0, rows: 0, inserts: 0, visitors: 0 };
  for (let window = 0; window < windows; window++) {
    const start = options.dayStart + window * options.windowSeconds;
    const hour = Math.floor((window * options.windowSeconds) / 3600);
    const share = (shares[hour] ?? 1 / 24) * (options.windowSeconds / 3600);
    const events = eventsBetween({
      rng,
      shop,
      anonymise,
      shoppers,
      count: Math.round(options.eventsPerDay * share),
      from: start * 1000,
      to: (start + options.windowSeconds) * 1000,
    });
    const staged = await stageInBatches(options.warehouse, events, {
      windowSeconds: options.windowSeconds,
      batchEvents: options.batchEvents,
      token: (at) => `bench:${options.seed}:${start}:${at}`,
      contributions: options.contributions,
    });
    totals.rows += staged.rows;
    totals.inserts += staged.inserts;
    totals.events += events.length;
    options.onProgress?.(
      `staged window ${window + 1}/${windows} of ${toClickHouseDateTime(options.dayStart).slice(0, 10)}: ${totals.events.toLocaleString('en')} events`,
    );
  }
  totals.visitors = shoppers.length;
  return totals;
}

/**
 * A day folded per window (the coarse strategy of the dashboards section): every window's events
 * folded at once, which is what the engine's background merges leave of many batches' rows.
 * Rows keep their window start relative to the day, to be shifted onto any day.
 */
export interface DayTemplate {
  windows: { offset: number; rows: StagingRow[] }[];
  events: number;
  visitors: number;
}

export function foldDayTemplate(
  options: Omit<DayOptions, 'warehouse' | 'batchEvents' | 'dayStart'>,
): DayTemplate {
  const shop = createShop();
  const anonymise = createAnonymiser(shop);
  const rng = mulberry32(options.seed);
  const shoppers: Shopper[] = [];
  const shares = hourlyShares();
  const template: DayTemplate = { windows: [], events: 0, visitors: 0 };
  const windows = DAY_SECONDS / options.windowSeconds;
  for (let window = 0; window < windows; window++) {
    const offset = window * options.windowSeconds;
    const share = (shares[Math.floor(offset / 3600)] ?? 1 / 24) * (options.windowSeconds / 3600);
    const events = eventsBetween({
      rng,
      shop,
      anonymise,
      shoppers,
      count: Math.round(options.eventsPerDay * share),
      from: offset * 1000,
      to: (offset + options.windowSeconds) * 1000,
    });
    template.events += events.length;
    template.windows.push({ offset, rows: foldBatch(events, options.windowSeconds, Date.now()) });
    options.onProgress?.(`folded template ${options.seed}: window ${window + 1}/${windows}`);
  }
  template.visitors = shoppers.length;
  return template;
}

/** Inserts a template's windows onto a day, those that start before `until` (unix seconds). */
export async function stageTemplate(
  warehouse: Warehouse,
  template: DayTemplate,
  dayStart: number,
  until: number,
): Promise<number> {
  let rows = 0;
  for (const window of template.windows) {
    const start = dayStart + window.offset;
    if (start >= until) break;
    const windowStart = toClickHouseDateTime(start);
    const shifted = window.rows.map((row) => ({ ...row, window_start: windowStart }));
    await warehouse.insert(STAGING_TABLE, shifted, { dedupToken: `bench-template:${start}` });
    rows += shifted.length;
  }
  return rows;
}
