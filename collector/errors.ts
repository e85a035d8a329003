import { KanonError } from '../core/errors.js';

/**
 * Every rejection the collector makes on purpose, in one catalogue (docs/tracker.md lists them). Messages tell
 * a shop developer what to fix in their tag and never echo the rejected value.
 */
export const invalidEvent = (path: string, rule: string) =>
  new KanonError('invalid_event', 400, `${path ? `${path}: ` : ''}${rule}`);

export const tooManyEvents = (max: number) =>
  new KanonError('too_many_events', 413, `A beacon may carry at most ${max} events.`);

export const unknownSite = () =>
  new KanonError('unknown_site', 403, 'No site is registered for this data-site value; check the tag.');

export const originRequired = () =>
  new KanonError(
    'origin_required',
    403,
    'Beacons must come from a browser page (the Origin header is missing).',
  );

export const originNotAllowed = () =>
  new KanonError(
    'origin_not_allowed',
    403,
    "This page's origin is not allowed for the site; add it to KANON_SITES.",
  );

export const overloaded = () =>
  new KanonError(
    'overloaded',
    503,
    'The collector is busy queueing earlier events; the tag will retry.',
    true,
  );

export const shuttingDown = () =>
  new KanonError('shutting_down', 503, 'The collector is shutting down; the tag will retry.', true);

export const unsupportedLanguage = (languages: readonly string[]) =>
  new KanonError('unsupported_language', 400, `lang must be one of ${languages.join(', ')}.`);
