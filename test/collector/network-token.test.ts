import { describe, expect, it } from 'vitest';
import { createNetworkCodes, networkOf, networkOfToken } from '../../collector/network-token.js';
import { mintVisitorToken } from '../../collector/visitor-token.js';

/** The network a visitor's address belongs to (/24, /48), and its daily salted code. */
describe('networkOf', () => {
  it.each([
    ['203.0.113.7', '203.0.113.0/24'],
    ['203.0.113.250', '203.0.113.0/24'],
    ['::ffff:203.0.113.7', '203.0.113.0/24'],
    ['2001:db8:1234:5678::1', '2001:db8:1234::/48'],
    ['2001:0db8:1234:ffff:0:0:0:1', '2001:db8:1234::/48'],
    ['2001:DB8:1234::9', '2001:db8:1234::/48'],
    ['2001:db8::1', '2001:db8:0::/48'],
    ['::1', '0:0:0::/48'],
  ])('puts %s in %s', (ip, network) => {
    expect(networkOf(ip)).toBe(network);
  });
});

describe('network codes', () => {
  const code = createNetworkCodes();
  // Fixed salts, so that no run meets the one-in-65,536 chance of two networks sharing a code.
  const salt = Buffer.alloc(32, 1);
  const other = Buffer.alloc(32, 2);

  it('gives every address of a /24 the same code, and another /24 another one', () => {
    const network = code(salt, '203.0.113.7', 'shop');
    expect(network).toBeGreaterThanOrEqual(0);
    expect(network).toBeLessThan(65_536);
    expect(code(salt, '203.0.113.200', 'shop')).toBe(network);
    expect(code(salt, '203.0.114.7', 'shop')).not.toBe(network);
  });

  it('gives the same network another code on another site or under another salt', () => {
    const network = code(salt, '203.0.113.7', 'shop');
    expect(code(salt, '203.0.113.7', 'other')).not.toBe(network);
    expect(code(other, '203.0.113.7', 'shop')).not.toBe(network);
  });

  it('gives an address written two ways one code', () => {
    expect(code(salt, '2001:db8:1234:5678::1', 'shop')).toBe(code(salt, '2001:0db8:1234:0::2', 'shop'));
  });

  it("puts the code in the visitor token's top 16 bits, where the release reads it", () => {
    const network = code(salt, '203.0.113.7', 'shop');
    const token = mintVisitorToken(salt, '203.0.113.7', 'UA', 'shop', network);
    expect(networkOfToken(token)).toBe(String(network));
    expect(networkOfToken(mintVisitorToken(salt, '203.0.113.9', 'UA 2', 'shop', network))).toBe(
      String(network),
    );
  });
});
