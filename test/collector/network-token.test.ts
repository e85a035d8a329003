import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createNetworkTokens, networkOf } from '../../collector/network-token.js';

/** The network a visitor's address belongs to (/24, /48), and its daily salted token. */
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

describe('network tokens', () => {
  const mint = createNetworkTokens();
  const salt = randomBytes(32);

  it('gives every address of a /24 the same token, and another /24 another one', () => {
    const token = mint(salt, '203.0.113.7', 'shop');
    expect(token).toMatch(/^\d{1,20}$/);
    expect(mint(salt, '203.0.113.200', 'shop')).toBe(token);
    expect(mint(salt, '203.0.114.7', 'shop')).not.toBe(token);
  });

  it('gives the same network another token on another site or under another salt', () => {
    const token = mint(salt, '203.0.113.7', 'shop');
    expect(mint(salt, '203.0.113.7', 'other')).not.toBe(token);
    expect(mint(randomBytes(32), '203.0.113.7', 'shop')).not.toBe(token);
  });

  it('gives an address written two ways one token', () => {
    expect(mint(salt, '2001:db8:1234:5678::1', 'shop')).toBe(mint(salt, '2001:0db8:1234:0::2', 'shop'));
  });
});
