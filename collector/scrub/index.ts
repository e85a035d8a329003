export type { CanonicalPage, CanonicalUrlOptions, Utm } from './canonical-url.js';
export { canonicalizePageUrl } from './canonical-url.js';
export { scrubId, scrubLabel } from './label.js';
export type { Placeholder } from './placeholders.js';
export { PLACEHOLDERS } from './placeholders.js';
export { DIRECT, INTERNAL, IP_HOST, reduceReferrer } from './referrer.js';
export type { ScrubProfile } from './scrub-text.js';
export { scrubText } from './scrub-text.js';
export { MAX_SEARCH_TERM, normaliseSearchTerm } from './search-term.js';
