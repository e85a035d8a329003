import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Config } from '../core/config.js';
import { KanonError } from '../core/errors.js';
import { installErrorHandling } from '../core/http/error-handling.js';
import { registerMetricsRoute } from '../core/http/metrics-route.js';
import { refuseWhileClosing } from '../core/http/refuse-while-closing.js';
import { fastifyTrustProxy } from '../core/http/trust-proxy.js';
import { type Logger, stageLogger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { AnonymousBatch } from '../schema/event.js';
import { shuttingDown } from './errors.js';
import { GroupCommitter } from './group-commit.js';
import { type BeaconRequest, createPipeline, type PipelineResult } from './pipeline.js';
import { registerBeaconRoutes, rejectedRequests } from './routes/beacon.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerPrivacyNoticeRoutes } from './routes/privacy-notice.js';
import { registerServerEventRoutes } from './routes/server-events.js';
import { registerStaticRoutes } from './routes/static.js';
import type { SaltStore } from './salt-store.js';
import { PathTemplates } from './scrub/path-templates.js';
import type { SiteSecretVerifier } from './site-secrets.js';
import { ClientDescriber } from './steps/describe-client.js';
import { TurnBatcher } from './turn-batcher.js';

/** What the collector needs from the queue: a narrow port, so tests and stages stay decoupled. */
export interface BatchSink {
  enqueueBatch(batch: AnonymousBatch): Promise<void>;
  /** Several events queues: how many, and which one a site's batches go to (core/queue). */
  queueCount?: number;
  queueOf?(site: string): number;
  isReady(): Promise<boolean>;
}

export interface CollectorDeps {
  config: Config['collector'];
  queue: BatchSink;
  salts: SaltStore & { isReady?(): Promise<boolean> };
  log: Logger;
  metrics: Metrics;
  /** When set, /metrics wants it as a bearer token (KANON_METRICS_TOKEN). */
  metricsToken?: string;
  clock?: () => number;
  /** The minified tracker.js served at /tracker.js. */
  trackerScript?: string;
  /** The GA4 data layer add-on served at /datalayer.js. */
  dataLayerScript?: string;
  /** Facts about this deployment served at /privacy.json. */
  privacyFacts?: () => unknown;
  /** The site secrets of POST /api/event (server-side events); without, that route answers 503. */
  siteSecrets?: SiteSecretVerifier;
}

/** How far back a backfilled event may be dated: a day less than staging keeps cells. */
const MAX_BACKFILL_MS = 31 * 86_400_000;

/**
 * Builds the public collector (factory only; bin/ listens). Request logging is off: one log line
 * per beacon would cost more than the beacon, and the request's address and user agent must never
 * be logged (invariant 1); errors are logged through the redacting serializers, and counts go to
 * Prometheus metrics.
 */
export async function buildCollector(deps: CollectorDeps): Promise<FastifyInstance> {
  const config = deps.config;
  const app = Fastify({
    loggerInstance: stageLogger(deps.log, 'collector'),
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger: building one for every beacon showed in the profile, and the
    // error handler names the request id itself.
    childLoggerFactory: (logger) => logger,
    // request.ip is then the client address the rate limit and the visitor token key on.
    trustProxy: fastifyTrustProxy(config.trustProxy),
    bodyLimit: config.maxBodyBytes,
    // Invariant 6: an absurdly long URL or header block is refused before any handler runs.
    routerOptions: { maxParamLength: 200 },
    // Refused by refuseWhileClosing below instead, with Kanon's error body and CORS header.
    return503OnClosing: false,
  });
  installErrorHandling(app);
  const clock = deps.clock ?? Date.now;
  const batches = deps.metrics.counter('kanon_collector_batches_total', 'Micro-batches queued or failed', [
    'outcome',
  ]);
  const batchEvents = deps.metrics.counter(
    'kanon_collector_batch_events_total',
    'Events in micro-batches queued or failed',
    ['outcome'],
  );
  const committer = new GroupCommitter({
    maxEvents: config.batch.maxEvents,
    maxWaitMs: config.batch.maxWaitMs,
    // Batches waiting for Redis are held in memory (a full one of 500 events is ~0.5 MB with its
    // JSON). One batch is on its way at a time, plus full ones, so more than a handful means Redis
    // is falling behind: refusing with 503 overloaded then bounds memory (collector RSS target
    // < 200 MB) instead of queueing without limit. 256 let the peak RSS reach 216-223 MB under the bench's loads.
    maxInFlight: 16,
    enqueue: (batch) => deps.queue.enqueueBatch(batch),
    lanes: deps.queue.queueCount,
    laneOf: (events) => deps.queue.queueOf?.(events[0]?.site ?? '') ?? 0,
    clock,
    onFlush: (events, outcome) => {
      batches.inc({ outcome });
      batchEvents.inc({ outcome }, events);
    },
  });
  const pipeline = createPipeline({
    options: {
      sites: config.sites,
      maxEventsPerRequest: config.maxEventsPerRequest,
      honourDnt: config.honourDnt,
      searchParams: config.searchParams,
      allowedParams: config.searchParams,
      pathTemplates: new PathTemplates(config.pathTemplates),
      maxOrderCents: config.maxOrderCents,
      maxBackfillMs: MAX_BACKFILL_MS,
    },
    salts: deps.salts,
    clients: new ClientDescriber(),
    metrics: deps.metrics,
    clock,
  });

  if (config.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      global: false,
      max: config.rateLimitPerMinute,
      timeWindow: 60_000,
      cache: 100_000,
      // The key is the client address, held in memory for the minute only, never stored or logged.
      keyGenerator: (request) => request.ip,
      errorResponseBuilder: (_request, context) => {
        const error = new KanonError(
          'rate_limited',
          429,
          `Too many beacons from one address; retry in ${Math.ceil(context.ttl / 1000)} s.`,
        );
        return Object.assign(error, { statusCode: 429 });
      },
    });
  }

  // The requests parsed in one turn of the event loop go through the pipeline together (see
  // TurnBatcher), and their events into the same micro-batch.
  const turns = new TurnBatcher<BeaconRequest, PipelineResult>(pipeline);
  registerBeaconRoutes(app, {
    config,
    pipeline: (request) => turns.run(request),
    committer,
    metrics: deps.metrics,
  });
  registerServerEventRoutes(app, {
    config,
    pipeline: (request) => turns.run(request),
    committer,
    metrics: deps.metrics,
    secrets: deps.siteSecrets,
  });
  registerHealthRoutes(app, { queue: deps.queue, salts: deps.salts });
  registerMetricsRoute(app, { metrics: deps.metrics, token: deps.metricsToken });
  registerStaticRoutes(app, {
    trackerScript: deps.trackerScript,
    dataLayerScript: deps.dataLayerScript,
    privacyFacts: deps.privacyFacts,
  });
  registerPrivacyNoticeRoutes(app, { privacyFacts: deps.privacyFacts });

  // SIGTERM path: Fastify stops accepting, waits for in-flight requests, then this flushes the
  // open micro-batch and waits until every batch is in Redis (or has failed and been answered).
  app.addHook('onClose', async () => {
    await committer.drain();
  });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    done();
  });
  // Last of the onRequest hooks, after the CORS header is set, so the tag can read the 503 (and
  // send the batch again: nothing of it was stored).
  const rejected = rejectedRequests(deps.metrics);
  refuseWhileClosing(app, {
    error: shuttingDown,
    onRefused: () => rejected.inc({ code: 'shutting_down' }),
  });
  return app;
}
