import { ROLES } from './auth/roles.js';
import { DIMENSION_FILTERS } from './query/filters.js';

/** The schemas of the dashboards' OpenAPI description (openapi.ts), apart so each file stays readable. */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export const OPENAPI_SCHEMAS: Record<string, unknown> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
  Session: {
    type: 'object',
    properties: {
      user: {
        type: 'object',
        properties: { name: { type: 'string' }, role: { type: 'string', enum: [...ROLES] } },
      },
      csrfToken: { type: 'string' },
      k: { type: 'integer' },
      windowSeconds: { type: 'integer' },
      today: { type: 'string', format: 'date' },
      sites: { type: 'array', items: { type: 'string' } },
    },
  },
  ReportMail: {
    type: 'object',
    properties: {
      mailConfigured: {
        type: 'boolean',
        description: 'Whether this deployment sends mail (KANON_SMTP_URL set)',
      },
      frequency: { type: 'string', enum: ['off', 'daily', 'weekly'] },
      email: { type: ['string', 'null'] },
      site: { type: ['string', 'null'] },
    },
  },
  PrivacyNote: {
    type: 'object',
    properties: {
      k: { type: 'integer' },
      grain: {
        type: 'string',
        enum: ['window', 'day'],
        description: 'Release windows for the site totals (overview), days for breakdowns',
      },
      released: { type: 'integer', description: 'Periods of the range released' },
      groupsGeneralised: { type: 'integer' },
      withheld: {
        type: 'integer',
        description: 'Periods of fewer than K visitors, of which nothing was published',
      },
      noise: {
        type: ['object', 'null'],
        description:
          "Noise mode (KANON_EPSILON): the ε a visitor-day spent (the manifest's, summed over the day's reports) and how many days of the range carry noise; null when every figure is exact",
        properties: { epsilon: { type: 'number' }, days: { type: 'integer' } },
      },
      nextRelease: {
        type: 'object',
        description:
          'When the next release window is published (window end plus KANON_GRACE): `at` (ISO time) and `text` ("Next release at 14:05 UTC")',
        properties: { at: { type: 'string', format: 'date-time' }, text: { type: 'string' } },
      },
      wholeDaysOnly: {
        type: 'boolean',
        description: "Noise mode: the range's release windows published nothing by design (whole days only)",
      },
      text: { type: ['string', 'null'] },
    },
  },
  ReleasedDays: {
    type: 'object',
    description:
      'Breakdowns are released once per UTC day, after it ends: the days of the range they cover, and those still to come',
    properties: {
      days: { type: 'array', items: { type: 'string', format: 'date' } },
      pending: { type: 'array', items: { type: 'string', format: 'date' } },
      covers: { type: ['string', 'null'], description: 'The released days in words, e.g. "1–5 Dec"' },
      text: { type: ['string', 'null'] },
    },
  },
  NamedShare: {
    type: ['object', 'null'],
    description: "Share of the table's main measure in named rows (level 0) rather than generalised ones",
    properties: {
      measure: { type: 'string' },
      label: { type: 'string' },
      share: { type: ['number', 'null'] },
      text: { type: ['string', 'null'] },
    },
  },
  Comparison: {
    type: ['object', 'null'],
    description:
      'What the changes compare with: the previous period cut to the stretch the figures cover; compared only when every day of it has released figures, otherwise text says why. Null when nothing is compared.',
    properties: {
      from: { type: 'string', format: 'date' },
      to: { type: 'string', format: 'date' },
      until: { type: ['integer', 'null'], description: 'Unix seconds: the last day counts up to here' },
      days: { type: 'integer' },
      covered: { type: 'integer', description: 'Days of the previous stretch with released figures' },
      compared: { type: 'boolean' },
      yearBefore: { type: 'boolean', description: 'Present and true with compare=year' },
      text: { type: 'string' },
    },
  },
  Column: {
    type: 'object',
    properties: {
      key: { type: 'string' },
      label: { type: 'string' },
      kind: { type: 'string', enum: ['text', 'count', 'visitors', 'rate', 'money', 'change'] },
      hint: { type: 'string' },
    },
  },
  TableResponse: {
    type: 'object',
    properties: {
      site: { type: 'string' },
      from: { type: 'string', format: 'date' },
      to: { type: 'string', format: 'date' },
      previous: { type: ['object', 'null'] },
      k: { type: 'integer' },
      notSplitBy: { type: 'array', items: { type: 'string', enum: [...DIMENSION_FILTERS] } },
      privacy: ref('PrivacyNote'),
      released: ref('ReleasedDays'),
      comparison: ref('Comparison'),
      named: ref('NamedShare'),
      orders: {
        type: 'object',
        description:
          '/funnel/devices only: orders of the released days (overview), those split by device, the rest, and the buyers',
      },
      cards: {
        type: 'array',
        items: { type: 'object' },
        description:
          '/insights only: by impact, each with rule, action, finding, subject, product, figures, sentence (the rule and its threshold), impact and report (view, anchor, label)',
      },
      rules: {
        type: 'array',
        items: { type: 'object' },
        description:
          '/insights only: every rule with its sentence and status: fired, quiet, not_compared or waiting',
      },
      table: {
        type: 'object',
        properties: {
          columns: { type: 'array', items: ref('Column') },
          rows: {
            type: 'array',
            description:
              'Keyed by column key; `level` > 0 marks a generalised group; money in minor units; rates as fractions. Noise mode: `<key>_margin` beside a noisy figure, its ± margin (95 %) in the same unit',
            items: { type: 'object' },
          },
        },
      },
    },
  },
  Overview: {
    type: 'object',
    properties: {
      source: { type: 'string' },
      notSplitBy: { type: 'array', items: { type: 'string' } },
      filterPending: {
        type: ['string', 'null'],
        description: 'A filter no released day of the range can serve yet',
      },
      filterNote: { type: ['string', 'null'] },
      breakdowns: ref('ReleasedDays'),
      notSplit: {
        type: ['object', 'null'],
        description: 'Orders of the covered days in no row of the filter',
      },
      kpis: {
        type: 'array',
        description:
          'Noise mode: `margin`, `previousMargin` and `changeMargin` beside a noisy figure, its ± margin (95 %)',
        items: { type: 'object' },
      },
      trend: { type: 'object', description: 'Noise mode: each point has `margins`, by figure' },
      comparison: ref('Comparison'),
      privacy: ref('PrivacyNote'),
    },
  },
  QueryResult: {
    type: 'object',
    properties: {
      columns: {
        type: 'array',
        items: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' } } },
      },
      rows: { type: 'array', items: { type: 'array' } },
      truncated: { type: 'boolean' },
    },
  },
  User: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      role: { type: 'string', enum: [...ROLES] },
      createdAt: { type: 'string' },
      updatedAt: { type: 'string' },
    },
  },
};
