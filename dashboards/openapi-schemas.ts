import { ROLES } from './auth/roles.js';

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
  PrivacyNote: {
    type: 'object',
    properties: {
      k: { type: 'integer' },
      windowsReleased: { type: 'integer' },
      groupsGeneralised: { type: 'integer' },
      windowsWithheld: { type: 'integer' },
      text: { type: ['string', 'null'] },
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
      notSplitBy: { type: 'array', items: { type: 'string', enum: ['device', 'country', 'campaign'] } },
      privacy: ref('PrivacyNote'),
      table: {
        type: 'object',
        properties: {
          columns: { type: 'array', items: ref('Column') },
          rows: {
            type: 'array',
            description:
              'Keyed by column key; `level` > 0 marks a generalised group; money in minor units; rates as fractions',
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
      kpis: { type: 'array', items: { type: 'object' } },
      trend: { type: 'object' },
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
