import { describe, expect, it } from 'vitest';
import { canonicalizePageUrl } from '../../../collector/scrub/canonical-url.js';
import { PathTemplates } from '../../../collector/scrub/path-templates.js';
import { defaultPathTemplates } from '../../../core/path-templates.js';

const options = {
  allowedParams: ['color', 'size'],
  searchParams: ['q', 'search'],
  pathTemplates: new PathTemplates(defaultPathTemplates()),
};
const canonical = (url: string) => canonicalizePageUrl(url, options);

describe('canonicalizePageUrl', () => {
  it.each([
    '',
    'not a url',
    '/relative/path',
    '//shop.example/protocol-relative',
    'ftp://shop.example/file',
    'javascript:alert(1)',
    'data:text/html,hi',
    'android-app://com.example.shop/',
    'file:///etc/passwd',
  ])('returns undefined for %j, which is not an absolute http(s) URL', (url) => {
    expect(canonical(url)).toBeUndefined();
  });

  it('gives the origin as KANON_SITES writes it: scheme, lower-cased host, port only when not the default', () => {
    expect(canonical('HTTPS://Shop.Example:443/p?q=1#x')?.origin).toBe('https://shop.example');
    expect(canonical('http://jane:secret@shop.example:8082/p')?.origin).toBe('http://shop.example:8082');
    expect(canonical('https://xn--mnchen-3ya.example/')?.origin).toBe(
      canonical('https://münchen.example/')?.origin,
    );
  });

  it('keeps the host lower-cased, with www. and without a default port', () => {
    expect(canonical('https://WWW.Shop.Example/')?.host).toBe('www.shop.example');
    expect(canonical('http://shop.example:80/')?.host).toBe('shop.example');
    expect(canonical('https://shop.example:443/')?.host).toBe('shop.example');
    expect(canonical('https://shop.example:8443/')?.host).toBe('shop.example:8443');
  });

  it.each([
    ['https://shop.example', '/'],
    ['https://shop.example/', '/'],
    ['https://shop.example//', '/'],
    ['https://shop.example/de//damen///schuhe/', '/de/damen/schuhe'],
    ['https://shop.example/de//damen///schuhe', '/de/damen/schuhe'],
    ['https://shop.example/p/red-shoes-42/', '/p/red-shoes-42'],
    ['https://shop.example/a/./b/../c', '/a/c'],
    ['https://shop.example/de/größe', '/de/größe'],
    ['https://shop.example/account/jane@example.com/orders/12345678', '/account/:email/orders/:id'],
    ['https://shop.example/account/jane%40example.com/orders/12345678/', '/account/:email/orders/:id'],
  ])('canonicalises the path of %j to %j', (url, path) => {
    expect(canonical(url)?.path).toBe(path);
  });

  it('caps the path at 2048 characters without leaving half an escape', () => {
    const long = `https://shop.example/${'x'.repeat(2045)}%20b`;
    const path = canonical(long)?.path ?? '';
    expect(path.length).toBeLessThanOrEqual(2048);
    expect(path).toMatch(/^\/x+$/);
  });

  it('drops the fragment, the user info and every query parameter that is not utm_* or search', () => {
    const page = canonical(
      'https://jane:secret@shop.example/p?color=red&size=42&ref=jane%40example.com&session=abc#jane-fragment',
    );
    expect(page).toEqual({
      origin: 'https://shop.example',
      host: 'shop.example',
      path: '/p',
      utm: { source: '', medium: '', campaign: '', content: '', term: '' },
    });
  });

  it('keeps the five utm values scrubbed, lower-cased, trimmed and capped at 128', () => {
    const page = canonical(
      `https://shop.example/?utm_source=%20News%20Letter%20&UTM_MEDIUM=Email&utm_campaign=jane@example.com` +
        `&utm_content=${'x'.repeat(200)}&utm_term=Red+Shoes&utm_id=12345`,
    );
    expect(page?.utm).toEqual({
      source: 'news letter',
      medium: 'email',
      campaign: ':email',
      content: 'x'.repeat(128),
      term: 'red shoes',
    });
  });

  it('takes the first value when a utm key repeats', () => {
    expect(canonical('https://shop.example/?utm_source=first&utm_source=second')?.utm.source).toBe('first');
  });

  it('scrubs utm values before lower-casing them, so mixed-case tokens are still recognised', () => {
    const page = canonical('https://shop.example/?utm_content=Xk9pQ2mZ7vR4sT1uW8yB3nC6dF0hJ5');
    expect(page?.utm.content).toBe(':token');
  });

  it('turns the first configured search parameter into a normalised search term', () => {
    expect(canonical('https://shop.example/search?q=%20Red%20%20SHOES%20')?.searchTerm).toBe('red shoes');
    expect(canonical('https://shop.example/search?search=Boots&q=shoes')?.searchTerm).toBe('boots');
    expect(canonical('https://shop.example/search?Q=jane%40example.com')?.searchTerm).toBe(':email');
  });

  it('omits the search term when no configured parameter is present or it is empty', () => {
    expect(canonical('https://shop.example/search?query=shoes')).not.toHaveProperty('searchTerm');
    expect(canonical('https://shop.example/search?q=%20%20')).not.toHaveProperty('searchTerm');
    expect(
      canonicalizePageUrl('https://shop.example/?q=shoes', {
        allowedParams: [],
        searchParams: [],
        pathTemplates: new PathTemplates([]),
      }),
    ).not.toHaveProperty('searchTerm');
  });
});
