import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalizePageUrl } from '../../../collector/scrub/canonical-url.js';
import { scrubId, scrubLabel } from '../../../collector/scrub/label.js';
import { PathTemplates } from '../../../collector/scrub/path-templates.js';
import { reduceReferrer } from '../../../collector/scrub/referrer.js';
import { type ScrubProfile, scrubText } from '../../../collector/scrub/scrub-text.js';
import { normaliseSearchTerm } from '../../../collector/scrub/search-term.js';
import type { ParsedBeaconEvent } from '../../../collector/steps/parse-beacon.js';
import { defaultPathTemplates } from '../../../core/path-templates.js';
import { anonymise, INVISIBLE_OR_CONTROL, stringsOf } from './invisible-characters.js';
import {
  base64Token,
  cardNumber,
  encode,
  encoding,
  fillerWord,
  hexToken,
  iban,
  ipv4,
  ipv6,
  joiner,
  leakedForm,
  type SensitiveValue,
  sensitiveValue,
  uuid,
} from './sensitive-values.js';

/**
 * Invariant 2, attacked with generated values: e-mail addresses, Luhn-valid card numbers, IBANs
 * with valid check digits, UUIDs, JWTs, IPv4/IPv6 addresses and hex/base64 tokens, embedded at
 * random places in random paths, search terms, URLs and referrers, plain, percent-encoded and in
 * mixed case. None of them may survive, in any case, nor a card's or IBAN's compact form.
 */

const words = fc.array(fillerWord, { maxLength: 4 });
const options = {
  allowedParams: ['color', 'ref'],
  searchParams: ['q'],
  pathTemplates: new PathTemplates(defaultPathTemplates()),
};

/** A value with ordinary words before and after it, joined the way people write. */
const phrase = fc
  .record({ before: words, after: words, left: joiner, right: joiner, sensitive: sensitiveValue })
  .map(({ before, after, left, right, sensitive }) => ({
    sensitive,
    text: `${before.join(' ')}${before.length ? left : ''}${sensitive.text}${after.length ? right : ''}${after.join(' ')}`,
  }));

/** A path with the value as its own segment or inside one, plain or percent-encoded. */
const path = fc
  .record({
    before: words,
    after: words,
    inSegment: fc.option(fc.tuple(fillerWord, joiner), { nil: undefined }),
    how: encoding,
    sensitive: sensitiveValue,
  })
  .map(({ before, after, inSegment, how, sensitive }) => {
    const encoded = encode(sensitive.text, how);
    const segment = inSegment ? `${inSegment[0]}${encode(inSegment[1], 'encoded')}${encoded}` : encoded;
    return { sensitive, text: `/${[...before, segment, ...after].join('/')}` };
  });

function expectNoLeak(output: string, sensitive: SensitiveValue, input: string): void {
  const leaked = leakedForm(output, sensitive);
  expect(
    leaked,
    `${sensitive.kind} ${JSON.stringify(leaked)} survived in ${JSON.stringify(output)} from ${JSON.stringify(input)}`,
  ).toBeUndefined();
}

const pageText = (url: string) => {
  const page = canonicalizePageUrl(url, options);
  expect(page, url).toBeDefined();
  return page ? [page.host, page.path, ...Object.values(page.utm), page.searchTerm ?? ''].join('\n') : '';
};

describe('invariant 2: generated sensitive values never survive scrubbing', () => {
  it("removes every value from paths scrubbed with the 'path' profile", () => {
    fc.assert(
      fc.property(path, ({ sensitive, text }) => expectNoLeak(scrubText(text, 'path'), sensitive, text)),
      { numRuns: 300 },
    );
  });

  it("removes every value from phrases scrubbed with the 'text' profile", () => {
    fc.assert(
      fc.property(phrase, ({ sensitive, text }) => {
        expectNoLeak(scrubText(text, 'text'), sensitive, text);
        expectNoLeak(scrubText(encodeURIComponent(text), 'text'), sensitive, text);
      }),
      { numRuns: 300 },
    );
  });

  it('removes every value from search terms', () => {
    fc.assert(
      fc.property(phrase, ({ sensitive, text }) => expectNoLeak(normaliseSearchTerm(text), sensitive, text)),
      { numRuns: 200 },
    );
  });

  it('removes every value from labels', () => {
    fc.assert(
      fc.property(phrase, ({ sensitive, text }) => expectNoLeak(scrubLabel(text, 64), sensitive, text)),
      { numRuns: 100 },
    );
  });

  it('removes every value wherever it sits in a page URL', () => {
    const place = fc.constantFrom('path', 'utm', 'search', 'other', 'fragment', 'userinfo');
    fc.assert(
      fc.property(path, phrase, place, ({ text: pagePath }, { sensitive, text }, where) => {
        const query = new URLSearchParams({ color: 'red' });
        if (where === 'utm') query.set('utm_campaign', text);
        if (where === 'search') query.set('q', text);
        if (where === 'other') query.set('ref', text);
        const user = where === 'userinfo' ? `${encodeURIComponent(sensitive.text)}@` : '';
        const fragment = where === 'fragment' ? `#${text}` : '';
        const url =
          where === 'path'
            ? `https://shop.example${pagePath}?${query}`
            : `https://${user}shop.example/p/shoes?${query}${fragment}`;
        expectNoLeak(pageText(url), sensitive, url);
      }),
      { numRuns: 300 },
    );
  });

  it('removes every value from the path of a page URL', () => {
    fc.assert(
      fc.property(path, ({ sensitive, text }) => {
        const url = `https://shop.example${text}`;
        expectNoLeak(pageText(url), sensitive, url);
      }),
      { numRuns: 200 },
    );
  });

  it('reduces referrers to hosts that hold no value, and IP hosts to (ip)', () => {
    fc.assert(
      fc.property(phrase, ({ sensitive, text }) => {
        const referrer = `https://news.example.org/${encodeURIComponent(text)}?q=${encodeURIComponent(text)}#${text}`;
        expectNoLeak(reduceReferrer(referrer, 'shop.example'), sensitive, referrer);
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(ipv4, ipv6, (v4, v6) => {
        expect(reduceReferrer(`http://${v4.text}/x`, 'shop.example')).toBe('(ip)');
        expect(reduceReferrer(`http://[${v6.text}]:8080/x`, 'shop.example')).toBe('(ip)');
      }),
      { numRuns: 100 },
    );
    const hostLabel = fc
      .oneof(uuid, cardNumber, iban, hexToken, base64Token)
      .filter((v) => !/[ ]/.test(v.text));
    fc.assert(
      fc.property(hostLabel, (sensitive) => {
        const referrer = `https://${sensitive.text}.tunnel.example/`;
        expectNoLeak(reduceReferrer(referrer, 'shop.example'), sensitive, referrer);
      }),
      { numRuns: 200 },
    );
  });
});

describe('invariant 2: no stored label holds a control or invisible character, whatever the input', () => {
  const invisible = fc.constantFrom(
    ...['\u0000', '\u0007', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009b', '\u00ad', '\u034f'],
    ...['\u061c', '\u115f', '\u180e', '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2028', '\u202a'],
    ...[
      '\u202e',
      '\u2060',
      '\u2066',
      '\u2069',
      '\u3164',
      '\ufe0f',
      '\ufeff',
      '\u{1d173}',
      '\u{e0041}',
      '\u{e0100}',
    ],
  );
  /** Invisible characters raw and percent-encoded, among text that decodes, composes or is replaced. */
  const piece = fc.oneof(
    invisible,
    invisible.map(encodeURIComponent),
    fc.string({ unit: 'binary', maxLength: 3 }),
    fc.constantFrom('%', '%2', '%25', '4', '1', 'e', '\u0301', '\uff05', ' ', '/', '@', ']0;', '[2J'),
    fillerWord,
    sensitiveValue.map((sensitive) => sensitive.text),
  );
  const hostile = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join('').toWellFormed());
  const expectClean = (output: unknown, input: string) => {
    for (const text of stringsOf(output)) {
      expect(text, `${JSON.stringify(text)} from ${JSON.stringify(input)}`).not.toMatch(INVISIBLE_OR_CONTROL);
    }
  };

  it('leaves none in scrubbed text of any profile, search terms, labels, ids and referrer hosts', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        for (const profile of ['path', 'text', 'id'] as const) expectClean(scrubText(text, profile), text);
        expectClean(normaliseSearchTerm(text), text);
        expectClean(scrubLabel(text, 64), text);
        expectClean(scrubId(text, 64), text);
        expectClean(reduceReferrer(`https://${encodeURIComponent(text)}.example/`, 'shop.example'), text);
        expectClean(reduceReferrer(`https://news.example/${encodeURIComponent(text)}`, 'shop.example'), text);
      }),
      { numRuns: 400 },
    );
  });

  it("leaves none in a page URL's path, campaign values or search term", () => {
    fc.assert(
      fc.property(hostile, hostile, (path, value) => {
        const query = new URLSearchParams({ utm_source: value, utm_campaign: value, q: value });
        const url = `https://shop.example/${encodeURIComponent(path)}/${path.replace(/[?#]/g, '')}?${query}`;
        expectClean(canonicalizePageUrl(url, options), url);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves none in any field of an anonymous event', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, (label, id, path) => {
        const url = `https://shop.example/${encodeURIComponent(path)}?utm_medium=${encodeURIComponent(label)}`;
        const common = { site: 'shop', url, referrer: `https://${encodeURIComponent(label)}.example/` };
        const item = { id, category: label, price: 1 };
        const beacons: ParsedBeaconEvent[] = [
          { ...common, type: 'search', query: label },
          { ...common, type: 'slot_click', slot: label },
          { ...common, type: 'promo_click', promo: id, slot: label },
          { ...common, type: 'add_to_cart', product: item },
          { ...common, type: 'purchase', value: 1, currency: 'EUR', items: [item] },
        ];
        for (const beacon of beacons) expectClean(anonymise(beacon, options), url);
      }),
      { numRuns: 200 },
    );
  });
});

describe('invariant 2: scrubbing reaches a fixed point', () => {
  const anyText = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.stringMatching(/^[0-9 +()./:%@a-fA-F-]{0,40}$/),
    phrase.map(({ text }) => text),
    path.map(({ text }) => text),
  );
  const profile = fc.constantFrom<ScrubProfile>('path', 'text', 'id');

  it('gives the same output when scrubbing twice as when scrubbing once', () => {
    fc.assert(
      fc.property(anyText, profile, (text, which) => {
        const once = scrubText(text, which);
        expect(scrubText(once, which), JSON.stringify({ text, once })).toBe(once);
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same search term, label and id when normalising twice', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const term = normaliseSearchTerm(text);
        expect(normaliseSearchTerm(term), JSON.stringify(text)).toBe(term);
        const label = scrubLabel(text, 64);
        expect(scrubLabel(label, 64), JSON.stringify(text)).toBe(label);
        const id = scrubId(text, 64);
        expect(scrubId(id, 64), JSON.stringify(text)).toBe(id);
      }),
      { numRuns: 300 },
    );
  });
});

describe('invariant 1: query-string values other than utm_* and the search term never reach the output', () => {
  const key = fc.stringMatching(/^[a-z_]{1,12}$/).filter((name) => !name.startsWith('utm_') && name !== 'q');
  /** Distinctive values, so finding one in the output can only mean it was copied there. */
  const marker = fc.stringMatching(/^[a-z0-9]{6,12}$/).map((tail) => `qv${tail}`);
  const utmValue = fc.constantFrom('newsletter', 'email', 'black friday', 'google', 'cpc');

  it('drops every other parameter, including allow-listed ones, and keeps the kept ones clean', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, marker), { minLength: 1, maxLength: 6 }),
        fc.option(utmValue, { nil: undefined }),
        fc.option(utmValue, { nil: undefined }),
        (params, source, term) => {
          const query = new URLSearchParams(params);
          if (source) query.append('utm_source', source);
          if (term) query.append('q', term);
          const url = `https://shop.example/p/shoes?${query}`;
          const text = pageText(url);
          for (const [, hidden] of params) expect(text, url).not.toContain(hidden);
          const page = canonicalizePageUrl(url, options);
          expect(page?.utm.source).toBe(source ?? '');
          expect(page?.searchTerm).toBe(term);
        },
      ),
      { numRuns: 200 },
    );
  });
});
