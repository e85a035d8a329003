import { capHeapGrowth } from '../../bin/runtime/heap-growth.js';
import { startCollectorStage } from '../../bin/runtime/stages.js';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/log.js';
import { Metrics } from '../../core/metrics.js';
import { serve } from './ipc.js';

/**
 * The real collector, wired exactly as `npm run collector` wires it (bin/runtime/stages.ts):
 * config from the environment the bench sets (KANON_*, REDIS_URL, KANON_SALT_REDIS_URL), real
 * Redis, group commit, the whole ingest pipeline with its bot checks and Prometheus metrics, and
 * the heap growth cap of a dedicated collector process.
 */
const config = loadConfig();
capHeapGrowth(config.collector.heapGrowthPercent);
const log = createLogger(config.log.level);
const metrics = new Metrics({ defaultMetrics: true });
const stage = await startCollectorStage({
  config,
  queueUrl: config.redis.url!,
  saltUrl: config.redis.saltUrl ?? config.redis.url!,
  log,
  metrics,
});
serve({ url: stage.url }, {}, () => stage.close());
