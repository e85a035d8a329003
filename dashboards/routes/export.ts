import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  EXPORT_CONTENT_TYPES,
  EXPORT_EXTENSIONS,
  exportTable,
  manifestEntry,
  parseFormat,
  parsePeriod,
  parseTable,
} from '../../core/warehouse/export.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { noteAudit } from '../audit/audit-trail.js';

/**
 * One released table for a period as a file written by the engine (docs/integrations/export.md):
 * `GET /api/v1/export?table=&from=&to=&format=parquet|csv|jsonl` for analysts, and the same on
 * `/control/v1/export` for `npm run export` while Kanon holds the embedded store. Only published
 * tables can be named; each download is an `export` entry in the audit log (table, period, rows).
 * The answer carries the file's row count and SHA-256 in headers, which the CLI's manifest keeps.
 */
export function registerExportRoutes(
  app: FastifyInstance,
  options: { warehouse: Warehouse; control: boolean },
): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const table = parseTable(query.table);
    const period = parsePeriod(query.from, query.to);
    const format = parseFormat(query.format);
    noteAudit(request, { target: table, detail: `${format} ${period.from}..${period.to}` });
    const exported = await exportTable(options.warehouse, table, period, format);
    const entry = manifestEntry(exported, format);
    noteAudit(request, { rows: exported.rows });
    return reply
      .header('Cache-Control', 'no-store')
      .header('X-Kanon-Rows', String(entry.rows))
      .header('X-Kanon-Sha256', entry.sha256)
      .header(
        'Content-Disposition',
        `attachment; filename="${table}_${period.from}_${period.to}.${EXPORT_EXTENSIONS[format]}"`,
      )
      .type(EXPORT_CONTENT_TYPES[format])
      .send(Buffer.from(exported.bytes.buffer, exported.bytes.byteOffset, exported.bytes.byteLength));
  };
  app.get('/api/v1/export', { config: { access: 'analyst', audit: 'export' } }, handler);
  if (options.control)
    app.get('/control/v1/export', { config: { access: 'control', audit: 'export' } }, handler);
}
