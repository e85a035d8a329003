import type { Metrics } from '../core/metrics.js';
import {
  type EventsWorker,
  layoutOf,
  type QueueConnection,
  type StagingGroup,
  startEventsWorker,
} from '../core/queue/events-queue.js';
import { connectRedis } from '../core/redis/connect.js';
import type { Warehouse } from '../core/warehouse/warehouse.js';
import { createCampaignAttribution } from './attribute-campaigns.js';
import { createBatchStager } from './stage-batch.js';

export type StageHandler = (group: StagingGroup) => Promise<void>;

/**
 * The ingest worker: consumes queued batches, attributes campaigns and stages cells. One wiring
 * for `kanon workers`, `npm start` and the tests.
 */
export function startIngest(options: {
  warehouse: Warehouse;
  connection: QueueConnection;
  windowSeconds: number;
  graceSeconds: number;
  /** Noise mode: stage each visitor's contributions too (fold-contributions.ts). */
  contributions?: boolean;
  concurrency: number;
  metrics: Metrics;
  onFailed?(reason: 'invalid_batch' | 'gave_up', job: { id: string }): void;
  /** Tests: wraps the handler, e.g. to crash between the insert and the acknowledgement. */
  wrapHandler?: (handle: StageHandler) => StageHandler;
  lockDurationMs?: number;
  /** Tests: how often at most the queue's append-only file is rewritten (0: never); default 20 s. */
  aofRewriteEveryMs?: number;
}): EventsWorker {
  const attributionRedis = connectRedis(options.connection.url, 'consumer', { tls: options.connection.tls });
  const stage: StageHandler = createBatchStager({
    warehouse: options.warehouse,
    windowSeconds: options.windowSeconds,
    graceSeconds: options.graceSeconds,
    metrics: options.metrics,
    clock: Date.now,
    attribute: createCampaignAttribution(attributionRedis, layoutOf(options.connection)),
    contributions: options.contributions,
  });
  const rewrites = options.metrics.counter(
    'kanon_workers_queue_rewrites_total',
    "Rewrites of the queue Redis's append-only file that drop staged batches from disk, by outcome",
    ['outcome'],
  );
  const handle = options.wrapHandler ? options.wrapHandler(stage) : stage;
  const worker = startEventsWorker({
    connection: options.connection,
    concurrency: options.concurrency,
    stage: handle,
    onFailed: options.onFailed,
    lockDurationMs: options.lockDurationMs,
    aofRewriteEveryMs: options.aofRewriteEveryMs,
    onAofRewrite: (outcome) => rewrites.inc({ outcome }),
  });
  return {
    pause: () => worker.pause(),
    resume: () => worker.resume(),
    async close() {
      await worker.close();
      attributionRedis.disconnect();
    },
  };
}
