import { describe, expect, it } from 'vitest';
import { reduceReferrer } from '../../../collector/scrub/referrer.js';

describe('reduceReferrer', () => {
  it.each([
    [undefined],
    [''],
    ['   '],
    ['not a url'],
    ['/relative'],
    ['android-app://com.google.android.gm/'],
    ['ftp://files.example/'],
    ['about:blank'],
  ])('reduces %j to (direct)', (referrer) => {
    expect(reduceReferrer(referrer, 'shop.example')).toBe('(direct)');
  });

  it.each([
    ['https://www.google.com/search?q=red+shoes', 'www.google.com'],
    ['https://WWW.Google.COM:8443/x', 'www.google.com'],
    ['http://user:pass@news.example.org/article/12345678?utm_source=x#top', 'news.example.org'],
    ['https://l.facebook.com/l.php?u=https%3A%2F%2Fshop.example%2F', 'l.facebook.com'],
    ['https://example.com./', 'example.com'],
  ])('reduces %j to its host %j', (referrer, host) => {
    expect(reduceReferrer(referrer, 'shop.example')).toBe(host);
  });

  it('returns (internal) for a referrer on the page host, whatever the port or case', () => {
    expect(reduceReferrer('https://shop.example/cart', 'shop.example')).toBe('(internal)');
    expect(reduceReferrer('https://SHOP.example:8080/cart', 'shop.example:8080')).toBe('(internal)');
    expect(reduceReferrer('https://www.shop.example/', 'shop.example')).toBe('www.shop.example');
  });

  it.each([
    'http://192.168.1.23/admin',
    'http://10.0.0.1:8080/',
    'http://[2001:db8::1]/',
    'http://3232235777/',
    'http://0xC0A80101/',
  ])('reduces the IP-address host of %j to (ip)', (referrer) => {
    expect(reduceReferrer(referrer, 'shop.example')).toBe('(ip)');
  });

  it.each([
    ['https://d41d8cd98f00b204e9800998ecf8427e3a1b2c3d.preview.example/', ':token.preview.example'],
    ['https://550e8400-e29b-41d4-a716-446655440000.tunnel.example/', ':uuid.tunnel.example'],
    ['https://4111111111111111.cards.example/', ':card.cards.example'],
    ['https://customer-98765432.crm.example/', 'customer-:id.crm.example'],
    ['https://AbCdEf0123GhIjKl4567MnOpQr89.tunnel.example/', ':token.tunnel.example'],
  ])('scrubs the sensitive labels of %j', (referrer, host) => {
    expect(reduceReferrer(referrer, 'shop.example')).toBe(host);
  });

  it('keeps long host labels that read as names', () => {
    expect(reduceReferrer('https://summer-sale-2026-black-friday.example.com/', 'shop.example')).toBe(
      'summer-sale-2026-black-friday.example.com',
    );
    expect(reduceReferrer('https://gründerzeit-möbel-kaufen-2026.de/', 'shop.example')).toBe(
      'xn--grnderzeit-mbel-kaufen-2026-0yc7n.de',
    );
  });
});
