import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../core/redis/connect.js';
import { dayOfMs } from '../core/time.js';

/**
 * Daily salts for visitor tokens (invariant 4). A salt is random, created once per UTC day with one
 * atomic `SET … NX` so every collector instance shares it, and expires a day after its day ends.
 * It lives only in Redis (a Redis without persistence, see core/redis/private-redis.ts) and in this
 * process's memory for the rest of its day; it is never logged or written to ClickHouse or disk.
 * Once it has expired, that day's tokens cannot be recomputed.
 */
export interface SaltStore {
  saltFor(day: string): Promise<Buffer>;
  /** The salt of `day` when it is already in memory, so the hot path needs no promise. */
  cachedSaltFor?(day: string): Buffer | undefined;
}

export const SALT_BYTES = 32;
/** How long a backfilled past day's salt lives, so one backfill run sees one salt per day. */
export const BACKFILL_SALT_SECONDS = 6 * 3600;

/** Unix seconds at which the salt of `day` expires: the end of the following day (~2 days after creation). */
export function saltExpiresAt(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000 + 2 * 86_400;
}

export class RedisSaltStore implements SaltStore {
  private cached: { day: string; salt: Buffer } | undefined;
  private inflight: { day: string; promise: Promise<Buffer> } | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  saltFor(day: string): Promise<Buffer> {
    if (this.cached?.day === day) return Promise.resolve(this.cached.salt);
    if (this.inflight?.day === day) return this.inflight.promise;
    const promise = this.fetch(day).finally(() => {
      if (this.inflight?.promise === promise) this.inflight = undefined;
    });
    this.inflight = { day, promise };
    return promise;
  }

  /** The cached salt of `day`, without a round trip; undefined when it must be fetched. */
  cachedSaltFor(day: string): Buffer | undefined {
    return this.cached?.day === day ? this.cached.salt : undefined;
  }

  private async fetch(day: string): Promise<Buffer> {
    const key = `${this.prefix}:salt:${day}`;
    const candidate = randomBytes(SALT_BYTES).toString('base64');
    // SET NX GET returns the salt another instance created first, or null when ours was stored.
    // A past day's salt (simulator backfill) would already be expired: keep it a few hours.
    const expiresAt = Math.max(saltExpiresAt(day), Math.floor(Date.now() / 1000) + BACKFILL_SALT_SECONDS);
    const existing = await this.redis.set(key, candidate, 'EXAT', expiresAt, 'NX', 'GET');
    const salt = Buffer.from(existing ?? candidate, 'base64');
    // Only today's salt is worth keeping in memory; a past day's (backfill) is fetched each time.
    if (day === dayOfMs(Date.now())) this.cached = { day, salt };
    return salt;
  }
}
