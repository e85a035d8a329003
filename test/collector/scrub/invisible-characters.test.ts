import { describe, expect, it } from 'vitest';
import { canonicalizePageUrl } from '../../../collector/scrub/canonical-url.js';
import { scrubId, scrubLabel } from '../../../collector/scrub/label.js';
import { PathTemplates } from '../../../collector/scrub/path-templates.js';
import { reduceReferrer } from '../../../collector/scrub/referrer.js';
import { scrubText } from '../../../collector/scrub/scrub-text.js';
import { normaliseSearchTerm } from '../../../collector/scrub/search-term.js';
import { defaultPathTemplates } from '../../../core/path-templates.js';
import { BeaconEvent } from '../../../schema/event.js';
import { anonymise, INVISIBLE_OR_CONTROL, stringsOf } from './invisible-characters.js';

/**
 * Labels reach a data engineer's terminal (`npm run sql`) and a merchandiser's screen. A control
 * sequence in one (`ESC ] 0 ; … BEL` retitles the terminal, `ESC [ 2 J` clears it) or an invisible
 * character (a right-to-left override that shows `gpj.exe` as `exe.jpg`, a zero-width space that
 * makes `sale` and `s​ale` two rows that look alike) must not survive ingest. Controls that separate
 * words (tab, line breaks) become a space; every other control and every character that renders as
 * nothing is removed.
 */
const RETITLE = '\u001b]0;pwned\u0007';
const CLEAR = '\u001b[2J\u001b[H';
const options = {
  allowedParams: [],
  searchParams: ['q'],
  pathTemplates: new PathTemplates(defaultPathTemplates()),
};

describe('control and invisible characters are removed from every label at ingest', () => {
  it.each([
    ['a terminal title sequence', `summer${RETITLE}sale`, 'summer]0;pwnedsale'],
    ['a clear-screen sequence', `${CLEAR}shoes`, '[2J[Hshoes'],
    ['a right-to-left override', 'invoice\u202egpj.exe', 'invoicegpj.exe'],
    ['bidi isolates and marks', '\u2066sale\u2069\u200e\u200f\u061c', 'sale'],
    ['zero-width characters and a BOM', 's\u200bal\u200c\u200de\u2060\ufeff', 'sale'],
    ['a soft hyphen and a C1 control', 'sa\u00adle\u009b31m', 'sale31m'],
    ['tag characters', 'sale\u{e0041}\u{e0042}', 'sale'],
    ['a tab and a line break', 'red\tshoes\r\nnow\u0085here\u2028too', 'red shoes now here too'],
  ])('removes %s from a label', (_what, input, expected) => {
    expect(scrubLabel(input, 64)).toBe(expected);
  });

  it('removes them from search terms, raw and percent-encoded', () => {
    expect(normaliseSearchTerm(`Red${RETITLE} Shoes\u202e`)).toBe('red]0;pwned shoes');
    expect(normaliseSearchTerm(encodeURIComponent(`red\u200b shoes${CLEAR}`))).toBe('red shoes[2j[h');
  });

  it('removes them from product ids and categories, raw and percent-encoded', () => {
    expect(scrubId(`SKU-1${RETITLE}`, 64)).toBe('SKU-1]0;pwned');
    expect(scrubId('SKU\u202e-42', 64)).toBe('SKU-42');
    expect(scrubId('SKU%1B%5D0%3Bx%07-1%40', 64)).not.toMatch(INVISIBLE_OR_CONTROL);
    expect(scrubId('mail-jane@example.com%1B%5B2J', 64)).toBe(':email[2J');
  });

  it('removes them from the path, the utm values and the search term of a page URL', () => {
    const page = canonicalizePageUrl(
      `https://shop.example/de/${encodeURIComponent(`sale${RETITLE}`)}/s%E2%80%8Bhoes%E2%80%AE?utm_campaign=${encodeURIComponent(`spring${CLEAR}`)}&utm_source=news%E2%80%8F&q=${encodeURIComponent(`boots\u2066x`)}`,
      options,
    );
    expect(page?.path).toBe('/de/sale]0;pwned/shoes');
    expect(page?.utm.campaign).toBe('spring[2j[h');
    expect(page?.utm.source).toBe('news');
    expect(page?.searchTerm).toBe('bootsx');
  });

  it('turns a tab or line break in a path into an encoded space, as any other space', () => {
    expect(scrubText('/red%09shoes%0A', 'path')).toBe('/red%20shoes%20');
  });

  it('removes them from referrer hosts', () => {
    expect(reduceReferrer('https://news\u00ad.example/x', 'shop.example')).toBe('news.example');
    expect(scrubText('news\u200b.example', 'text')).toBe('news.example');
  });

  it('leaves no control or invisible character in any field of an anonymous event', () => {
    const dirty = (word: string) => `${word}${RETITLE}\u202e${CLEAR}\u200b`;
    const beacons = [
      { type: 'search', query: dirty('boots') },
      { type: 'slot_click', slot: dirty('hero'), position: 1 },
      { type: 'promo_click', promo: dirty('spring'), slot: dirty('hero') },
      { type: 'add_to_cart', product: { id: dirty('SKU-1'), category: dirty('shoes'), price: 10 } },
      {
        type: 'purchase',
        value: 10,
        currency: 'EUR',
        items: [{ id: dirty('SKU-2'), category: dirty('boots'), price: 10 }],
      },
    ];
    for (const beacon of beacons) {
      const url = `https://shop.example/${encodeURIComponent(dirty('p'))}?utm_source=${encodeURIComponent(dirty('news'))}`;
      const parsed = BeaconEvent.parse({
        ...beacon,
        url,
        referrer: `https://${encodeURIComponent('mail\u200b')}.example/${encodeURIComponent(RETITLE)}`,
      });
      const event = anonymise({ ...parsed, site: 'shop' }, options);
      for (const text of stringsOf(event)) expect(text, beacon.type).not.toMatch(INVISIBLE_OR_CONTROL);
    }
  });
});
