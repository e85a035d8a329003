import { z } from 'zod';
import { parseDurationSeconds } from '../../core/duration.js';
import { invalidQuery } from '../errors.js';
import { AuditAction, type AuditFilter, AuditOutcome } from './audit-log.js';

/** The most rows one listing returns; a CSV export of a longer period is cut and says so. */
export const AUDIT_MAX_ROWS = 100_000;
export const AUDIT_DEFAULT_ROWS = 500;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A point in time as people write it for the audit log: `7d` or `12h` (that long before now), a
 * day `2026-12-01` (its midnight UTC), or an ISO 8601 time. Undefined when it is none of these.
 */
export function parseAuditTime(text: string, now: number): number | undefined {
  const ago = parseDurationSeconds(text);
  if (ago !== undefined) return now - ago * 1000;
  if (!DATE.test(text) && !/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  const ms = Date.parse(DATE.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isNaN(ms) ? undefined : ms;
}

const Time = z.string().trim().max(40);

export const AuditQuery = z.object({
  since: Time.default('7d'),
  until: Time.optional(),
  actor: z.string().trim().max(64).optional(),
  action: AuditAction.optional(),
  outcome: AuditOutcome.optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_MAX_ROWS).default(AUDIT_DEFAULT_ROWS),
  format: z.enum(['json', 'csv']).default('json'),
});

/** The audit page's and `npm run audit`'s filter, from a query string; errors name the field only. */
export function parseAuditFilter(query: unknown, now: number): AuditFilter & { format: 'json' | 'csv' } {
  const parsed = AuditQuery.safeParse(query ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidQuery(issue?.path.join('.') ?? '', issue?.message ?? 'is invalid');
  }
  const { since, until, actor, action, outcome, limit, format } = parsed.data;
  const from = parseAuditTime(since, now);
  if (from === undefined)
    throw invalidQuery('since', 'give a duration before now (7d, 12h) or a date (2026-12-01)');
  const to = until === undefined || until === '' ? undefined : parseAuditTime(until, now);
  if (until && to === undefined)
    throw invalidQuery('until', 'give a duration before now (1d) or a date (2026-12-01)');
  return {
    since: from,
    ...(to === undefined ? {} : { until: to }),
    ...(actor ? { actor } : {}),
    ...(action ? { action } : {}),
    ...(outcome ? { outcome } : {}),
    limit,
    format,
  };
}
