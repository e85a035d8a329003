import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * The visitor token: HMAC-SHA256 over ip|user agent|site under the day's salt, truncated to 64
 * bits and written in decimal (a ClickHouse UInt64), whose top 16 bits are replaced by the code of
 * the visitor's network (network-token.ts). It lets staging count distinct visitors, and distinct
 * networks among them, within a day; across days and sites it changes, and once the salt has
 * expired it cannot be recomputed from an IP and user agent (invariant 4). 48 bits of visitor
 * leave two of a day's 1.5 million visitors one token once in about 250 days: the release then
 * counts one visitor fewer, never more.
 */
export function mintVisitorToken(
  salt: Buffer,
  ip: string,
  userAgent: string,
  site: string,
  network: number,
): string {
  const digest = createHmac('sha256', keyOf(salt)).update(`${ip}|${userAgent}|${site}`).digest();
  digest.writeUInt16BE(network, 0);
  return digest.readBigUInt64BE(0).toString();
}

/**
 * An HMAC keyed with a KeyObject skips importing the raw key on every call (~0.5 µs of a single
 * beacon's ~18). Keyed by the salt's Buffer, which the salt store hands out once per day, so a
 * key lives exactly as long as its salt is held, and no longer.
 */
const keys = new WeakMap<Buffer, KeyObject>();

function keyOf(salt: Buffer): KeyObject {
  let key = keys.get(salt);
  if (!key) {
    key = createSecretKey(salt);
    keys.set(salt, key);
  }
  return key;
}
