import type { z } from 'zod';
import { invalidBody } from '../errors.js';

/** Parses a JSON body with zod; the error names the field and the rule, never the value. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidBody(issue?.path.join('.') ?? '', issue?.message ?? 'is invalid');
  }
  return parsed.data;
}
