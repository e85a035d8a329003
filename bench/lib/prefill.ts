import { EventsQueue, newBatchId } from '../../core/queue/events-queue.js';
import type { AnonymousBatch } from '../../schema/event.js';
import { progress } from './progress.js';
import { createShop, mulberry32 } from './shop-model.js';
import { createAnonymiser, eventsBetween, type Shopper } from './traffic.js';

/**
 * Micro-batches as the collector's group commit queues them: `events` anonymous events from the
 * last two minutes of synthetic traffic, in arrival order, cut into batches of `batchEvents`.
 * Deterministic for a seed, so the worker's direct baseline stages the very same batches.
 */
export function prefillBatches(options: {
  events: number;
  batchEvents: number;
  seed: number;
  now: number;
  idPrefix: string;
}): AnonymousBatch[] {
  const shop = createShop();
  const shoppers: Shopper[] = [];
  const events = eventsBetween({
    rng: mulberry32(options.seed),
    shop,
    anonymise: createAnonymiser(shop),
    shoppers,
    count: options.events,
    from: options.now - 120_000,
    to: options.now,
  }).slice(0, options.events);
  const batches: AnonymousBatch[] = [];
  for (let start = 0; start < events.length; start += options.batchEvents) {
    const id = newBatchId(options.now, `${options.idPrefix}${String(batches.length).padStart(6, '0')}`);
    batches.push({ id, events: events.slice(start, start + options.batchEvents) });
  }
  return batches;
}

/**
 * Queues the batches through EventsQueue, the collector's producer (each to the queue of its site
 * when `queues` > 1), eight at a time, with progress; resolves with the number of events queued.
 */
export async function enqueueBatches(options: {
  url: string;
  prefix: string;
  queues?: number;
  batches: readonly AnonymousBatch[];
}): Promise<number> {
  const { batches } = options;
  const queue = EventsQueue.create({ url: options.url, prefix: options.prefix, queues: options.queues });
  await queue.connected();
  let done = 0;
  let next = 0;
  const lane = async () => {
    for (let batch = batches[next++]; batch; batch = batches[next++]) {
      await queue.enqueueBatch(batch);
      done += 1;
      if (done % 50 === 0) progress.status(`  enqueued ${done}/${batches.length} batches`);
    }
  };
  try {
    await Promise.all(Array.from({ length: 8 }, lane));
  } finally {
    progress.clear();
    await queue.close();
  }
  return batches.reduce((sum, batch) => sum + batch.events.length, 0);
}
