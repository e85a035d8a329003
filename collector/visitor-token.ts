import { createHmac } from 'node:crypto';

/**
 * The visitor token: HMAC-SHA256 over ip|user agent|site under the day's salt, truncated to 64
 * bits and written in decimal (a ClickHouse UInt64). It lets staging count distinct visitors
 * within a day; across days and sites it changes, and once the salt has expired it cannot be
 * recomputed from an IP and user agent (invariant 4).
 */
export function mintVisitorToken(salt: Buffer, ip: string, userAgent: string, site: string): string {
  const digest = createHmac('sha256', salt).update(`${ip}|${userAgent}|${site}`).digest();
  return digest.readBigUInt64BE(0).toString();
}
