import { describe, expect, it } from 'vitest';
import { canonicalizePageUrl } from '../../../collector/scrub/canonical-url.js';
import { scrubLabel } from '../../../collector/scrub/label.js';
import { PathTemplates } from '../../../collector/scrub/path-templates.js';
import { reduceReferrer } from '../../../collector/scrub/referrer.js';
import { type ScrubProfile, scrubText } from '../../../collector/scrub/scrub-text.js';
import { normaliseSearchTerm } from '../../../collector/scrub/search-term.js';
import { defaultPathTemplates } from '../../../core/path-templates.js';

/**
 * Hostile input built to make backtracking regexes explode: 10 000 repetitions of what each
 * detector looks for, without the rest that would complete a match. Every pattern is written to
 * stay linear, so each call finishes quickly; the tests check the output, never the clock
 * (timings belong to benchmarks), and the suite's timeout catches a regression that hangs.
 */
const LENGTH = 10_000;
const repeat = (unit: string) => unit.repeat(Math.ceil(LENGTH / unit.length)).slice(0, LENGTH);
const profiles: readonly ScrubProfile[] = ['path', 'text', 'id'];

const HOSTILE: Record<string, string> = {
  'plain letters': repeat('x'),
  'hex letters': repeat('a'),
  'mixed-case alphanumerics': repeat('A1b2'),
  digits: repeat('1'),
  'digits and spaces': repeat('1 '),
  'digits and dashes': repeat('1-'),
  'digits and dots': repeat('1.'),
  'at signs': repeat('a@'),
  'a dotted run ending in @': `${repeat('a.')}@`,
  'encoded at signs': repeat('%40'),
  'encoded percent signs': repeat('%25'),
  'broken UTF-8 escapes': repeat('%E2'),
  'JWT headers': repeat('eyJ'),
  'dash-joined JWT headers': repeat('eyJ-'),
  colons: repeat(':'),
  'hex and colons': repeat('f:'),
  'double colons': repeat('::1'),
  'plus signs and digits': repeat('+1 '),
  parentheses: repeat('('),
  'parenthesised digits': repeat('(1)'),
  'IBAN starts': repeat('DE89 '),
  'UUID starts': repeat('aaaaaaaa-'),
  'repeated dates': repeat('2026-11-25 '),
  'path segments': repeat('/1'),
  'fullwidth at signs': repeat('ｊ＠'),
  'every trigger at once': repeat('x@1.2:3-4 5(6)7/8%9=a'),
};

describe('scrubbing hostile 10 000-character input', () => {
  it.each(Object.entries(HOSTILE))('finishes on %s in every profile with a fixed point', (_name, input) => {
    for (const profile of profiles) {
      const once = scrubText(input, profile);
      expect(scrubText(once, profile)).toBe(once);
    }
  });

  it.each([
    ['hex letters', 'text', ':token'],
    ['mixed-case alphanumerics', 'path', ':token'],
    ['digits', 'text', ':token'],
    ['digits and dashes', 'text', ':id-'],
    ['repeated dates', 'text', ':id'],
    ['JWT headers', 'text', repeat('eyJ')],
    ['parentheses', 'text', repeat('(')],
    ['IBAN starts', 'text', repeat('DE89 ')],
    ['hex letters', 'id', repeat('a')],
    ['digits', 'id', repeat('1')],
  ] as const)('turns %s (%s profile) into the expected output', (name, profile, expected) => {
    expect(scrubText(HOSTILE[name] ?? '', profile)).toBe(expected);
  });

  it('replaces every value in a long run of them', () => {
    const addresses = repeat('jane@example.com ');
    expect(scrubText(addresses, 'text')).not.toContain('@');
    expect(scrubText(repeat('eyJa.'), 'text')).not.toContain('eyJ');
    expect(scrubText(repeat('1.1.1.'), 'text')).not.toMatch(/[0-9]/);
  });

  it('keeps the entry points bounded on hostile input', () => {
    const options = {
      allowedParams: [],
      searchParams: ['q'],
      pathTemplates: new PathTemplates(defaultPathTemplates()),
    };
    for (const input of Object.values(HOSTILE)) {
      const encoded = encodeURIComponent(input);
      const page = canonicalizePageUrl(
        `https://shop.example/${encoded}?q=${encoded}&utm_source=${encoded}`,
        options,
      );
      expect(page?.path.length).toBeLessThanOrEqual(2048);
      expect(page?.utm.source.length).toBeLessThanOrEqual(128);
      expect(normaliseSearchTerm(input).length).toBeLessThanOrEqual(100);
      expect(scrubLabel(input, 64).length).toBeLessThanOrEqual(64);
      expect(
        reduceReferrer(`https://${encoded}.example/${encoded}`, 'shop.example').length,
      ).toBeLessThanOrEqual(255);
    }
  });
});
