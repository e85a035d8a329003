import { _ } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { BeaconBatch, BeaconEvent } from '../../schema/event.js';

/**
 * The beacon parser's fast path: one compiled function per body shape that answers true only when
 * zod would accept the body AND hand it back unchanged, so the parsed JSON can be used as it is.
 * zod stays the definition and the judge: a body this check refuses goes to zod, which accepts it
 * (stripping unknown keys, trimming ids and labels) or names the problem. So this check may refuse
 * anything it likes; it must never accept what zod would refuse or change, which
 * test/collector/beacon-fast-check.test.ts holds it to with thousands of generated bodies.
 *
 * Why: in a running collector zod's parse of a single event cost ~8 µs, the second-largest step
 * of the pipeline (docs/benchmarks.md, "Single events"); ajv compiles the same rules into
 * straight-line code, as the workers' check of queued batches does (schema/compiled-check.ts).
 *
 * The JSON Schema is generated from the zod schemas, with two additions zod's generator does not
 * make, because they describe changes rather than rules:
 * - `x-unchanged-by-trim` on every string zod trims: the value must already be trimmed;
 * - `additionalProperties: false` comes from the generator (its output mode): an unknown key,
 *   which zod would strip, sends the body to zod.
 * Then speedUp (below) rewrites two rules into faster ones that are at least as strict.
 */
/** A batch body's shape once checked, by either path. */
export type BeaconBatchBody = { site?: string; events: unknown[] };

export interface BeaconFastCheck {
  /** A single event, exactly as zod's BeaconEvent would return it. */
  event(data: unknown): boolean;
  /** `{ site?, events: [...] }` with every event as above. */
  batch(data: unknown): data is BeaconBatchBody;
}

/** The batch the fast path checks whole: BeaconBatch with its events checked as events. */
export const BeaconBatchOfEvents = BeaconBatch.extend({ events: z.array(BeaconEvent).min(1) });

const UNCHANGED_BY_TRIM = 'x-unchanged-by-trim';
const MAX_UNITS = 'x-max-utf16-units';
const MIN_UNITS = 'x-min-utf16-units';

type JsonSchema = { [key: string]: unknown };

const checksOf = (schema: z.core.$ZodType): readonly z.core.$ZodCheck[] =>
  (schema._zod.def as { checks?: z.core.$ZodCheck[] }).checks ?? [];

/** Marks trimmed strings; refuses any other change zod could make, which this check can't see. */
function markChanges(context: { zodSchema: z.core.$ZodType; jsonSchema: JsonSchema }): void {
  for (const check of checksOf(context.zodSchema)) {
    const def = check._zod.def as { check: string; tx?: (value: string) => string };
    if (def.check !== 'overwrite') continue;
    // `.trim()` is zod's only overwrite we use; a new one (toLowerCase, normalize) must be taught
    // here, or the fast path would pass values zod would have changed.
    if (def.tx?.(' \u00a0A\n') !== 'A') throw new Error('beacon-fast-check: an overwrite other than trim');
    context.jsonSchema[UNCHANGED_BY_TRIM] = true;
  }
  const type = context.zodSchema._zod.def.type;
  if (type === 'transform' || type === 'pipe' || type === 'default' || type === 'prefault')
    throw new Error(`beacon-fast-check: zod ${type} changes values; teach this check about it`);
}

/**
 * Rewrites the generated schema for speed, keeping every rule at least as strict as zod's:
 * - a oneOf whose branches each fix `type` to a constant gets ajv's discriminator, so an event is
 *   checked against its own type's rules, not against all eleven (5 µs → 0.8 µs);
 * - string lengths are compared in UTF-16 units (`value.length`) instead of code points, which
 *   ajv counts one character at a time (0.8 µs → 0.06 µs for a typical event). A string has at
 *   least as many units as code points, so a maximum in units refuses more than zod does, never
 *   less; a minimum of 0 or 1 means the same in both, and a larger one keeps ajv's exact count.
 */
function speedUp(node: unknown): void {
  if (typeof node !== 'object' || node === null) return;
  for (const child of Object.values(node)) speedUp(child);
  const schema = node as JsonSchema;
  if (schema.type === 'string') {
    if (typeof schema.maxLength === 'number') {
      schema[MAX_UNITS] = schema.maxLength;
      delete schema.maxLength;
    }
    if (typeof schema.minLength === 'number' && schema.minLength <= 1) {
      schema[MIN_UNITS] = schema.minLength;
      delete schema.minLength;
    }
  }
  const branches = schema.oneOf;
  if (!Array.isArray(branches)) return;
  const tagged = branches.every((branch: JsonSchema) => {
    const type = (branch.properties as { type?: JsonSchema } | undefined)?.type;
    return type?.const !== undefined && (branch.required as string[] | undefined)?.includes('type');
  });
  if (!tagged) return;
  schema.type = 'object';
  schema.discriminator = { propertyName: 'type' };
}

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    override: (context) => markChanges(context as never),
  }) as JsonSchema;
  speedUp(json);
  return json;
}

export function compileBeaconFastCheck(): BeaconFastCheck {
  const ajv = new Ajv2020({ strict: true, allErrors: false, discriminator: true });
  // Generated inline (`code`), not called (`validate`): ajv builds a context object for every call
  // of a validate function, which made the check ten times slower.
  ajv.addKeyword({
    keyword: UNCHANGED_BY_TRIM,
    type: 'string',
    schemaType: 'boolean',
    code: (cxt) => {
      if (cxt.schema === true) cxt.fail(_`${cxt.data}.trim() !== ${cxt.data}`);
    },
  });
  ajv.addKeyword({
    keyword: MAX_UNITS,
    type: 'string',
    schemaType: 'number',
    code: (cxt) => cxt.fail(_`${cxt.data}.length > ${cxt.schema}`),
  });
  ajv.addKeyword({
    keyword: MIN_UNITS,
    type: 'string',
    schemaType: 'number',
    code: (cxt) => cxt.fail(_`${cxt.data}.length < ${cxt.schema}`),
  });
  return {
    event: ajv.compile(jsonSchemaOf(BeaconEvent)),
    batch: ajv.compile<BeaconBatchBody>(jsonSchemaOf(BeaconBatchOfEvents)),
  };
}
