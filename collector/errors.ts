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

export const siteSecretRequired = () =>
  new KanonError(
    'site_secret_required',
    401,
    'Server-side events need the site secret in an Authorization: Bearer header (npm run site-secret).',
  );

export const siteSecretInvalid = () =>
  new KanonError(
    'site_secret_invalid',
    401,
    "The site secret is wrong or was rotated; use the site's current secret (npm run site-secret -- rotate SITE).",
  );

export const secretInUrl = () =>
  new KanonError(
    'secret_in_url',
    400,
    'POST /api/event takes no query string: a secret in a URL ends up in logs and proxies. Send it in the Authorization header only, and rotate one that was sent in a URL.',
  );

export const clientHeadersRequired = (rule: string) => new KanonError('client_headers_required', 400, rule);

export const serverEventsUnavailable = () =>
  new KanonError(
    'server_events_unavailable',
    503,
    'This collector cannot check site secrets: run it with npm start, or with a ClickHouse server (CLICKHOUSE_URL).',
  );
