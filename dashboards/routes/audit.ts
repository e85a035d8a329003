import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseAuditFilter } from '../audit/audit-filter.js';
import type { AuditLog, AuditRow } from '../audit/audit-log.js';
import { noteAudit } from '../audit/audit-trail.js';
import { toCsv } from '../csv.js';

export const AUDIT_CSV_COLUMNS = [
  'at',
  'actor',
  'role',
  'action',
  'target',
  'outcome',
  'code',
  'query',
  'rows',
  'duration_ms',
  'detail',
] as const;

export function auditCsv(rows: readonly AuditRow[]): string {
  return toCsv(
    AUDIT_CSV_COLUMNS,
    rows.map((row) => [
      row.at,
      row.actor,
      row.role,
      row.action,
      row.target,
      row.outcome,
      row.code,
      row.query,
      row.rows,
      row.durationMs,
      row.detail,
    ]),
  );
}

/**
 * The access audit log for admins (`GET /api/v1/audit`, the admin page's table and its CSV export)
 * and for `npm run audit` (`GET /control/v1/audit`). Read-only: nothing here changes an entry.
 * An export is itself an entry (`export`, target `app_audit_log`), so the log shows who took a copy.
 */
export function registerAuditRoutes(
  app: FastifyInstance,
  options: { audit: AuditLog; clock: () => number; control: boolean },
): void {
  const list = async (request: FastifyRequest, reply: FastifyReply) => {
    const { format, ...filter } = parseAuditFilter(request.query, options.clock());
    const { rows, truncated } = await options.audit.list(filter);
    reply.header('Cache-Control', 'no-store').header('X-Kanon-Truncated', String(truncated));
    if (format === 'csv') {
      const day = new Date(options.clock()).toISOString().slice(0, 10);
      noteAudit(request, {
        target: 'app_audit_log',
        rows: rows.length,
        detail: `as CSV from ${new Date(filter.since).toISOString()}`,
      });
      return reply
        .header('Content-Disposition', `attachment; filename="kanon-audit-log-${day}.csv"`)
        .type('text/csv; charset=utf-8')
        .send(auditCsv(rows));
    }
    return { rows, truncated };
  };
  const exportRule = (request: FastifyRequest) =>
    (request.query as { format?: unknown } | undefined)?.format === 'csv' ? ('export' as const) : undefined;
  app.get('/api/v1/audit', { config: { access: 'admin', audit: exportRule } }, list);
  // npm run audit reads JSON; reading the log is not itself an entry.
  if (options.control)
    app.get('/control/v1/audit', { config: { access: 'control', audit: () => undefined } }, list);
}
