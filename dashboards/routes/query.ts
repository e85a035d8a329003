import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AnalystResult, AnalystSql } from '../../core/warehouse/analyst-sql.js';
import { noteAudit } from '../audit/audit-trail.js';
import type { Access } from '../auth/access.js';
import { toCsv } from '../csv.js';
import { queryUnavailable } from '../errors.js';
import { parseBody } from './body.js';

export type AnalystSqlPort = Pick<AnalystSql, 'run'>;

export interface QueryLimits {
  maxRows: number;
  timeoutSeconds: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxRows: 10_000, timeoutSeconds: 30 };

export const QueryBody = z.object({
  sql: z.string().min(1, 'is required').max(20_000, 'must be at most 20000 characters'),
  format: z.enum(['json', 'csv']).default('json'),
});

export function sendQueryResult(reply: FastifyReply, result: AnalystResult, format: 'json' | 'csv') {
  reply.header('Cache-Control', 'no-store').header('X-Kanon-Truncated', String(result.truncated));
  if (format === 'csv') {
    return reply
      .header('Content-Disposition', 'attachment; filename="kanon-query.csv"')
      .type('text/csv; charset=utf-8')
      .send(
        toCsv(
          result.columns.map((column) => column.name),
          result.rows,
        ),
      );
  }
  return reply.send({ columns: result.columns, rows: result.rows, truncated: result.truncated });
}

/**
 * Read-only SQL over the published tables for data engineers (analyst role). The port enforces
 * what may be read and for how long, on the engine; this route checks the body, applies the
 * deployment's limits and maps the result to JSON or CSV. Errors (`query_not_allowed`,
 * `query_timeout`, `query_failed`) go out through the shared error handler.
 */
export function registerQueryRoutes(
  app: FastifyInstance,
  options: { sql: AnalystSqlPort | undefined; limits: QueryLimits; paths: readonly string[]; access: Access },
): void {
  for (const path of options.paths) {
    const config = {
      access: options.access,
      // Every query is in the audit log with its text: refused ones (a 4xx) as sql_refused.
      audit: (_request: unknown, reply: FastifyReply) =>
        reply.statusCode >= 400 && reply.statusCode < 500 ? ('sql_refused' as const) : ('sql_query' as const),
    };
    app.post(path, { config }, async (request, reply) => {
      const sent = (request.body as { sql?: unknown } | undefined)?.sql;
      if (typeof sent === 'string') noteAudit(request, { query: sent });
      const body = parseBody(QueryBody, request.body);
      if (!options.sql) throw queryUnavailable();
      const started = performance.now();
      const result = await options.sql.run(body.sql, options.limits);
      noteAudit(request, {
        rows: result.rows.length,
        durationMs: performance.now() - started,
        ...(body.format === 'csv' ? { detail: 'as CSV' } : {}),
        ...(result.truncated
          ? { detail: `${body.format === 'csv' ? 'as CSV, ' : ''}cut at the row limit` }
          : {}),
      });
      return sendQueryResult(reply, result, body.format);
    });
  }
}
