import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { AnonymousBatch } from './event.js';

/**
 * The workers' guard of invariant 1 (a queued job holds anonymous events and nothing else) as one
 * compiled function. zod's strict parse of a queued batch cost 2.5 µs per event, the largest share
 * of a worker's own CPU; ajv compiles the same rules into straight-line code (~0.8 µs per event).
 *
 * One source of truth: the JSON Schema is generated from the zod schema, which stays the
 * definition (and gives the error messages). The two must accept exactly the same values, which
 * test/workers/compiled-check.test.ts checks with thousands of generated batches and mutations.
 * ajv's defaults already match zod's rules: string lengths in Unicode code points (so an emoji
 * counts one, as in zod 4), patterns as JavaScript regular expressions. `strict: true` makes any
 * keyword ajv does not know fail when a worker starts instead of being ignored.
 */
let checkBatch: ((data: unknown) => boolean) | undefined;

/**
 * Compiles the check (once). Only workers check batches, and compiling costs ~10 MB of memory, so a
 * collector, which imports the queue module too, never does; workers call this when they start.
 */
export function compileBatchCheck(): (data: unknown) => boolean {
  checkBatch ??= new Ajv2020({ strict: true, allErrors: false }).compile(
    z.toJSONSchema(AnonymousBatch, { target: 'draft-2020-12' }),
  );
  return checkBatch;
}

/** True when `data` is a valid anonymous batch; it is used as it is, not copied. */
export function isAnonymousBatch(data: unknown): data is AnonymousBatch {
  return (checkBatch ?? compileBatchCheck())(data);
}
