#!/usr/bin/env node
import { SiteSecretStore } from '../collector/site-secrets.js';
import { type Config, ConfigError, loadConfig } from '../core/config.js';
import { KanonError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/log.js';
import { Metrics } from '../core/metrics.js';
import { openWarehouse } from '../core/warehouse/open-warehouse.js';
import type { Warehouse } from '../core/warehouse/warehouse.js';
import { parseCliArgs } from './runtime/cli-args.js';
import { importDemoCatalog } from './runtime/demo-catalog.js';
import { demoDefaults } from './runtime/demo-defaults.js';
import { capHeapGrowth } from './runtime/heap-growth.js';
import { resolveRedis } from './runtime/redis.js';
import { seedDemo, shouldSeed } from './runtime/seed-demo.js';
import {
  migrateWarehouse,
  type Stage,
  startCollectorStage,
  startDashboardsStage,
  startDemoShopStage,
  startMetricsServer,
  startWorkerStage,
} from './runtime/stages.js';

/**
 * Entry point. `start` runs every stage in one process on the embedded engine (the newcomer's
 * command); `collector`, `workers` and `dashboards` run one stage each (docker-compose);
 * `migrate` applies the schema and exits.
 */
const USAGE = `usage: kanon <start|collector|workers|dashboards|migrate>
  npm start runs "kanon start"; npm run collector, workers, dashboards and migrate the others.
  Settings come from the environment (README, "Configuration"), never from options.`;

/**
 * A terminal's Ctrl-C reaches every process of the foreground group: npm, tsx (which relays it to
 * the node process it started, again) and this one, so one keypress can arrive two or three
 * times within milliseconds. Copies that close to the first are that same signal and must not cut
 * the shutdown short; before, the listener was gone after the first copy, and the next one ended
 * the process mid-flush. A signal that comes later is someone insisting: exit at once.
 */
const REPEATED_SIGNAL_MS = 1000;

function onShutdown(log: Logger, stages: Stage[], cleanup: () => Promise<void>): void {
  let firstSignalAt: number | undefined;
  const stop = async (signal: string) => {
    if (firstSignalAt !== undefined) {
      if (Date.now() - firstSignalAt < REPEATED_SIGNAL_MS) return;
      log.warn({ signal }, 'signalled again: exiting without finishing the shutdown');
      process.exit(130);
    }
    firstSignalAt = Date.now();
    log.info({ signal }, 'shutting down: no new beacons, flushing queued batches');
    // Stages close in start order: the collector first, so every acknowledged batch reaches Redis.
    for (const stage of stages) {
      try {
        await stage.close();
        log.info({ stage: stage.name }, 'stopped');
      } catch (error) {
        log.error({ err: error, stage: stage.name }, 'stage did not stop cleanly');
      }
    }
    await cleanup();
    log.info('bye');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function run(command: string, baseConfig: Config, log: Logger): Promise<void> {
  const config = command === 'start' ? await demoDefaults(baseConfig, log) : baseConfig;
  const metrics = new Metrics({ defaultMetrics: true });
  const stages: Stage[] = [];
  let warehouse: Warehouse | undefined;
  let afterStart: (() => Promise<void>) | undefined;
  let collectorUrl = '';
  const needsWarehouse = command !== 'collector';
  const needsRedis = command !== 'migrate';
  const redis = needsRedis
    ? await resolveRedis(config, log, { salts: command === 'start' || command === 'collector' })
    : undefined;
  const cleanup = async () => {
    await warehouse?.close();
    await redis?.stop();
  };
  try {
    if (needsWarehouse) {
      warehouse = await openWarehouse(config.warehouse);
      log.info(
        config.warehouse.kind === 'embedded'
          ? { engine: 'chdb', dataDir: config.warehouse.dataDir, database: config.warehouse.database }
          : { engine: 'clickhouse-server', database: config.warehouse.database },
        'warehouse open',
      );
      if (command !== 'dashboards') await migrateWarehouse(warehouse, config, log);
    }
    if (command === 'migrate') {
      await cleanup();
      return;
    }
    if (command === 'start' || command === 'collector') {
      if (command === 'collector') capHeapGrowth(config.collector.heapGrowthPercent);
      const collector = await startCollectorStage({
        config,
        queueUrl: redis!.queueUrl,
        saltUrl: redis!.saltUrl,
        log,
        metrics,
        siteSecrets: warehouse ? new SiteSecretStore(warehouse) : undefined,
      });
      collectorUrl = collector.url;
      stages.push(collector);
      log.info(
        { url: collector.url },
        `collector listening: POST ${collector.url}/e, tag ${collector.url}/tracker.js`,
      );
    }
    const seeding = command === 'start' && (await shouldSeed(config, warehouse!));
    if (command === 'start' || command === 'workers') {
      const workers = await startWorkerStage({
        config,
        queueUrl: redis!.queueUrl,
        warehouse: warehouse!,
        log,
        metrics,
        // While demo traffic is sent, windows are released only after it is all queued, so no
        // backfilled hour is released before its last events arrive.
        holdRelease: seeding,
      });
      stages.push(workers);
      if (seeding) {
        afterStart = async () => {
          try {
            await seedDemo(config, collectorUrl, log);
          } catch (error) {
            log.error({ err: error }, 'demo traffic failed; the pipeline runs on');
          } finally {
            await workers.startRelease();
          }
        };
      }
      if (command === 'workers' && config.server.metricsPort > 0) {
        const server = await startMetricsServer({ config, metrics, log });
        stages.push(server);
        log.info({ url: server.url }, `worker metrics: ${server.url}/metrics`);
      }
    }
    // Before the dashboards start, so their first page already allows the feed's pictures.
    if (command === 'start') await importDemoCatalog(warehouse!, config, log);
    if (command === 'start' || command === 'dashboards') {
      const dashboards = await startDashboardsStage({
        config,
        warehouse: warehouse!,
        redisUrl: redis!.queueUrl,
        log,
        metrics,
      });
      stages.push(dashboards);
      log.info({ url: dashboards.url }, `dashboards listening: ${dashboards.url}`);
      if (dashboards.firstAdmin) {
        // Printed once, to the terminal only: the password is never logged or stored in clear.
        console.log(
          `\n  Sign in to the dashboards at ${dashboards.url}\n  user: ${dashboards.firstAdmin.name}\n  password: ${dashboards.firstAdmin.password}\n  (shown once; change it with: npm run user -- passwd ${dashboards.firstAdmin.name})\n`,
        );
      } else {
        log.info(`sign in at ${dashboards.url}; manage users with npm run user`);
      }
    }
    if (command === 'start' && config.server.demoPort > 0) {
      const shop = await startDemoShopStage({ config, log });
      stages.push(shop);
      log.info({ url: shop.url }, `demo shop: ${shop.url} (site ${config.collector.sites[0]?.id ?? 'demo'})`);
    }
  } catch (error) {
    for (const stage of stages.reverse()) await stage.close().catch(() => {});
    await cleanup();
    throw error;
  }
  onShutdown(log, stages, cleanup);
  if (afterStart) void afterStart();
}

async function main(): Promise<void> {
  const args = parseCliArgs(
    { options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true },
    USAGE,
  );
  if (!args) process.exit(2);
  if (args.values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const [command = '', ...extra] = args.positionals;
  if (!['start', 'collector', 'workers', 'dashboards', 'migrate'].includes(command) || extra.length > 0) {
    console.error(USAGE);
    process.exit(2);
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.log.level);
  process.on('unhandledRejection', (reason) => {
    log.fatal({ err: reason }, 'unhandled rejection');
    process.exit(1);
  });
  try {
    await run(command, config, log);
  } catch (error) {
    if (error instanceof KanonError) {
      log.fatal({ code: error.code }, error.message);
      console.error(`\n${error.message}\n`);
    } else {
      log.fatal({ err: error }, 'start-up failed');
    }
    process.exit(1);
  }
}

await main();
