import { setFlagsFromString } from 'node:v8';

/**
 * Caps how far V8 lets the old generation grow past its live size before the next full GC, for a
 * process that runs the collector alone (`kanon collector`, KANON_COLLECTOR_HEAP_GROWTH).
 *
 * Why: under batched load the collector's live heap is small (about 30 MB) and bounded, but every
 * queued micro-batch (about 150 kB of job JSON) and the events waiting for it stay alive for the
 * Redis round trip, so scavenges promote 50-70 MB/s of data that dies soon after. V8 sized the
 * old generation for a small, fast-collected heap like this one at up to four times its live size
 * (30 → 103 MB before the full GC), and the peak RSS reached 230 MB. Growth capped at 100 % gives
 * a full GC every 0.6-0.7 s at ~75 MB instead of every five; the bench measured the same CPU per event
 * and a peak of 166 MB (docs/benchmarks.md). 50 % cost a fifth more CPU per batched event.
 *
 * V8 reads the factor each time it sizes the heap after a GC, so setting it at start-up, before
 * the load, takes effect. `npm start` runs the workers in the same process and keeps V8's default.
 */
export function capHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
