import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toKanonError } from '../../core/http/error-handling.js';
import type { Logger } from '../../core/log.js';
import type { Metrics } from '../../core/metrics.js';
import type { AuditAction, AuditEntry, AuditLog, AuditOutcome } from './audit-log.js';

/**
 * Which routes the audit log records, declared on the route (`config.audit`), and one hook that
 * writes the entry for all of them: who (the session's user and role, or `control` for the CLIs),
 * when, what, and how it ended, from the status the route answered. A handler adds what only it
 * knows (a target, a row count) with `noteAudit`; it never passes a request body whole.
 *
 * The entry is written before the answer leaves (onSend), so a client that got its answer finds
 * its entry in the log. A write that fails is logged and counted, and the answer still goes out:
 * the store being down already fails the request that needed it.
 */
export type AuditRule =
  | AuditAction
  | ((request: FastifyRequest, reply: FastifyReply) => AuditAction | undefined);

declare module 'fastify' {
  interface FastifyContextConfig {
    audit?: AuditRule;
  }
  interface FastifyRequest {
    auditNote: Partial<AuditEntry> | undefined;
    auditCode: string | undefined;
  }
}

const ATTACHMENT = /^attachment; filename="([^"]{1,200})"$/;

/**
 * Every file the dashboards hand out (a report's CSV) is a download, whichever route sent it: the
 * file name says what it held (site, view, dates), and nothing of its contents is kept.
 */
const downloads: AuditRule = (request, reply) => {
  const disposition = reply.getHeader('content-disposition');
  const file = typeof disposition === 'string' ? ATTACHMENT.exec(disposition)?.[1] : undefined;
  if (!file) return undefined;
  noteAudit(request, { target: request.routeOptions.url ?? '', detail: file });
  return 'csv_download';
};

/** What a handler adds to its route's entry (merged over earlier notes). */
export function noteAudit(request: FastifyRequest, note: Partial<AuditEntry>): void {
  request.auditNote = { ...request.auditNote, ...note };
}

/** The OS user a CLI says it runs as (`x-kanon-os-user`): a claim, kept only in this plain shape. */
const OS_USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

export const outcomeOf = (status: number): AuditOutcome =>
  status < 400 ? 'ok' : status < 500 ? 'refused' : 'failed';

export function installAuditTrail(
  app: FastifyInstance,
  options: { audit: AuditLog; metrics: Metrics; log: Logger },
): void {
  const entries = options.metrics.counter(
    'kanon_audit_entries_total',
    'Audit log entries by action and outcome (failed sign-ins: action="sign_in_failed"; refused queries: action="sql_refused")',
    ['action', 'outcome'],
  );
  const lost = options.metrics.counter(
    'kanon_audit_write_failures_total',
    'Audit log entries the store did not take (each one is also logged, without its content)',
  );
  app.decorateRequest('auditNote', undefined);
  app.decorateRequest('auditCode', undefined);

  app.addHook('onError', async (request, _reply, error) => {
    request.auditCode = toKanonError(error)?.code ?? 'internal';
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const rule = request.routeOptions.config?.audit ?? downloads;
    const action = typeof rule === 'function' ? rule(request, reply) : rule;
    if (!action) return payload;
    const note = request.auditNote ?? {};
    const control = request.routeOptions.config?.access === 'control';
    const osUser = request.headers['x-kanon-os-user'];
    const actor = request.session?.user ?? note.actor ?? (control ? 'control' : '');
    // An anonymous request refused at the door is the sign-in throttle's business, not an entry;
    // failed sign-ins are the exception, and they name a user only when one has that name.
    if (!actor && !action.startsWith('sign_in')) return payload;
    const outcome = note.outcome ?? outcomeOf(reply.statusCode);
    const entry: AuditEntry = {
      ...note,
      actor,
      role: request.session?.role ?? note.role ?? (control ? 'control' : ''),
      action,
      outcome,
      code: note.code ?? (outcome === 'ok' ? undefined : request.auditCode),
      durationMs: note.durationMs ?? reply.elapsedTime,
      detail:
        control && typeof osUser === 'string' && OS_USER.test(osUser)
          ? [note.detail, `os user ${osUser}`].filter(Boolean).join('; ')
          : note.detail,
    };
    entries.inc({ action, outcome });
    try {
      await options.audit.record(entry);
    } catch (error) {
      lost.inc();
      options.log.error({ err: error, action, outcome }, 'audit entry not stored');
    }
    return payload;
  });
}
