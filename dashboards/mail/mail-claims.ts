import type { RedisClient } from '../../core/redis/connect.js';

/**
 * Who sends a scheduled report mail when several dashboards processes run: the first to claim it in
 * Redis (SET NX). The sent record in the warehouse says a mail went; the claim covers the moment
 * before it is written, when two processes would both find it unsent and both send it.
 */
export interface MailClaims {
  /** True when this process may send the mail `key`: nobody else is sending it, or sent it lately. */
  claim(key: string): Promise<boolean>;
  /** Gives a claim up after a failed send, so the next tick, of any process, tries again. */
  giveUp(key: string): Promise<void>;
}

/**
 * Claims in the dashboards' Redis, held for `holdMs` (10 minutes): a process that dies while sending
 * leaves its claim to expire, and the mail is tried again then.
 */
export function redisMailClaims(redis: RedisClient, prefix: string, holdMs = 10 * 60_000): MailClaims {
  const keyOf = (key: string) => `${prefix}:dash:report-mail:${key}`;
  return {
    async claim(key) {
      return (await redis.set(keyOf(key), '1', 'PX', holdMs, 'NX')) === 'OK';
    },
    async giveUp(key) {
      await redis.del(keyOf(key));
    },
  };
}
