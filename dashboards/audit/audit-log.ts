import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { AUDIT_TABLE } from '../../schema/tables.js';

/**
 * The access audit log (`app_audit_log`, schema/sql/009_app_audit_log.sql): who did what with the
 * data and the deployment, for the shop's auditor. Append-only for the application: this port can
 * add a row and read rows, nothing else; rows leave only by the table's TTL (KANON_AUDIT_RETENTION).
 *
 * What goes in is chosen by the callers (routes and CLIs), each from values it has already
 * validated: a user name, a role, a site id, an error code, an analyst's SQL text. Never a result
 * row, an address, a user agent, a password or a token.
 */
export { AUDIT_TABLE };

export const AUDIT_ACTIONS = [
  'sign_in',
  'sign_in_failed',
  'sign_out',
  'sql_query',
  'sql_refused',
  'csv_download',
  'export',
  'user_added',
  'user_removed',
  'user_role_changed',
  'user_password_changed',
  'setting_changed',
  'catalog_import',
  'purge',
  'backup',
  'restore',
] as const;
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

/** `refused`: Kanon said no (a 4xx: wrong password, a query not allowed); `failed`: it could not. */
export const AUDIT_OUTCOMES = ['ok', 'refused', 'failed'] as const;
export const AuditOutcome = z.enum(AUDIT_OUTCOMES);
export type AuditOutcome = z.infer<typeof AuditOutcome>;

/** Who acts when no dashboard user does: the CLIs on the store (`cli`), through a running Kanon (`control`), Kanon itself (`system`). */
export type MachineActor = 'cli' | 'control' | 'system';

export interface AuditEntry {
  /** A dashboard user's name, a MachineActor, or '' (a failed sign-in under a name no user has). */
  actor: string;
  /** The actor's role when it acted (viewer, analyst, admin), or the MachineActor again. */
  role: string;
  action: AuditAction;
  /** What was acted on: a user name, a site id, a view, a setting, a backup directory. */
  target?: string;
  outcome?: AuditOutcome;
  /** The error code of a refusal or failure (query_not_allowed, invalid_credentials, ...). */
  code?: string;
  /** An analyst's SQL text, as sent. */
  query?: string;
  rows?: number;
  durationMs?: number;
  /** A few words more: a new role, a setting's value, a date range, an export's format. */
  detail?: string;
}

export const AuditRow = z.object({
  at: z.string(),
  id: z.string(),
  actor: z.string(),
  role: z.string(),
  action: z.string(),
  target: z.string(),
  outcome: z.string(),
  code: z.string(),
  query: z.string(),
  rows: z.number(),
  durationMs: z.number(),
  detail: z.string(),
});
export type AuditRow = z.infer<typeof AuditRow>;

export interface AuditFilter {
  /** Unix ms, inclusive. */
  since: number;
  /** Unix ms, exclusive; default: no end. */
  until?: number;
  actor?: string;
  action?: AuditAction;
  outcome?: AuditOutcome;
  limit: number;
}

export interface AuditLog {
  /** Writes one row now; resolves once the store has it. */
  record(entry: AuditEntry): Promise<void>;
  /** Rows newest first; `truncated` when more than `limit` matched. */
  list(filter: AuditFilter): Promise<{ rows: AuditRow[]; truncated: boolean }>;
  /** The last value recorded for each setting (`setting_changed` rows), to notice a change at start-up. */
  lastSettings(): Promise<Map<string, string>>;
}

/** Long free text is cut: the SQL route already caps a query at 20,000 characters. */
const MAX_QUERY = 20_000;
const MAX_TEXT = 500;

/** `2026-12-07 09:14:03.120` (the engine's DateTime64 text in UTC) as ISO 8601. */
const toIso = (text: string) => `${text.replace(' ', 'T')}Z`;
/** Unix ms as the engine's DateTime64(3) text in UTC. */
const toDateTime64 = (ms: number) => new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
/** 2200-01-01: an `until` for no end that DateTime64 still holds. */
const NO_END = 7_258_118_400_000;

export class ClickHouseAuditLog implements AuditLog {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly clock: () => number = Date.now,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    const id = randomBytes(12).toString('base64url');
    await this.warehouse.insert(
      AUDIT_TABLE,
      [
        {
          at: toDateTime64(this.clock()),
          id,
          actor: entry.actor.slice(0, MAX_TEXT),
          role: entry.role.slice(0, 32),
          action: entry.action,
          target: (entry.target ?? '').slice(0, MAX_TEXT),
          outcome: entry.outcome ?? 'ok',
          code: (entry.code ?? '').slice(0, 64),
          query: (entry.query ?? '').slice(0, MAX_QUERY),
          row_count: Math.max(0, Math.round(entry.rows ?? 0)),
          duration_ms: Math.max(0, Math.min(4_294_967_295, Math.round(entry.durationMs ?? 0))),
          detail: (entry.detail ?? '').slice(0, MAX_TEXT),
        },
      ],
      { dedupToken: `audit:${id}` },
    );
  }

  async list(filter: AuditFilter): Promise<{ rows: AuditRow[]; truncated: boolean }> {
    const rows = await this.warehouse.query({
      name: 'app_audit_log_list',
      sql: `SELECT toString(${AUDIT_TABLE}.at) AS at_text, id, actor, role, action, target, outcome, code, query,
              row_count AS rows, duration_ms AS durationMs, detail
            FROM ${AUDIT_TABLE}
            WHERE ${AUDIT_TABLE}.at >= {since:DateTime64(3, 'UTC')} AND ${AUDIT_TABLE}.at < {until:DateTime64(3, 'UTC')}
              AND ({actor:String} = '' OR actor = {actor:String})
              AND ({action:String} = '' OR action = {action:String})
              AND ({outcome:String} = '' OR outcome = {outcome:String})
            ORDER BY ${AUDIT_TABLE}.at DESC, id DESC
            LIMIT {limit:UInt32}`,
      params: {
        since: toDateTime64(Math.max(0, filter.since)),
        until: toDateTime64(Math.min(NO_END, filter.until ?? NO_END)),
        actor: filter.actor ?? '',
        action: filter.action ?? '',
        outcome: filter.outcome ?? '',
        limit: filter.limit + 1,
      },
      row: AuditRow.omit({ at: true }).extend({ at_text: z.string() }),
    });
    const truncated = rows.length > filter.limit;
    return {
      rows: (truncated ? rows.slice(0, filter.limit) : rows).map(({ at_text, ...row }) => ({
        at: toIso(at_text),
        ...row,
      })),
      truncated,
    };
  }

  async lastSettings(): Promise<Map<string, string>> {
    const rows = await this.warehouse.query({
      name: 'app_audit_log_settings',
      sql: `SELECT target, argMax(detail, (at, id)) AS value FROM ${AUDIT_TABLE}
            WHERE action = 'setting_changed' AND outcome = 'ok' GROUP BY target`,
      row: z.object({ target: z.string(), value: z.string() }),
    });
    return new Map(rows.map((row) => [row.target, row.value]));
  }
}
