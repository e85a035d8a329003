import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { connectRedis, type RedisClient } from '../../core/redis/connect.js';
import { isRedisCluster } from '../../core/redis/redis-address.js';
import type { TlsFiles } from '../../core/tls-files.js';
import { sessionsUnavailable } from '../errors.js';
import { Role } from './roles.js';

export interface Session {
  /** The cookie value. Redis never sees it: keys hold its SHA-256. */
  id: string;
  user: string;
  role: Role;
  /** The user's version at sign-in; a changed password, role or removal ends the session. */
  userVersion: number;
  /** Sent back by the UI in X-CSRF-Token on every state-changing request. */
  csrfToken: string;
  createdAt: number;
}

export interface SessionStore {
  create(user: { name: string; role: Role; version: number }): Promise<Session>;
  /** The live session, its idle timeout renewed (sliding); undefined when unknown or expired. */
  get(id: string): Promise<Session | undefined>;
  delete(id: string): Promise<void>;
  deleteForUser(name: string): Promise<void>;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Key prefix, e.g. `kanon`; keys are `<prefix>:dash:session:<sha256>`. */
  prefix: string;
  /** Idle timeout, renewed on every request. */
  idleSeconds: number;
  /** Absolute lifetime, however active the session is. */
  maxAgeSeconds: number;
  clock?: () => number;
  /** KANON_REDIS_TLS_* for a rediss:// URL (core/redis/connect.ts). */
  tls?: TlsFiles;
}

const Stored = z.object({
  user: z.string(),
  role: Role,
  userVersion: z.number(),
  csrfToken: z.string(),
  createdAt: z.number(),
});

const digest = (id: string) => createHash('sha256').update(id).digest('base64url');
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** Sessions in Redis with a sliding idle timeout and an absolute lifetime. */
export class RedisSessionStore implements SessionStore {
  private readonly clock: () => number;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: SessionOptions,
    private readonly ownsConnection = false,
  ) {
    this.clock = options.clock ?? Date.now;
  }

  /** Opens its own connection, closed by `close()`. */
  static connect(url: string, options: SessionOptions): RedisSessionStore {
    // On a Redis Cluster a MULTI's keys must share a hash slot: a session's key and its user's set
    // are written together, so every session key carries the deployment's hash tag.
    const prefix = isRedisCluster(url) ? `{${options.prefix}}` : options.prefix;
    // The offline queue lets the first requests after start-up wait for the connection instead of failing.
    return new RedisSessionStore(
      connectRedis(url, 'producer', { enableOfflineQueue: true, tls: options.tls }),
      { ...options, prefix },
      true,
    );
  }

  private sessionKey(id: string) {
    return `${this.options.prefix}:dash:session:${digest(id)}`;
  }

  private userKey(name: string) {
    return `${this.options.prefix}:dash:user-sessions:${name}`;
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw Object.assign(sessionsUnavailable(), { cause: error });
    }
  }

  async create(user: { name: string; role: Role; version: number }): Promise<Session> {
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      user: user.name,
      role: user.role,
      userVersion: user.version,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: this.clock(),
    };
    const { id: _id, ...stored } = session;
    const ttl = Math.min(this.options.idleSeconds, this.options.maxAgeSeconds);
    await this.call(() =>
      this.redis
        .multi()
        .set(this.sessionKey(session.id), JSON.stringify(stored), 'EX', ttl)
        .sadd(this.userKey(user.name), digest(session.id))
        .expire(this.userKey(user.name), this.options.maxAgeSeconds)
        .exec(),
    );
    return session;
  }

  async get(id: string): Promise<Session | undefined> {
    if (!SESSION_ID.test(id)) return undefined;
    const key = this.sessionKey(id);
    const text = await this.call(() => this.redis.get(key));
    if (!text) return undefined;
    const parsed = Stored.safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    const left = parsed.data.createdAt + this.options.maxAgeSeconds * 1000 - this.clock();
    if (left <= 0) {
      await this.delete(id);
      return undefined;
    }
    const ttl = Math.min(this.options.idleSeconds, Math.ceil(left / 1000));
    await this.call(() => this.redis.expire(key, ttl));
    return { id, ...parsed.data };
  }

  async delete(id: string): Promise<void> {
    if (!SESSION_ID.test(id)) return;
    const key = this.sessionKey(id);
    const text = await this.call(() => this.redis.get(key));
    const user = text ? Stored.safeParse(JSON.parse(text)).data?.user : undefined;
    const multi = this.redis.multi().del(key);
    if (user) multi.srem(this.userKey(user), digest(id));
    await this.call(() => multi.exec());
  }

  async deleteForUser(name: string): Promise<void> {
    const digests = await this.call(() => this.redis.smembers(this.userKey(name)));
    const keys = digests.map((hash) => `${this.options.prefix}:dash:session:${hash}`);
    await this.call(() => this.redis.del(this.userKey(name), ...keys));
  }

  async close(): Promise<void> {
    if (this.ownsConnection) this.redis.disconnect();
  }
}
