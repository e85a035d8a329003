import { createInterface } from 'node:readline/promises';
import { z } from 'zod';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/log.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { simulate } from '../../demo/simulator/index.js';
import { formatProgress, formatSummary } from '../../demo/simulator/report.js';

/**
 * `npm start` offers demo traffic so the dashboards are not empty on first open: a week of the
 * simulator's shoppers on the first site, through the real collector. Only when the store holds
 * nothing for that site yet. KANON_DEMO_SEED: auto (ask on a terminal, default yes; seed when
 * there is no terminal), always, never.
 */
export const DEMO_VISITORS = 5000;
export const DEMO_DAYS = 7;

async function isEmpty(warehouse: Warehouse, site: string): Promise<boolean> {
  const rows = await warehouse.query({
    name: 'demo_data_present',
    sql: `SELECT (SELECT count() FROM stg_cells WHERE site = {site:String}) + (SELECT count() FROM pub_releases WHERE site = {site:String}) AS n`,
    params: { site },
    row: z.object({ n: z.number() }),
  });
  return (rows[0]?.n ?? 0) === 0;
}

async function ask(question: string, timeoutMs: number): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const timer = setTimeout(() => rl.close(), timeoutMs);
  try {
    const answer = await rl.question(question).catch(() => '');
    return !/^n/i.test(answer.trim());
  } finally {
    clearTimeout(timer);
    rl.close();
  }
}

export async function shouldSeed(config: Config, warehouse: Warehouse): Promise<boolean> {
  const site = config.collector.sites[0];
  if (!site || config.demo.seed === 'never' || !config.collector.backfillToken) return false;
  if (!(await isEmpty(warehouse, site.id))) return false;
  if (config.demo.seed === 'always' || !process.stdin.isTTY) return true;
  return ask(
    `\n  The store is empty. Send a week of demo traffic (${DEMO_VISITORS} simulated shoppers) to site "${site.id}"? [Y/n] `,
    20_000,
  );
}

export async function seedDemo(config: Config, collectorUrl: string, log: Logger): Promise<void> {
  const site = config.collector.sites[0]!;
  log.info(
    { site: site.id, visitors: DEMO_VISITORS, days: DEMO_DAYS },
    'seeding demo traffic through the collector',
  );
  let last = 0;
  const summary = await simulate({
    collectorUrl,
    site: site.id,
    origin: site.origins[0]!,
    visitors: DEMO_VISITORS,
    days: DEMO_DAYS,
    seed: 1,
    backfillToken: config.collector.backfillToken,
    onProgress: (progress) => {
      if (Date.now() - last < 5000) return;
      last = Date.now();
      log.info(`demo traffic: ${formatProgress(progress)}`);
    },
  });
  log.info(`demo traffic sent: ${formatSummary(summary).replace(/\n/g, '; ')}`);
}
