import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Site } from '../../core/sites.js';
import { noteAudit } from '../audit/audit-trail.js';
import { generatePassword } from '../auth/passwords.js';
import { Password, Role, UserName } from '../auth/roles.js';
import type { SessionStore } from '../auth/session-store.js';
import type { UserStore } from '../auth/user-store.js';
import { parseBody } from './body.js';

export interface Setting {
  name: string;
  value: string | number | boolean;
  doc: string;
}

const NewUser = z.object({ name: UserName, role: Role, password: Password.optional() });
const UserChange = z
  .object({ role: Role.optional(), password: Password.optional() })
  .refine((change) => change.role !== undefined || change.password !== undefined, {
    message: 'give a role or a password',
  });

/**
 * Admin pages' API: users (list, add, change role or password, remove), and the deployment's
 * sites and settings, read-only (they come from the environment). Changing or removing a user ends
 * their sessions.
 */
export function registerAdminRoutes(
  app: FastifyInstance,
  options: {
    users: UserStore;
    sessions: SessionStore;
    sites: readonly Site[];
    settings: readonly Setting[];
    forgetUser(name: string): void;
  },
): void {
  const { users, sessions } = options;
  const name = (params: unknown) => parseBody(z.object({ name: UserName }), params).name;

  app.get('/api/v1/users', { config: { access: 'admin' } }, async () => ({ users: await users.list() }));

  app.post('/api/v1/users', { config: { access: 'admin', audit: 'user_added' } }, async (request, reply) => {
    const body = parseBody(NewUser, request.body);
    noteAudit(request, { target: body.name, detail: `role ${body.role}` });
    const password = body.password ?? generatePassword();
    const user = await users.create(body.name, body.role, password);
    // A generated password is shown once, to the admin who created the account.
    return reply.code(201).send({ user, ...(body.password ? {} : { password }) });
  });

  const changed = (request: { auditNote?: { detail?: string } }) =>
    request.auditNote?.detail?.startsWith('role') ? 'user_role_changed' : 'user_password_changed';
  app.patch('/api/v1/users/:name', { config: { access: 'admin', audit: changed } }, async (request) => {
    const target = name(request.params);
    const change = parseBody(UserChange, request.body);
    noteAudit(request, {
      target,
      detail: [
        change.role !== undefined ? `role ${change.role}` : '',
        change.password !== undefined ? 'new password' : '',
      ]
        .filter(Boolean)
        .join(', '),
    });
    if (change.role !== undefined) await users.setRole(target, change.role);
    if (change.password !== undefined) await users.setPassword(target, change.password);
    options.forgetUser(target);
    await sessions.deleteForUser(target);
    return { user: (await users.list()).find((user) => user.name === target) };
  });

  app.delete(
    '/api/v1/users/:name',
    { config: { access: 'admin', audit: 'user_removed' } },
    async (request, reply) => {
      const target = name(request.params);
      noteAudit(request, { target });
      await users.remove(target);
      options.forgetUser(target);
      await sessions.deleteForUser(target);
      return reply.code(204).send();
    },
  );

  app.get('/api/v1/sites', { config: { access: 'admin' } }, async () => ({
    sites: options.sites.map((site) => ({ id: site.id, origins: site.origins })),
  }));

  app.get('/api/v1/settings', { config: { access: 'admin' } }, async () => ({ settings: options.settings }));
}
