import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Metrics } from '../../core/metrics.js';
import { noteAudit } from '../audit/audit-trail.js';
import { fromOwnOrigin, sessionCookieName } from '../auth/access.js';
import type { SessionStore } from '../auth/session-store.js';
import type { UserStore } from '../auth/user-store.js';
import { csrfFailed, invalidCredentials, rateLimited } from '../errors.js';
import { parseBody } from './body.js';

export interface LoginLimits {
  /** Sign-in attempts per address and user name per window. */
  perUser: number;
  /** Sign-in attempts per address, whatever the user name, per window. */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perUser: 5, perAddress: 30, windowMs: 60_000 };

const Login = z.object({
  username: z.string().trim().toLowerCase().min(1, 'is required').max(64, 'is too long'),
  password: z.string().min(1, 'is required').max(1024, 'is too long'),
});

/** Rate-limit keys are hashes: the limiter's memory never holds an address or a name in clear. */
const limitKey = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('base64url');

export interface AuthRouteOptions {
  users: UserStore;
  sessions: SessionStore;
  secureCookies: boolean;
  limits: LoginLimits;
  metrics: Metrics;
  sessionInfo(request: FastifyRequest): Record<string, unknown>;
  publicOrigins?: readonly string[];
}

export function registerAuthRoutes(app: FastifyInstance, options: AuthRouteOptions): void {
  const cookieName = sessionCookieName(options.secureCookies);
  const logins = options.metrics.counter('kanon_dashboards_logins_total', 'Sign-in attempts', ['outcome']);
  const limiters = [
    app.createRateLimit({
      max: options.limits.perAddress,
      timeWindow: options.limits.windowMs,
      keyGenerator: (request) => limitKey('address', request.ip),
    }),
    app.createRateLimit({
      max: options.limits.perUser,
      timeWindow: options.limits.windowMs,
      keyGenerator: (request) => limitKey('user', request.ip, username(request)),
    }),
  ];
  const username = (request: FastifyRequest) => {
    const body = request.body as { username?: unknown } | undefined;
    return typeof body?.username === 'string' ? body.username.trim().toLowerCase() : '';
  };

  app.post(
    '/api/v1/login',
    {
      config: {
        access: 'public',
        // A throttled attempt is counted below, not logged: a flood must not flood the audit log.
        audit: (_request, reply) =>
          reply.statusCode === 429 ? undefined : reply.statusCode < 400 ? 'sign_in' : 'sign_in_failed',
      },
      // preHandler: the body is parsed by then, so the user name can be part of the key. Both
      // limits count every attempt; either one being exceeded refuses it.
      preHandler: async (request, reply) => {
        for (const limit of limiters) {
          const state = await limit(request);
          if (!state.isAllowed && state.isExceeded) {
            logins.inc({ outcome: 'rate_limited' });
            reply.header('retry-after', String(state.ttlInSeconds));
            throw rateLimited(Math.max(1, state.ttlInSeconds));
          }
        }
      },
    },
    async (request, reply) => {
      // No session yet, so no token: refuse sign-ins posted from another site (login CSRF).
      if (!fromOwnOrigin(request, options.publicOrigins)) throw csrfFailed();
      const body = parseBody(Login, request.body);
      const user = await options.users.authenticate(body.username, body.password);
      if (!user) {
        logins.inc({ outcome: 'failed' });
        // The audit log names the attempted user only when one has that name: a password typed
        // into the name field by mistake is not kept.
        const known = await options.users.find(body.username);
        if (known) noteAudit(request, { actor: known.name, role: known.role });
        throw invalidCredentials();
      }
      const previous = request.cookies[cookieName];
      if (previous) await options.sessions.delete(previous);
      const session = await options.sessions.create(user);
      logins.inc({ outcome: 'ok' });
      request.session = session;
      return reply
        .setCookie(cookieName, session.id, {
          path: '/',
          httpOnly: true,
          sameSite: 'strict',
          secure: options.secureCookies,
        })
        .header('Cache-Control', 'no-store')
        .send(options.sessionInfo(request));
    },
  );

  app.post('/api/v1/logout', { config: { access: 'viewer', audit: 'sign_out' } }, async (request, reply) => {
    if (request.session) await options.sessions.delete(request.session.id);
    return reply
      .clearCookie(cookieName, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: options.secureCookies,
      })
      .code(204)
      .send();
  });

  app.get('/api/v1/session', { config: { access: 'viewer' } }, async (request, reply) =>
    reply.header('Cache-Control', 'no-store').send(options.sessionInfo(request)),
  );
}
