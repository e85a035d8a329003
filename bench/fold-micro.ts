import { foldBatch } from '../workers/fold.js';
import { prefillBatches } from './lib/prefill.js';

/**
 * The workers' fold alone (events → staging cells), in process: µs per event over groups of 8,000
 * simulator events (16 batches of 500, what a worker stages at once), best of five runs.
 *
 *   npx tsx bench/fold-micro.ts
 */
const events = prefillBatches({
  events: 24_000,
  batchEvents: 500,
  seed: 21,
  now: Date.now(),
  idPrefix: 'fold',
}).flatMap((batch) => batch.events);
const groups = Array.from({ length: events.length / 8000 }, (_, n) => events.slice(n * 8000, (n + 1) * 8000));
for (let round = 0; round < 3; round++) for (const group of groups) foldBatch(group, 3600, Date.now());
let best = Number.POSITIVE_INFINITY;
for (let run = 0; run < 5; run++) {
  const started = process.hrtime.bigint();
  for (const group of groups) foldBatch(group, 3600, Date.now());
  best = Math.min(best, Number(process.hrtime.bigint() - started) / 1000 / events.length);
}
console.log(`fold: ${best.toFixed(2)} µs/event (groups of 8,000 events, 1 h windows, best of 5)`);
