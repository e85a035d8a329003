import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { migrateWarehouse } from '../bin/runtime/stages.js';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/log.js';
import { Metrics } from '../core/metrics.js';
import { toClickHouseDateTime } from '../core/time.js';
import { ChdbWarehouse } from '../core/warehouse/chdb-embedded.js';
import { STAGING_TABLE } from '../schema/tables.js';
import { foldBatch } from '../workers/fold.js';
import { releaseDue } from '../workers/release/release-due.js';
import { progress } from './lib/progress.js';
import { createShop, mulberry32 } from './lib/shop-model.js';
import { stageInBatches } from './lib/staging-data.js';
import { createAnonymiser, eventsBetween, type Shopper } from './lib/traffic.js';

/**
 * One release window at a steady rate, on the embedded engine: how long its release takes, how
 * much memory it needs, and how long a staging insert waits behind it. The embedded engine runs a
 * session's statements one after another, so while the release reads its window, the workers'
 * staging inserts queue behind it: that wait is end-to-end lag. A window publishes the site
 * totals only; with --day the window is staged in yesterday and its day is released too, over
 * every report (workers/release/release-day.ts), which is where a busy hour costs.
 *
 *   npx tsx bench/window-release.ts --rate 1000 --window 1h --day
 *   npx tsx bench/window-release.ts --rate 10000 --window 1h --day --data-dir /tmp/hour-10k
 *
 * With --data-dir the staged window is kept there and later runs with the same directory skip
 * staging (it takes minutes at 10,000 events/s); each release runs on a copy, so two versions of
 * the release can be compared on the same data.
 */
const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '10000' },
    window: { type: 'string', default: '1h' },
    batch: { type: 'string', default: '500' },
    'probe-ms': { type: 'string', default: '100' },
    'data-dir': { type: 'string' },
    day: { type: 'boolean', default: false },
  },
});
const rate = Number(values.rate);
const batchEvents = Number(values.batch);
const probeEveryMs = Number(values['probe-ms']);
const keptDir = values['data-dir'];
const workDir = mkdtempSync(join(tmpdir(), 'kanon-window-release-'));
const dataDir = join(workDir, 'engine');
interface StagedWindow {
  windowStart: number;
  events: number;
  shoppers: number;
  rows: number;
}
const keptWindow = keptDir ? join(keptDir, 'window.json') : undefined;
const staged: StagedWindow | undefined =
  keptWindow && existsSync(keptWindow) ? JSON.parse(readFileSync(keptWindow, 'utf8')) : undefined;
if (keptDir && staged) {
  progress.line(`releasing the window staged in ${keptDir} (a copy of it)`);
  cpSync(join(keptDir, 'engine'), dataDir, { recursive: true });
} else mkdirSync(dataDir);
const config = loadConfig({
  ...process.env,
  KANON_DATA_DIR: dataDir,
  KANON_WINDOW: values.window,
  CLICKHOUSE_URL: undefined,
});
const windowSeconds = config.release.windowSeconds;
const log = createLogger('warn');
if (config.warehouse.kind !== 'embedded') throw new Error('this bench runs on the embedded engine');
const engine: { dataDir: string; database: string } = config.warehouse;
let warehouse = await ChdbWarehouse.open(engine);
await migrateWarehouse(warehouse, config, log);

try {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const shop = createShop();
  const anonymise = createAnonymiser(shop);
  const rng = mulberry32(11);
  const window = staged ?? (await stageWindow());
  const { windowStart } = window;

  async function stageWindow(): Promise<StagedWindow> {
    // The window before the current one, so its release is due at once; with --day, one of
    // yesterday's, so its day is due too.
    const windowStart = values.day
      ? nowSeconds - (nowSeconds % 86_400) - 86_400 + 12 * 3600
      : nowSeconds - (nowSeconds % windowSeconds) - windowSeconds;
    const shoppers: Shopper[] = [];
    const total = rate * windowSeconds;
    const chunkSeconds = 60;
    let events = 0;
    let rows = 0;
    const stagingStarted = performance.now();
    for (let at = windowStart; at < windowStart + windowSeconds; at += chunkSeconds) {
      const chunk = eventsBetween({
        rng,
        shop,
        anonymise,
        shoppers,
        count: rate * chunkSeconds,
        from: at * 1000,
        to: (at + chunkSeconds) * 1000,
      });
      rows += (
        await stageInBatches(warehouse, chunk, {
          windowSeconds,
          batchEvents,
          token: (index) => `window-bench:${at}:${index}`,
        })
      ).rows;
      events += chunk.length;
      progress.status(
        `staged ${events.toLocaleString('en')} of ${total.toLocaleString('en')} events (${shoppers.length.toLocaleString('en')} shoppers)`,
      );
    }
    progress.line(
      `staged one ${values.window} window: ${events.toLocaleString('en')} events of ${shoppers.length.toLocaleString('en')} shoppers as ${rows.toLocaleString('en')} rows in ${((performance.now() - stagingStarted) / 1000).toFixed(0)} s`,
    );
    const stagedWindow = { windowStart, events, shoppers: shoppers.length, rows };
    if (keptDir && keptWindow) {
      // Closed first, so the copy kept is the engine's whole state.
      await warehouse.close();
      mkdirSync(keptDir, { recursive: true });
      cpSync(dataDir, join(keptDir, 'engine'), { recursive: true });
      writeFileSync(keptWindow, JSON.stringify(stagedWindow));
      warehouse = await ChdbWarehouse.open(engine);
    }
    return stagedWindow;
  }

  // A worker's staging insert every probeEveryMs, of a batch in the current window, timed.
  const probeEvents = eventsBetween({
    rng,
    shop,
    anonymise,
    shoppers: [],
    count: 30,
    from: nowSeconds * 1000,
    to: (nowSeconds + 1) * 1000,
  });
  const waits: number[] = [];
  let probing = true;
  const probe = (async () => {
    let n = 0;
    while (probing) {
      const started = performance.now();
      await warehouse.insert(STAGING_TABLE, foldBatch(probeEvents, windowSeconds, Date.now()), {
        dedupToken: `window-bench-probe:${n++}`,
      });
      waits.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, probeEveryMs));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const releaseStarted = performance.now();
  const result = await releaseDue({
    warehouse,
    settings: config.release,
    holds: async () => undefined,
    clock: () =>
      (values.day
        ? windowStart - (windowStart % 86_400) + 86_400 + config.release.graceSeconds + 1
        : windowStart + windowSeconds + config.release.graceSeconds + 1) * 1000,
    log,
    metrics: new Metrics(),
  });
  const releaseMs = performance.now() - releaseStarted;
  clearInterval(sampler);
  probing = false;
  await probe;
  const sorted = [...waits].sort((a, b) => a - b);
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  console.log(
    JSON.stringify(
      {
        window: values.window,
        windowStart: toClickHouseDateTime(windowStart),
        rate,
        events: window.events,
        shoppers: window.shoppers,
        stagingRows: window.rows,
        released: result,
        releaseSeconds: +(releaseMs / 1000).toFixed(2),
        processRssMB: { before: Math.round(rssBefore / 2 ** 20), peak: Math.round(peakRss / 2 ** 20) },
        probeInsertMs: {
          count: waits.length,
          p50: +quantile(0.5).toFixed(1),
          p99: +quantile(0.99).toFixed(1),
          max: +(sorted.at(-1) ?? 0).toFixed(1),
        },
      },
      null,
      2,
    ),
  );
} finally {
  await warehouse.close();
  rmSync(workDir, { recursive: true, force: true });
}
