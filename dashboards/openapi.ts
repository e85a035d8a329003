import { DEVICE_CLASSES } from '../schema/event.js';
import { ROLES } from './auth/roles.js';
import { OPENAPI_SCHEMAS } from './openapi-schemas.js';
import { DIMENSION_FILTERS, MAX_FILTERS } from './query/filters.js';
import { TABLE_ENDPOINTS } from './routes/reports.js';

/**
 * The OpenAPI 3.1 description of the dashboards' JSON API, served at /api/v1/openapi.json and
 * summarised in docs/api.md. Built from the same endpoint list the routes are registered from.
 */
type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string) => json(ref('Error'), description);
const query = (name: string, description: string, schema: Json = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

const FILTER_PARAMETERS = [
  query('site', 'Site id; default: the first configured site'),
  query('from', 'First UTC day (YYYY-MM-DD); default: 6 days before `to`', {
    type: 'string',
    format: 'date',
  }),
  query('to', 'Last UTC day (YYYY-MM-DD), at most today; default: today', { type: 'string', format: 'date' }),
  query('compare', 'Compare with the period of the same length just before, or the same days a year before', {
    type: 'string',
    enum: ['previous', 'year', 'none'],
    default: 'previous',
  }),
  query('device', 'Device class; honoured only by views whose report has it (see notSplitBy)', {
    type: 'string',
    enum: [...DEVICE_CLASSES],
  }),
  query('country', 'ISO country code; honoured only by views whose report has it', {
    type: 'string',
    pattern: '^[A-Z]{2}$',
  }),
  query('campaign', 'utm_campaign; honoured only by views whose report has it'),
  query('source', 'Referring host, or (direct); honoured only by views whose report has it'),
  query('product', 'Product id; honoured only by views whose report has it'),
];

const SIGNED_IN = [{ session: [] }];
const WRITE = [{ session: [], csrf: [] }];
const COMMON_ERRORS = {
  '400': error('invalid_query / invalid_body: a parameter breaks its rule (the message names it)'),
  '401': error('unauthenticated: no valid session'),
  '403': error('forbidden (role too low) or csrf_failed'),
};

export function buildOpenApi(): Json {
  const paths: Record<string, Json> = {
    '/api/v1/login': {
      post: {
        summary: 'Sign in; sets the session cookie',
        security: [],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['username', 'password'],
                properties: { username: { type: 'string' }, password: { type: 'string' } },
              },
            },
          },
        },
        responses: {
          '200': json(ref('Session')),
          '401': error('invalid_credentials'),
          '403': error('csrf_failed: posted from another origin'),
          '429': error('rate_limited: too many attempts for this address or user name'),
        },
      },
    },
    '/api/v1/logout': {
      post: {
        summary: 'Sign out',
        security: WRITE,
        responses: { '204': { description: 'Signed out' }, ...COMMON_ERRORS },
      },
    },
    '/api/v1/session': {
      get: {
        summary: 'The signed-in user, CSRF token, K and sites',
        security: SIGNED_IN,
        responses: { '200': json(ref('Session')), ...COMMON_ERRORS },
      },
    },
    '/api/v1/overview': {
      get: {
        summary: 'Visitors, pageviews, orders, revenue, conversion and their trend',
        security: SIGNED_IN,
        parameters: FILTER_PARAMETERS,
        responses: { '200': json(ref('Overview')), ...COMMON_ERRORS },
      },
    },
    '/api/v1/query': {
      post: {
        summary: 'Read-only SQL over the published tables (analyst)',
        security: WRITE,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['sql'],
                properties: {
                  sql: { type: 'string', maxLength: 20000 },
                  format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description:
              'The result (JSON or CSV); header X-Kanon-Truncated says whether rows were cut at the limit',
            content: {
              'application/json': { schema: ref('QueryResult') },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          ...COMMON_ERRORS,
          '408': error('query_timeout'),
          '503': error('query_unavailable'),
        },
      },
    },
    '/api/v1/me/report-mail': {
      get: {
        summary:
          "The signed-in user's scheduled report e-mail: frequency, address, site, and whether this deployment sends mail",
        security: SIGNED_IN,
        responses: { '200': json(ref('ReportMail')), ...COMMON_ERRORS },
      },
      put: {
        summary:
          'Choose a daily or weekly report e-mail (or off) for the signed-in user, any role; needs X-CSRF-Token',
        security: SIGNED_IN,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['frequency'],
                properties: {
                  frequency: { type: 'string', enum: ['off', 'daily', 'weekly'] },
                  email: { type: 'string', format: 'email', description: 'Needed for daily or weekly' },
                  site: { type: 'string', description: 'Default: the first site' },
                },
              },
            },
          },
        },
        responses: { '200': json(ref('ReportMail')), ...COMMON_ERRORS },
      },
    },
    '/api/v1/catalogue': {
      get: {
        summary: 'Published tables and their columns (analyst)',
        security: SIGNED_IN,
        responses: { '200': json({ type: 'object' }), ...COMMON_ERRORS },
      },
    },
    '/api/v1/export': {
      get: {
        summary:
          'One published table for a period as a file the engine wrote (analyst; docs/integrations/export.md)',
        security: SIGNED_IN,
        parameters: [
          { name: 'table', in: 'query', required: true, schema: { type: 'string', pattern: '^pub_' } },
          { name: 'from', in: 'query', required: true, schema: { type: 'string', format: 'date' } },
          { name: 'to', in: 'query', required: true, schema: { type: 'string', format: 'date' } },
          {
            name: 'format',
            in: 'query',
            schema: { type: 'string', enum: ['parquet', 'csv', 'jsonl'], default: 'parquet' },
          },
        ],
        responses: {
          '200': {
            description: 'The file; headers X-Kanon-Rows and X-Kanon-Sha256 give its row count and checksum',
            content: {
              'application/vnd.apache.parquet': { schema: { type: 'string', format: 'binary' } },
              'text/csv': { schema: { type: 'string' } },
              'application/x-ndjson': { schema: { type: 'string' } },
            },
          },
          ...COMMON_ERRORS,
          '400': error('invalid_export'),
        },
      },
    },
    '/api/v1/users': {
      get: {
        summary: 'Users (admin)',
        security: SIGNED_IN,
        responses: {
          '200': json({ type: 'object', properties: { users: { type: 'array', items: ref('User') } } }),
          ...COMMON_ERRORS,
        },
      },
      post: {
        summary: 'Add a user (admin); without a password one is generated and returned once',
        security: WRITE,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['name', 'role'],
                properties: {
                  name: { type: 'string' },
                  role: { type: 'string', enum: [...ROLES] },
                  password: { type: 'string', minLength: 10 },
                },
              },
            },
          },
        },
        responses: {
          '201': json({ type: 'object' }, 'Created'),
          ...COMMON_ERRORS,
          '409': error('user_exists'),
        },
      },
    },
    '/api/v1/audit': {
      get: {
        summary:
          'The access audit log (admin), newest first: sign-ins, queries, downloads, user and setting changes; CSV with format=csv',
        security: SIGNED_IN,
        parameters: [
          {
            name: 'since',
            in: 'query',
            schema: { type: 'string', default: '7d' },
            description: '7d, 12h or 2026-12-01',
          },
          { name: 'until', in: 'query', schema: { type: 'string' } },
          { name: 'actor', in: 'query', schema: { type: 'string' } },
          { name: 'action', in: 'query', schema: { type: 'string' } },
          { name: 'outcome', in: 'query', schema: { type: 'string', enum: ['ok', 'refused', 'failed'] } },
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'integer', minimum: 1, maximum: 100_000, default: 500 },
          },
          { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'csv'] } },
        ],
        responses: {
          '200': {
            description: 'Entries; X-Kanon-Truncated says whether more matched',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    rows: { type: 'array', items: { type: 'object' } },
                    truncated: { type: 'boolean' },
                  },
                },
              },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          ...COMMON_ERRORS,
          '400': error('invalid_query'),
        },
      },
    },
    '/api/v1/users/{name}': {
      patch: {
        summary: "Change a user's role or password (admin); ends their sessions",
        security: WRITE,
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': json({ type: 'object' }),
          ...COMMON_ERRORS,
          '404': error('unknown_user'),
          '409': error('last_admin'),
        },
      },
      delete: {
        summary: 'Remove a user (admin); ends their sessions',
        security: WRITE,
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '204': { description: 'Removed' },
          ...COMMON_ERRORS,
          '404': error('unknown_user'),
          '409': error('last_admin'),
        },
      },
    },
    '/api/v1/sites': {
      get: {
        summary: 'Configured sites (admin)',
        security: SIGNED_IN,
        responses: { '200': json({ type: 'object' }), ...COMMON_ERRORS },
      },
    },
    '/api/v1/sites/{site}/catalog': {
      get: {
        summary:
          "The site's current product catalogue (admin): items, bad lines, format, image hosts, import date; null before the first import",
        security: SIGNED_IN,
        parameters: [{ name: 'site', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': json({ type: 'object' }), ...COMMON_ERRORS, '404': error('unknown_site') },
      },
      put: {
        summary:
          "Replace the site's product catalogue with a Google Merchant Center feed (admin): TSV or XML as the raw body, up to 100 MiB; bad lines are skipped and listed by line, field and rule",
        security: WRITE,
        parameters: [{ name: 'site', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: {
          required: true,
          content: { '*/*': { schema: { type: 'string', description: 'The feed file' } } },
        },
        responses: {
          '200': json({ type: 'object' }),
          ...COMMON_ERRORS,
          '400': error(
            'catalog_bad_feed (not well-formed XML), catalog_bad_header (no id or title column), catalog_no_items, invalid_body',
          ),
          '404': error('unknown_site'),
          '409': error('catalog_import_running'),
          '413': error('catalog_too_large'),
        },
      },
    },
    '/api/v1/settings': {
      get: {
        summary: 'Deployment settings (admin, read-only)',
        security: SIGNED_IN,
        responses: { '200': json({ type: 'object' }), ...COMMON_ERRORS },
      },
    },
    '/api/v1/openapi.json': {
      get: { summary: 'This document', security: SIGNED_IN, responses: { '200': json({ type: 'object' }) } },
    },
  };
  for (const endpoint of TABLE_ENDPOINTS) {
    paths[endpoint.path] = {
      get: {
        summary: endpoint.summary,
        description: `Reports: ${endpoint.reports.join(', ')}. Dimension filters honoured: ${endpoint.filters.join(', ') || 'none'} (at most ${MAX_FILTERS} of ${DIMENSION_FILTERS.join(', ')} combine). \`format=csv\` returns the same released rows as CSV, for every role.`,
        security: SIGNED_IN,
        parameters: [
          ...FILTER_PARAMETERS,
          query('format', 'json, or csv (the same rows)', { type: 'string', enum: ['json', 'csv'] }),
        ],
        responses: {
          '200': {
            description: 'OK',
            content: {
              'application/json': { schema: ref('TableResponse') },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          ...COMMON_ERRORS,
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Kanon dashboards API',
      version: '1',
      description:
        'Released, k-anonymous shop statistics. Every figure is a sum of published rows, each describing at least K distinct visitors; `visitors` over a range is the sum of daily distinct visitors (visitor-days). Errors are `{ "error": { "code", "message" } }`.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'kanon_session',
          description: '`__Host-kanon_session` when served over HTTPS',
        },
        csrf: {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description: 'From GET /api/v1/session; required on every POST, PATCH and DELETE',
        },
      },
      schemas: OPENAPI_SCHEMAS,
    },
  };
}
