import { isIP } from 'node:net';

/**
 * Which proxies' X-Forwarded-For is believed (KANON_TRUST_PROXY): none (`false`), the `n` nearest
 * (a hop count), or those at the listed addresses/CIDRs. Whatever the form, the client address is
 * the rightmost one no trusted proxy added; the entries left of it were written by the client and
 * are never read, so nobody can choose the address the rate limits and the visitor token key on.
 */
export type TrustProxy = false | number | readonly string[];

/** npm start's demo: the simulator and a local reverse proxy reach the collector over loopback. */
export const LOOPBACK_PROXIES: readonly string[] = ['127.0.0.1', '::1'];

const HOPS = /^\d{1,2}$/;

function isProxyAddress(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits >= 1 && bits <= (family === 4 ? 32 : 128);
}

const entriesOf = (value: string) => value.split(/[\s,]+/).filter(Boolean);

/** Why a KANON_TRUST_PROXY value is refused (naming the entry's position, not its text), or undefined. */
export function trustProxyProblem(value: string): string | undefined {
  if (value === 'true' || value === 'false' || HOPS.test(value)) return undefined;
  const entries = entriesOf(value);
  const bad = entries.findIndex((entry) => !isProxyAddress(entry));
  if (entries.length > 0 && bad === -1) return undefined;
  const which = bad === -1 ? '' : ` (entry ${bad + 1} is neither an address nor a CIDR)`;
  return `must be false, true, a hop count, or proxy addresses/CIDRs like 10.0.0.0/8${which}`;
}

/**
 * Reads a value trustProxyProblem accepted. `true` means one hop, the one proxy in front: Fastify's
 * own `true` believes every entry and so takes the leftmost, which is whatever the client wrote.
 */
export function parseTrustProxy(value: string): TrustProxy {
  if (value === 'false') return false;
  if (value === 'true') return 1;
  if (HOPS.test(value)) return Number(value) === 0 ? false : Number(value);
  return entriesOf(value);
}

/**
 * The setting as Fastify's `trustProxy` option. proxy-addr asks about the socket's address first
 * (hop 0), then each X-Forwarded-For entry from the right (hop 1, 2, ...), and takes the first one
 * it is told not to trust; with every one trusted, the leftmost. A hop count is therefore a
 * function trusting hops below it: Fastify 5 reads a plain number as "trust no peer".
 */
export function fastifyTrustProxy(
  setting: TrustProxy,
): false | string[] | ((address: string, hop: number) => boolean) {
  if (setting === false) return false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return [...setting];
}

/** For the settings page: what the setting means, in words. */
export function describeTrustProxy(setting: TrustProxy): string {
  if (setting === false) return 'no proxy: the connecting address';
  if (typeof setting === 'number') return setting === 1 ? 'one proxy hop' : `${setting} proxy hops`;
  return `proxies at ${setting.join(', ')}`;
}
