import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalizePageUrl } from '../../../collector/scrub/canonical-url.js';
import { CanonicalPageCache } from '../../../collector/scrub/page-cache.js';
import { PathTemplates } from '../../../collector/scrub/path-templates.js';
import { defaultPathTemplates } from '../../../core/path-templates.js';
import { sensitiveValue } from './sensitive-values.js';

/**
 * The collector's cache of canonical pages: a cached answer is exactly the uncached one, the cache
 * never holds a raw URL (it outlives the request, and a URL may carry what scrubbing removes), and
 * it stays bounded.
 */
const options = {
  allowedParams: ['color'],
  searchParams: ['q'],
  pathTemplates: new PathTemplates(defaultPathTemplates()),
};
const url = fc
  .record({
    segment: fc.oneof(
      fc.constantFrom('shoes', 'de', 'p', 'sale', 'account', 'Users', 'orders'),
      sensitiveValue.map((s) => s.text),
    ),
    secret: sensitiveValue.map((s) => s.text),
    campaign: fc.oneof(
      fc.constant(''),
      sensitiveValue.map((s) => s.text),
      fc.constantFrom('spring', 'Spring Sale'),
    ),
    q: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  })
  .map(({ segment, secret, campaign, q }) => {
    const query = new URLSearchParams({ utm_campaign: campaign, email: secret });
    if (q !== undefined) query.append('q', q);
    return `https://Shop.Example/${encodeURIComponent(segment)}/x?${query}#${encodeURIComponent(secret)}`;
  });

/** What the cache holds, as a thief reading the process's memory would see it. */
const heldText = (cache: CanonicalPageCache) => {
  const { pages } = cache as unknown as {
    pages: { recent: Map<string, unknown>; older: Map<string, unknown> };
  };
  return JSON.stringify([...pages.recent, ...pages.older]);
};

describe('canonical page cache', () => {
  it('answers exactly what canonicalizePageUrl answers, the first time and from the cache', () => {
    const cache = new CanonicalPageCache(options);
    fc.assert(
      fc.property(url, (page) => {
        const direct = canonicalizePageUrl(page, options);
        expect(cache.canonicalize(page)).toEqual(direct);
        expect(cache.canonicalize(page)).toEqual(direct);
      }),
      { numRuns: 300 },
    );
    expect(cache.size).toBeGreaterThan(200);
  });

  it('holds only hashes of URLs and scrubbed results, never a raw URL or its secrets', () => {
    const cache = new CanonicalPageCache(options);
    fc.assert(
      fc.property(url, sensitiveValue, (page, secret) => {
        const withSecret = page.replace('/x?', `/x?token=${encodeURIComponent(secret.text)}&`);
        cache.canonicalize(withSecret);
        const held = heldText(cache);
        expect(held).not.toContain(withSecret);
        expect(held).not.toContain(encodeURIComponent(secret.text));
        expect(held).not.toContain('email=');
      }),
      { numRuns: 100 },
    );
  });

  it('does not cache what is not an http(s) URL, and stays within its capacity', () => {
    const cache = new CanonicalPageCache(options, 3);
    expect(cache.canonicalize('not a url')).toBeUndefined();
    expect(cache.canonicalize('javascript:alert(1)')).toBeUndefined();
    expect(cache.size).toBe(0);
    for (let n = 0; n < 100; n++) cache.canonicalize(`https://shop.example/p/${n}`);
    expect(cache.size).toBeLessThanOrEqual(6);
    expect(cache.canonicalize('https://shop.example/p/99')?.path).toBe('/p/99');
    expect(cache.canonicalize('https://shop.example/p/0')?.path).toBe('/p/0');
  });
});
