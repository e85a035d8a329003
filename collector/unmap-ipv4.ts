import { isIPv4 } from 'node:net';

/**
 * The IPv4 address behind an IPv4-mapped IPv6 address (`::ffff:203.0.113.7`), else the address
 * as given. A server listening on '::' (dual stack) sees its IPv4 clients in the mapped form; they
 * are the same clients, on the same networks and in the same countries.
 */
export function unmapIPv4(ip: string): string {
  const mapped = /^::ffff:/i.test(ip) ? ip.slice(7) : undefined;
  return mapped !== undefined && isIPv4(mapped) ? mapped : ip;
}
