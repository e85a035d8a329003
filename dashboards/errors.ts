import { KanonError } from '../core/errors.js';

/**
 * Every rejection the dashboards make on purpose, in one catalogue (docs/api.md lists them).
 * Messages say what to do and never echo a submitted value (a password typed in the user field).
 */
export const unauthenticated = () =>
  new KanonError('unauthenticated', 401, 'Sign in first: this needs a dashboards session.');

export const forbidden = (role: string) =>
  new KanonError('forbidden', 403, `This needs the ${role} role; ask an admin for access.`);

export const csrfFailed = () =>
  new KanonError(
    'csrf_failed',
    403,
    'The request lacks a valid X-CSRF-Token header or comes from another origin; reload the page.',
  );

export const invalidCredentials = () =>
  new KanonError('invalid_credentials', 401, 'The user name or password is wrong.');

export const rateLimited = (seconds: number) =>
  new KanonError('rate_limited', 429, `Too many sign-in attempts; try again in ${seconds} s.`);

export const invalidQuery = (path: string, rule: string) =>
  new KanonError('invalid_query', 400, `${path ? `${path}: ` : ''}${rule}`);

export const invalidBody = (path: string, rule: string) =>
  new KanonError('invalid_body', 400, `${path ? `${path}: ` : ''}${rule}`);

export const unknownSite = () => new KanonError('unknown_site', 404, 'No site is registered under this id.');

export const userExists = () => new KanonError('user_exists', 409, 'A user with this name already exists.');

export const unknownUser = () => new KanonError('unknown_user', 404, 'No user has this name.');

export const lastAdmin = () =>
  new KanonError('last_admin', 409, 'This is the last admin; make another user admin first.');

export const controlForbidden = () =>
  new KanonError(
    'control_forbidden',
    403,
    'Control routes answer only loopback requests that carry the control token.',
  );

export const queryUnavailable = () =>
  new KanonError('query_unavailable', 503, 'SQL access is not configured on this deployment.');

export const sessionsUnavailable = () =>
  new KanonError('sessions_unavailable', 503, 'The session store is unreachable; try again shortly.', true);

export const shuttingDown = () =>
  new KanonError(
    'shutting_down',
    503,
    'The dashboards server is shutting down; try again in a moment.',
    true,
  );

export const catalogBadFeed = (line: number) =>
  new KanonError(
    'catalog_bad_feed',
    400,
    `The feed's XML is not well-formed at line ${line}; nothing was imported. Fix the feed and import it again.`,
  );

export const catalogBadHeader = (column: string) =>
  new KanonError(
    'catalog_bad_header',
    400,
    `The feed's header has no ${column} column; nothing was imported. A TSV feed's first line names its columns (id, title, link, image_link, price, availability, product_type).`,
  );

export const catalogNoItems = (badLines: number, first?: { line: number; field: string; rule: string }) =>
  new KanonError(
    'catalog_no_items',
    400,
    `The feed has no valid item${badLines > 0 ? ` (${badLines} bad line${badLines === 1 ? '' : 's'}; the first is line ${first?.line}, ${first?.field}: ${first?.rule})` : ''}; the current catalogue is kept.`,
  );

export const catalogTooLarge = (maxBytes: number, hint: string) =>
  new KanonError(
    'catalog_too_large',
    413,
    `The feed is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB; nothing was imported. ${hint}`,
  );

export const catalogImportRunning = () =>
  new KanonError(
    'catalog_import_running',
    409,
    'A feed is being imported for this site; try again once it has finished.',
  );
