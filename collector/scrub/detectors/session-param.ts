import { PLACEHOLDERS } from '../placeholders.js';

/**
 * Query-ish `key=value` pairs whose key names a secret: session ids (`;jsessionid=…` matrix
 * parameters in paths, `PHPSESSID=…`), auth and API tokens, passwords, OAuth codes, signatures.
 * The value is replaced whatever it looks like, because short or low-entropy secrets (`sid=abc12`)
 * slip past the shape-based token detector. A value that is already a placeholder stays, so a
 * second pass changes nothing.
 */
const KEYS = [
  'jsessionid',
  'phpsessid',
  'aspsessionid[a-z]*',
  'session(?:_?id)?',
  'sess(?:_?id)?',
  's?sid',
  '(?:access_|id_|refresh_|auth_|csrf_|xsrf_)?token',
  'auth(?:orization)?',
  'api_?key',
  'key',
  'secret',
  'pass(?:word|wd)?',
  'pwd',
  'otp',
  'nonce',
  'code',
  'state',
  'sig(?:nature)?',
  'ticket',
];
const NAMES = Object.values(PLACEHOLDERS)
  .map((placeholder) => placeholder.slice(1))
  .join('|');
const SESSION_PARAM = new RegExp(
  `(?<![A-Za-z0-9_])((?:${KEYS.join('|')})\\s*=\\s*)(?!:(?:${NAMES})(?![^\\s&;#?/,]))[^\\s&;#?/,]+`,
  'gi',
);

export function replaceSessionParams(text: string): string {
  if (!text.includes('=')) return text;
  return text.replace(SESSION_PARAM, `$1${PLACEHOLDERS.token}`);
}
