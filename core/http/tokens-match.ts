import { timingSafeEqual } from 'node:crypto';

/** Compares a secret with what a request offered in constant time (for equal lengths). */
export function tokensMatch(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
