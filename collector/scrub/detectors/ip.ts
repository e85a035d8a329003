import { isIPv6 } from 'node:net';
import { PLACEHOLDERS } from '../placeholders.js';

/**
 * IPv6 and IPv4 addresses.
 *
 * IPv6 goes first so that an address with an embedded IPv4 tail (`::ffff:192.0.2.1`) is replaced
 * whole. Candidates are maximal runs of hex digits, colons and dots with at least two colons; the
 * lookbehind anchors each run at its start so a long hex run is scanned once. A run glued to
 * surrounding text is trimmed to the address inside it before `net.isIPv6` decides. At least two
 * non-empty groups are required: `::`, `::1` and `ab::` identify nobody, and accepting them would
 * let a placeholder's colon turn ordinary text into an "address" on a second pass.
 *
 * IPv4 needs four dot-separated octets of at most 255, not glued to further digits.
 */
const IPV6_RUN = /(?<![0-9A-Fa-f:.])[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*/g;
const IPV4 = /(?<![0-9])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9])/g;
/** The longest IPv6 text form: eight groups, or six with an IPv4 tail (`ffff:…:255.255.255.255`). */
const MAX_IPV6_LENGTH = 45;

function hasTwoGroups(address: string): boolean {
  let groups = 0;
  for (const group of address.split(':')) if (group !== '') groups++;
  return groups >= 2;
}

/**
 * The IPv6 address inside a candidate run, as [start, end), or undefined. Besides the whole run it
 * tries a bounded set of trims for runs glued to surrounding text: without the last character or
 * all trailing punctuation (`fe80::1.`, `0:0:::`), up to a dot that does not start an IPv4 tail
 * (`…::1.example`), with a last group of at most four digits (`…::1abcde`), and starts after a
 * glued word (`de.::1:2`, `cafe2001:db8::1`).
 */
function findIpv6(run: string): [number, number] | undefined {
  let trimmed = run.length;
  while (trimmed > 0 && (run[trimmed - 1] === '.' || run[trimmed - 1] === ':')) trimmed--;
  const lastColon = run.lastIndexOf(':');
  const dotAfter = run.indexOf('.', lastColon);
  const ends = [run.length, run.length - 1, trimmed, dotAfter, Math.min(run.length, lastColon + 5)];
  const firstColon = run.indexOf(':');
  const afterDot = run.lastIndexOf('.', firstColon) + 1;
  const starts = [0, afterDot, firstColon];
  for (let start = Math.max(afterDot, firstColon - 4); start < firstColon; start++) starts.push(start);
  for (const start of starts) {
    for (const end of ends) {
      if (end <= start || end - start > MAX_IPV6_LENGTH) continue;
      const address = run.slice(start, end);
      if (hasTwoGroups(address) && isIPv6(address)) return [start, end];
    }
  }
  return undefined;
}

function replaceIpv6(text: string): string {
  return text.replace(IPV6_RUN, (run) => {
    const found = findIpv6(run);
    return found ? run.slice(0, found[0]) + PLACEHOLDERS.ip + run.slice(found[1]) : run;
  });
}

function isIpv4(candidate: string): boolean {
  return candidate.split('.').every((octet) => Number(octet) <= 255);
}

export function replaceIpAddresses(text: string): string {
  const withoutV6 = text.includes(':') ? replaceIpv6(text) : text;
  if (!withoutV6.includes('.')) return withoutV6;
  return withoutV6.replace(IPV4, (candidate) => (isIpv4(candidate) ? PLACEHOLDERS.ip : candidate));
}
