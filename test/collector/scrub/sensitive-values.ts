import fc from 'fast-check';

/**
 * Generators of sensitive values for the invariant-2 property tests. Each value carries the forms
 * that must never appear in scrubbed output: the value as written and, for card numbers and IBANs,
 * the compact form too. The check digits are computed here, independently of the code under test.
 */
export interface SensitiveValue {
  kind: string;
  /** The value as it is embedded. */
  text: string;
  /** Every form that must be absent from the output, compared case-insensitively. */
  forbidden: readonly string[];
}

const value = (kind: string, text: string, ...more: string[]): SensitiveValue => ({
  kind,
  text,
  forbidden: [text, ...more],
});

const randomCase = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) =>
      [...text].map((char, index) => (upper[index] ? char.toUpperCase() : char.toLowerCase())).join(''),
    );

function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let index = 0; index < body.length; index++) {
    let digit = Number(body[body.length - 1 - index]);
    if (index % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

const groupsOf4 = (text: string, separator: string) => text.match(/.{1,4}/g)?.join(separator) ?? text;

export const cardNumber = fc
  .record({
    prefix: fc.constantFrom('4', '51', '55', '2221', '34', '37', '6011', '35', '62'),
    length: fc.integer({ min: 13, max: 19 }),
    digits: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }),
    separator: fc.constantFrom('', ' ', '-'),
  })
  .map(({ prefix, length, digits, separator }) => {
    const body = (prefix + digits.join('')).slice(0, length - 1);
    const number = body + luhnCheckDigit(body);
    return value('card', separator ? groupsOf4(number, separator) : number, number);
  });

const IBAN_COUNTRIES: ReadonlyArray<readonly [string, number]> = [
  ['DE', 22],
  ['GB', 22],
  ['FR', 27],
  ['NL', 18],
  ['NO', 15],
  ['BE', 16],
  ['IT', 27],
  ['ES', 24],
  ['CH', 21],
  ['PL', 28],
  ['AT', 20],
  ['MT', 31],
  ['LC', 32],
];
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function ibanCheckDigits(country: string, bban: string): string {
  const numeric = [...`${bban}${country}00`].map((char) => String(ALPHANUMERIC.indexOf(char))).join('');
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  return String(98 - remainder).padStart(2, '0');
}

export const iban = fc
  .record({
    country: fc.constantFrom(...IBAN_COUNTRIES),
    chars: fc.array(fc.constantFrom(...ALPHANUMERIC, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), {
      minLength: 30,
      maxLength: 30,
    }),
    grouped: fc.boolean(),
    lower: fc.boolean(),
  })
  .map(({ country: [code, length], chars, grouped, lower }) => {
    const bban = chars.join('').slice(0, length - 4);
    const compact = `${code}${ibanCheckDigits(code, bban)}${bban}`;
    const written = grouped ? groupsOf4(compact, ' ') : compact;
    return value('iban', lower ? written.toLowerCase() : written, compact);
  });

export const uuid = fc
  .tuple(fc.uuid(), fc.boolean())
  .chain(([id, dashed]) => randomCase(dashed ? id : id.replaceAll('-', '')))
  .map((id) => value('uuid', id));

const base64url = (text: string) => Buffer.from(text).toString('base64url');

export const jwt = fc
  .record({
    header: fc.constantFrom(
      { alg: 'HS256', typ: 'JWT' },
      { alg: 'RS256', kid: 'key-1' },
      { alg: 'none' },
      { typ: 'JWT', alg: 'ES256' },
    ),
    payload: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer())),
    signature: fc.uint8Array({ minLength: 16, maxLength: 64 }),
  })
  .map(({ header, payload, signature }) => {
    const sign = header.alg === 'none' ? '' : Buffer.from(signature).toString('base64url');
    return value('jwt', `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${sign}`);
  });

export const ipv4 = fc.ipV4().map((ip) => value('ipv4', ip));

/** `::`, `::1` or `ab::` identify nobody and are kept on purpose; every other address must go. */
export const ipv6 = fc
  .ipV6()
  .filter((ip) => ip.split(':').filter((group) => group !== '').length >= 2)
  .chain(randomCase)
  .map((ip) => value('ipv6', ip));

const MIXED = (text: string) => /[A-Z]/.test(text) && /[a-z]/.test(text) && /[0-9]/.test(text);

/**
 * Tokens are random bytes, so their bytes come unbiased: fast-check's default bias toward zeros
 * would produce `AAAAAAAAo0AAAA…`, a string with no entropy that no server issues as a secret.
 */
const randomBytes = (minLength: number, maxLength: number) =>
  fc.noBias(fc.uint8Array({ minLength, maxLength }));

export const hexToken = randomBytes(8, 32)
  .map((bytes) => Buffer.from(bytes).toString('hex'))
  .filter((hex) => hex.length >= 32 || (/[0-9]/.test(hex) && /[a-f]/.test(hex)))
  .chain(randomCase)
  .map((hex) => value('hex token', hex));

/** Session tokens as servers make them: random bytes, base64url-encoded. */
export const base64Token = randomBytes(18, 48)
  .map((bytes) => Buffer.from(bytes).toString('base64url'))
  .filter(MIXED)
  .map((token) => value('base64 token', token));

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/);

export const email = fc.oneof(
  fc.emailAddress().map((address) => value('email', address)),
  fc
    .record({
      first: word,
      last: word,
      tag: fc.option(word, { nil: undefined }),
      host: word,
      tld: fc.constantFrom('com', 'de', 'co.uk', 'io'),
    })
    .map(({ first, last, tag, host, tld }) => `${first}.${last}${tag ? `+${tag}` : ''}@${host}.${tld}`)
    .chain(randomCase)
    .map((address) => value('email', address)),
);

export const sensitiveValue = fc.oneof(email, cardNumber, iban, uuid, jwt, ipv4, ipv6, hexToken, base64Token);

/** Ordinary words of a shop, including near-misses (prices, sizes, years, SKUs, non-ASCII). */
export const fillerWord = fc.oneof(
  fc.constantFrom(
    'de',
    'damen',
    'schuhe',
    'p',
    'red-shoes-42',
    'size',
    '42',
    'sale',
    '2026',
    'page',
    '2',
    'SKU-1234-XL',
    '19.99',
    'abc123',
    'account',
    'orders',
    'größe',
    'Summer',
    'Hero',
  ),
  fc.stringMatching(/^[a-zA-Z]{1,10}$/),
);

/** Characters that join a value to its neighbours inside one path segment or phrase. */
export const joiner = fc.constantFrom(
  ' ',
  ', ',
  ' - ',
  '(',
  ')',
  ': ',
  ';',
  '!',
  '-',
  '_',
  '.',
  '~',
  '*',
  "'",
);

export const encoding = fc.constantFrom('as-is', 'encoded', 'double-encoded', 'at-encoded');

/**
 * Writes a value into a URL path. Even "as is", a `/`, `?` or `#` inside the value is encoded: a
 * browser would send it raw only if the value were several path segments, and no detector can see
 * `jane/doe@example.com` as one address across a segment boundary.
 */
export function encode(text: string, how: string): string {
  switch (how) {
    case 'encoded':
      return encodeURIComponent(text);
    case 'double-encoded':
      return encodeURIComponent(encodeURIComponent(text));
    case 'at-encoded':
      return text.replace(/[/?#]/g, (char) => encodeURIComponent(char)).replaceAll('@', '%40');
    default:
      return text.replace(/[/?#]/g, (char) => encodeURIComponent(char));
  }
}

/** The first forbidden form found in `output`, compared case-insensitively, or undefined. */
export function leakedForm(output: string, sensitive: SensitiveValue): string | undefined {
  const haystack = output.toLowerCase();
  return sensitive.forbidden.find((form) => haystack.includes(form.toLowerCase()));
}
