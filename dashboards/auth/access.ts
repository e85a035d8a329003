import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tokensMatch } from '../../core/http/tokens-match.js';
import { controlForbidden, csrfFailed, forbidden, unauthenticated } from '../errors.js';
import { type Role, roleAllows } from './roles.js';
import type { Session, SessionStore } from './session-store.js';
import type { UserRecord, UserStore } from './user-store.js';

/**
 * Who may call a route, declared on the route itself (`config.access`) and enforced by one hook
 * for the whole app (invariant 9). A route without a declaration needs a viewer session: public
 * routes have to say so.
 * - `public`: anyone (the sign-in page and route, static assets, health);
 * - a role: a session whose user has at least that role; pages redirect to /login instead of 401;
 * - `control`: the CLIs over loopback with the control token, never a browser.
 */
export type Access = 'public' | Role | 'control';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** HTML pages answer a missing session with a redirect, not a JSON 401. */
    page?: boolean;
  }
  interface FastifyRequest {
    session: Session | undefined;
  }
}

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionCookieName(secure: boolean): string {
  // `__Host-` makes browsers refuse the cookie unless it is Secure, host-only and for path /.
  return secure ? '__Host-kanon_session' : 'kanon_session';
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(plain) === 4) return plain.startsWith('127.');
  return plain === '::1';
}

/**
 * Cross-site request checks for cookie-authenticated writes, besides the token: an Origin (or,
 * without one, Sec-Fetch-Site) that shows the request came from another site is refused.
 * With `publicOrigins` (the addresses people open, e.g. behind a TLS proxy) the Origin must be one
 * of them; without, its host must be the Host the request was sent to (a proxy that terminates TLS
 * changes the scheme, so the scheme is not compared).
 */
export function fromOwnOrigin(request: FastifyRequest, publicOrigins?: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (publicOrigins && publicOrigins.length > 0) return publicOrigins.includes(origin);
    try {
      return new URL(origin).host === request.host;
    } catch {
      return false;
    }
  }
  const site = request.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

export interface AccessOptions {
  users: UserStore;
  sessions: SessionStore;
  cookieName: string;
  controlToken: string | undefined;
  clock: () => number;
  /** The HTML answered when a signed-in user opens a page their role does not allow. */
  forbiddenPage(role: Role): string;
  publicOrigins?: readonly string[];
}

/** Remembers users for a few seconds, so a page's burst of API calls reads app_users once. */
function cachedUsers(users: UserStore, clock: () => number, ttlMs = 5000) {
  const cache = new Map<string, { at: number; user: UserRecord | undefined }>();
  return {
    async find(name: string) {
      const hit = cache.get(name);
      if (hit && clock() - hit.at < ttlMs) return hit.user;
      const user = await users.find(name);
      cache.set(name, { at: clock(), user });
      if (cache.size > 1000) cache.delete(cache.keys().next().value as string);
      return user;
    },
    forget(name: string) {
      cache.delete(name);
    },
  };
}

export function installAccessControl(app: FastifyInstance, options: AccessOptions) {
  const users = cachedUsers(options.users, options.clock);
  app.decorateRequest('session', undefined);

  async function loadSession(request: FastifyRequest): Promise<Session | undefined> {
    const id = request.cookies[options.cookieName];
    if (!id) return undefined;
    const session = await options.sessions.get(id);
    if (!session) return undefined;
    // A changed password or role, or a removed user, ends every session of that user.
    const user = await users.find(session.user);
    if (!user || user.version !== session.userVersion) {
      await options.sessions.delete(id);
      return undefined;
    }
    return { ...session, role: user.role };
  }

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const config = request.routeOptions.config;
    const access: Access = config?.access ?? 'viewer';
    if (access === 'public') {
      // Public pages still like to know who is signed in (the login page redirects them).
      if (config?.page) request.session = await loadSession(request);
      return;
    }
    if (access === 'control') {
      const header = request.headers.authorization ?? '';
      const token = header.startsWith('Bearer ') ? header.slice(7) : '';
      const allowed =
        options.controlToken !== undefined &&
        isLoopback(request.socket.remoteAddress) &&
        request.headers.origin === undefined &&
        tokensMatch(options.controlToken, token);
      if (!allowed) throw controlForbidden();
      return;
    }
    const session = await loadSession(request);
    if (!session) {
      if (config?.page) {
        // Back to the same view and filters after signing in (the page checks `next` is a local path).
        const next = encodeURIComponent(request.url);
        return reply.redirect(`/login${next === '%2F' ? '' : `?next=${next}`}`, 302);
      }
      throw unauthenticated();
    }
    request.session = session;
    if (!roleAllows(session.role, access)) {
      if (config?.page)
        return reply.code(403).type('text/html; charset=utf-8').send(options.forbiddenPage(access));
      throw forbidden(access);
    }
    if (!SAFE_METHODS.has(request.method)) {
      const token = request.headers['x-csrf-token'];
      if (
        typeof token !== 'string' ||
        !tokensMatch(session.csrfToken, token) ||
        !fromOwnOrigin(request, options.publicOrigins)
      ) {
        throw csrfFailed();
      }
    }
  });

  return { forgetUser: (name: string) => users.forget(name), loadSession };
}
