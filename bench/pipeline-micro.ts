import { createPipeline } from '../collector/pipeline.js';
import { PathTemplates } from '../collector/scrub/path-templates.js';
import { ClientDescriber } from '../collector/steps/describe-client.js';
import { Metrics } from '../core/metrics.js';
import { defaultPathTemplates } from '../core/path-templates.js';
import { ORIGIN, SITE } from './lib/context.js';
import { createShop } from './lib/shop-model.js';
import { batchBody, singleEventBody } from './lib/traffic.js';

/**
 * The collector's ingest pipeline alone, in process, without HTTP or Redis: µs per event for a
 * batch of 50 and for a single event. For finding where the collector's CPU goes.
 *
 *   npx tsx bench/pipeline-micro.ts
 */
const shop = createShop();
const salt = Buffer.alloc(32, 7);
const pipeline = createPipeline({
  options: {
    sites: [{ id: SITE, origins: [ORIGIN] }],
    maxEventsPerRequest: 100,
    honourDnt: true,
    searchParams: ['q'],
    allowedParams: ['q'],
    pathTemplates: new PathTemplates(defaultPathTemplates()),
    maxOrderCents: 10_000_000,
    maxBackfillMs: 0,
  },
  salts: { saltFor: async () => salt, cachedSaltFor: () => salt },
  clients: new ClientDescriber(),
  metrics: new Metrics(),
  clock: Date.now,
});
const ua =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const request = (body: string) => ({
  body: JSON.parse(body) as unknown,
  origin: ORIGIN,
  ip: '203.0.113.9',
  userAgent: ua,
  acceptLanguage: 'en',
  secChUa: undefined,
  secFetchMode: 'no-cors',
  gpc: undefined,
  dnt: undefined,
  backfill: false,
});
const only = process.argv[2];
// The collector caches canonical pages by URL (collector/scrub/page-cache.ts), and these bodies
// repeat, so they measure the cache hitting. The "new URL" cases give every request URLs never
// seen before (a counter in the path, one per request), the cost of traffic that never repeats.
const newUrl = (body: string, n: number) => body.replaceAll(`"url":"${ORIGIN}/`, `"url":"${ORIGIN}/n${n}/`);
const batch = batchBody(shop, 1, 50);
const single = singleEventBody(shop);
const cases: [name: string, events: number, body: (n: number) => string][] = [
  ['batch of 50', 50, () => batch],
  ['batch of 50, new URLs', 50, (n) => newUrl(batch, n)],
  ['single event', 1, () => single],
  ['single event, new URL', 1, (n) => newUrl(single, n)],
];
let seen = 0;
for (const [name, events, bodyOf] of cases) {
  if (only && !name.startsWith(only)) continue;
  const rounds = Math.round(200_000 / events);
  // Bodies are made before each timed run, so only the pipeline (and JSON.parse) is measured.
  const bodies = () => Array.from({ length: rounds }, () => bodyOf(seen++));
  for (const body of bodies().slice(0, rounds / 4)) await pipeline(request(body));
  // The best of five runs: this machine is shared, and the slower runs measure the neighbours.
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run++) {
    const timed = bodies();
    const started = process.hrtime.bigint();
    for (const body of timed) await pipeline(request(body));
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1000 / (rounds * events));
  }
  console.log(`${name}: ${best.toFixed(2)} µs/event (incl. JSON.parse, best of 5)`);
}
