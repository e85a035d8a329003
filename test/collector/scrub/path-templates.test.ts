import { describe, expect, it } from 'vitest';
import { canonicalizePageUrl } from '../../../collector/scrub/canonical-url.js';
import { CanonicalPageCache } from '../../../collector/scrub/page-cache.js';
import { PathTemplates } from '../../../collector/scrub/path-templates.js';
import {
  DEFAULT_PATH_TEMPLATES,
  type PathTemplate,
  parsePathTemplates,
} from '../../../core/path-templates.js';

/**
 * A path can carry a person's name (`/account/john.smith/orders`), and once K visitors share it (a
 * public profile, a shared link) it would be published. No detector can tell a name from a word,
 * so the segment after a keyword that introduces one becomes a placeholder, whatever it holds.
 */
const parsed = (text: string): PathTemplate[] => {
  const result = parsePathTemplates(text);
  if (!result.ok) throw new Error(result.problem);
  return result.templates;
};
const defaults = parsed(DEFAULT_PATH_TEMPLATES);
const applyPathTemplates = (path: string, templates: readonly PathTemplate[]) =>
  new PathTemplates(templates).apply(path);

describe('path templates, with the defaults', () => {
  it.each([
    ['/account/john.smith/orders', '/account/:name/orders'],
    ['/users/maria-gonzalez-1987/profile', '/users/:name/profile'],
    ['/user/jdoe', '/user/:name'],
    ['/customers/Jane%20Doe/addresses', '/customers/:name/addresses'],
    ['/customer/42', '/customer/:name'],
    ['/profile/maria', '/profile/:name'],
    ['/members/mgonzalez/wishlist', '/members/:name/wishlist'],
    ['/member/j', '/member/:name'],
    ['/orders/A-1001', '/orders/:id'],
    ['/order/1001/confirmation', '/order/:id/confirmation'],
    ['/de/account/john/orders/A-77', '/de/account/:name/orders/:id'],
    ['/Account/John', '/Account/:name'],
    ['/USERS/Maria/Profile', '/USERS/:name/Profile'],
  ])('turns %j into %j', (path, expected) => {
    expect(applyPathTemplates(path, defaults)).toBe(expected);
  });

  it.each([
    '/orders',
    '/account',
    '/account/',
    '/account/orders',
    '/account/orders/:id',
    '/account/login',
    '/account/register',
    '/account/addresses',
    '/account/settings',
    '/customer/account/edit',
    '/users/me',
    '/user/settings',
    '/profile/edit',
    '/account/:email/orders/:id',
    '/products/user-manual',
    '/accounts-payable/summer',
    '/p/red-shoes',
    '/',
  ])('keeps %j: nothing follows a keyword, or what follows is a fixed word or a placeholder', (path) => {
    expect(applyPathTemplates(path, defaults)).toBe(path);
  });

  it('replaces the segment after a keyword even when it looks like a fixed word elsewhere', () => {
    expect(applyPathTemplates('/account/summer/orders', defaults)).toBe('/account/:name/orders');
    expect(applyPathTemplates('/users/:johnny', defaults)).toBe('/users/:name');
  });

  it('gives the same path when applied twice', () => {
    for (const path of [
      '/account/john/orders/A-1',
      '/users/users/maria',
      '/orders/orders/7',
      '/account/x/y',
    ]) {
      const once = applyPathTemplates(path, defaults);
      expect(applyPathTemplates(once, defaults)).toBe(once);
    }
  });
});

describe('path templates, configured', () => {
  it('applies only the configured keywords and placeholders', () => {
    const seller = parsed('seller/:name,invoice/:id');
    expect(applyPathTemplates('/seller/bobs-bikes/reviews', seller)).toBe('/seller/:name/reviews');
    expect(applyPathTemplates('/invoice/2026-0042', seller)).toBe('/invoice/:id');
    expect(applyPathTemplates('/account/john.smith', seller)).toBe('/account/john.smith');
  });

  it('leaves every path as it is with none', () => {
    expect(applyPathTemplates('/account/john.smith/orders/A-1', parsed('none'))).toBe(
      '/account/john.smith/orders/A-1',
    );
  });
});

describe('path templates in the canonical page', () => {
  const options = (pathTemplates: readonly PathTemplate[]) => ({
    allowedParams: [],
    searchParams: ['q'],
    pathTemplates: new PathTemplates(pathTemplates),
  });

  it('applies them to the scrubbed path of a page URL', () => {
    const page = canonicalizePageUrl(
      'https://shop.example/users/maria-gonzalez-1987/profile/?utm_source=news',
      options(defaults),
    );
    expect(page?.path).toBe('/users/:name/profile');
    expect(
      canonicalizePageUrl(
        'https://shop.example/account/jane%40example.com/orders/12345678',
        options(defaults),
      )?.path,
    ).toBe('/account/:email/orders/:id');
  });

  it('caches per set of templates: two caches answer the same URL each with its own', () => {
    const url = 'https://shop.example/seller/bob/items';
    const withDefaults = new CanonicalPageCache(options(defaults));
    const withSeller = new CanonicalPageCache(options(parsed('seller/:name')));
    expect(withDefaults.canonicalize(url)?.path).toBe('/seller/bob/items');
    expect(withSeller.canonicalize(url)?.path).toBe('/seller/:name/items');
    expect(withDefaults.canonicalize(url)?.path).toBe('/seller/bob/items');
  });

  it('answers a cached and an uncached URL with the same templates, even if the list it was given changes', () => {
    const templates = parsed('seller/:name');
    const cache = new CanonicalPageCache(options(templates));
    expect(cache.canonicalize('https://shop.example/account/jo')?.path).toBe('/account/jo');
    templates.push({ keyword: 'account', placeholder: 'name' });
    expect(cache.canonicalize('https://shop.example/account/jo')?.path).toBe('/account/jo');
    expect(cache.canonicalize('https://shop.example/account/al')?.path).toBe('/account/al');
  });
});
