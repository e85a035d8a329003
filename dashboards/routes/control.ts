import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditAction } from '../audit/audit-log.js';
import { noteAudit } from '../audit/audit-trail.js';
import { Password, Role, UserName } from '../auth/roles.js';
import type { SessionStore } from '../auth/session-store.js';
import type { UserStore } from '../auth/user-store.js';
import { parseBody } from './body.js';
import { type AnalystSqlPort, type QueryLimits, registerQueryRoutes } from './query.js';

/**
 * What `npm run user` and `npm run sql` need from a running Kanon that holds the embedded store.
 * Only loopback requests with the control token get here (see auth/access.ts), never a browser.
 */
export function registerControlRoutes(
  app: FastifyInstance,
  options: {
    users: UserStore;
    sessions: SessionStore;
    sql: AnalystSqlPort | undefined;
    limits: QueryLimits;
    forgetUser(name: string): void;
    /** `npm run backup` while Kanon holds the embedded store: the engine's BACKUP, copied to `to`. */
    backup?(to: string): Promise<{ tables: Record<string, number> }>;
  },
): void {
  const { users, sessions } = options;
  const access = { config: { access: 'control' as const } };
  // npm run user's changes are in the audit log as `control`, with the OS user the CLI names.
  const audited = (audit: AuditAction) => ({ config: { access: 'control' as const, audit } });
  const name = (params: unknown) => parseBody(z.object({ name: UserName }), params).name;
  const ended = async (target: string) => {
    options.forgetUser(target);
    await sessions.deleteForUser(target);
  };

  app.get('/control/v1/ping', access, async () => ({ ok: true }));
  app.get('/control/v1/users', access, async () => ({ users: await users.list() }));
  app.post('/control/v1/users', audited('user_added'), async (request, reply) => {
    const body = parseBody(z.object({ name: UserName, role: Role, password: Password }), request.body);
    noteAudit(request, { target: body.name, detail: `role ${body.role}` });
    return reply.code(201).send({ user: await users.create(body.name, body.role, body.password) });
  });
  app.put('/control/v1/users/:name/password', audited('user_password_changed'), async (request, reply) => {
    const target = name(request.params);
    noteAudit(request, { target });
    await users.setPassword(target, parseBody(z.object({ password: Password }), request.body).password);
    await ended(target);
    return reply.code(204).send();
  });
  app.put('/control/v1/users/:name/role', audited('user_role_changed'), async (request, reply) => {
    const target = name(request.params);
    noteAudit(request, { target });
    const { role } = parseBody(z.object({ role: Role }), request.body);
    noteAudit(request, { detail: `role ${role}` });
    await users.setRole(target, role);
    await ended(target);
    return reply.code(204).send();
  });
  app.delete('/control/v1/users/:name', audited('user_removed'), async (request, reply) => {
    const target = name(request.params);
    noteAudit(request, { target });
    await users.remove(target);
    await ended(target);
    return reply.code(204).send();
  });
  const { backup } = options;
  if (backup) {
    app.post('/control/v1/backup', audited('backup'), async (request) => {
      const { to } = parseBody(z.object({ to: z.string().min(1).max(4096) }), request.body);
      noteAudit(request, { target: to });
      const manifest = await backup(to);
      noteAudit(request, {
        rows: Object.values(manifest.tables).reduce((sum, rows) => sum + rows, 0),
        detail: `${Object.keys(manifest.tables).length} tables`,
      });
      return manifest;
    });
  }
  registerQueryRoutes(app, {
    sql: options.sql,
    limits: options.limits,
    paths: ['/control/v1/query'],
    access: 'control',
  });
}
