import { z } from 'zod';
import { migrateWarehouse } from '../../bin/runtime/stages.js';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/log.js';
import { Metrics } from '../../core/metrics.js';
import { DAY_SECONDS } from '../../core/time.js';
import { ChdbWarehouse } from '../../core/warehouse/chdb-embedded.js';
import { PUBLISHED_TABLES } from '../../schema/tables.js';
import { releaseDue } from '../../workers/release/release-due.js';
import { readStagedCells } from '../../workers/release/staged-cells.js';
import { type DayTemplate, foldDayTemplate, stageDay, stageTemplate } from '../lib/staging-data.js';
import { progress, serve } from './ipc.js';

/**
 * Owns an embedded engine (KANON_DATA_DIR) for the release and dashboards sections: writes
 * staging cells straight into stg_cells and runs the real release (`releaseDue`) with a clock
 * past the data, so every closed window is released and every whole day rolled up.
 */
const config = loadConfig();
const log = createLogger(config.log.level);
if (config.warehouse.kind !== 'embedded') throw new Error('the staging bench runs on the embedded engine');
const warehouse = await ChdbWarehouse.open(config.warehouse);
await migrateWarehouse(warehouse, config, log.child({ stage: 'bench' }));
const metrics = new Metrics();
const windowSeconds = config.release.windowSeconds;

async function release(clock: number) {
  const started = performance.now();
  const result = await releaseDue({
    warehouse,
    settings: config.release,
    holds: async () => undefined,
    clock: () => clock,
    log: log.child({ stage: 'release' }),
    metrics,
  });
  return { ...result, ms: performance.now() - started };
}

async function publishedRows(): Promise<number> {
  let total = 0;
  for (const table of PUBLISHED_TABLES) {
    const rows = await warehouse.query({
      name: 'bench_count',
      sql: `SELECT count() AS n FROM ${table}`,
      row: z.object({ n: z.number() }),
    });
    total += rows[0]?.n ?? 0;
  }
  return total;
}

serve(
  { windowSeconds, k: config.release.k },
  {
    stageDay: async (args) => {
      const { dayStart, eventsPerDay, batchEvents, seed } = args as {
        dayStart: number;
        eventsPerDay: number;
        batchEvents: number;
        seed: number;
      };
      const started = performance.now();
      const day = await stageDay({
        warehouse,
        dayStart,
        eventsPerDay,
        windowSeconds,
        seed,
        batchEvents,
        contributions: config.release.noise !== undefined,
        onProgress: progress,
      });
      return { ...day, ms: performance.now() - started };
    },
    release: (args) => release((args as { clock: number }).clock),
    readDay: async (args) => {
      const { dayStart } = args as { dayStart: number };
      const started = performance.now();
      let cells = 0;
      const period = { site: 'shop', from: dayStart, to: dayStart + DAY_SECONDS };
      for (const list of (await readStagedCells(warehouse, period, config.release.k)).values())
        cells += list.length;
      return { cells, ms: performance.now() - started };
    },
    publishedRows,
    month: async (args) => {
      const { days, eventsPerDay, templates, now } = args as {
        days: number;
        eventsPerDay: number;
        templates: number;
        now: number;
      };
      const started = performance.now();
      const folded: DayTemplate[] = [];
      for (let seed = 1; seed <= templates; seed++)
        folded.push(foldDayTemplate({ eventsPerDay, windowSeconds, seed: 100 + seed, onProgress: progress }));
      const nowSeconds = Math.floor(now / 1000);
      const today = nowSeconds - (nowSeconds % DAY_SECONDS);
      const releaseMs: number[] = [];
      let rows = 0;
      for (let index = days - 1; index >= 0; index--) {
        const dayStart = today - index * DAY_SECONDS;
        const isToday = index === 0;
        // Today: only windows closed (with their grace) by now are staged and released.
        const until = isToday
          ? nowSeconds - windowSeconds - config.release.graceSeconds
          : dayStart + DAY_SECONDS;
        rows += await stageTemplate(warehouse, folded[index % folded.length]!, dayStart, until + 1);
        // Released at the real time, as a deployment that kept up would have been within the
        // last day.
        const result = await release(now);
        releaseMs.push(result.ms);
        progress(
          `day ${days - index}/${days}: ${result.windows} windows released, ${result.days} day released in ${(result.ms / 1000).toFixed(1)} s`,
        );
      }
      return {
        days,
        eventsPerDay,
        templates,
        templateEvents: folded.map((template) => template.events),
        templateVisitors: folded.map((template) => template.visitors),
        stagingRows: rows,
        publishedRows: await publishedRows(),
        releaseMs,
        ms: performance.now() - started,
      };
    },
  },
  () => warehouse.close(),
);
