/// <reference lib="dom" />
import { api } from '../api.js';
import { card, fill, type View, type ViewContext } from '../context.js';
import { h, icon, replace } from '../dom.js';
import { formatCount } from '../format.js';

interface AuditRow {
  at: string;
  actor: string;
  role: string;
  action: string;
  target: string;
  outcome: string;
  code: string;
  query: string;
  rows: number;
  durationMs: number;
  detail: string;
}

const ACTIONS: Record<string, string> = {
  sign_in: 'Signed in',
  sign_in_failed: 'Sign-in failed',
  sign_out: 'Signed out',
  sql_query: 'SQL query',
  sql_refused: 'SQL query refused',
  csv_download: 'CSV download',
  export: 'Export',
  user_added: 'User added',
  user_removed: 'User removed',
  user_role_changed: 'Role changed',
  user_password_changed: 'Password changed',
  setting_changed: 'Setting changed',
  catalog_import: 'Catalogue import',
  purge: 'Site purged',
  backup: 'Backup',
  restore: 'Restore',
};
const PERIODS = [
  ['1d', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
  ['90d', 'Last 90 days'],
  ['400d', 'Last 400 days'],
] as const;
const FILTERS = ['since', 'until', 'actor', 'action', 'outcome'] as const;

/** The filter as the address bar holds it, so a filtered view can be bookmarked or sent on. */
function readFilter(): Record<string, string> {
  const params = new URLSearchParams(location.search);
  const filter: Record<string, string> = { since: params.get('since') || '7d' };
  for (const key of FILTERS) {
    const value = params.get(key);
    if (value && key !== 'since') filter[key] = value;
  }
  return filter;
}

function describe(row: AuditRow): (string | Node)[] {
  const parts: (string | Node)[] = [];
  if (row.query) parts.push(h('code', 'audit-query', row.query));
  const facts = [
    row.code,
    row.action.startsWith('sql') || row.action.endsWith('download') || row.action === 'export'
      ? `${formatCount(row.rows)} row${row.rows === 1 ? '' : 's'}`
      : '',
    row.action.startsWith('sql') ? `${formatCount(row.durationMs)} ms` : '',
    row.detail,
  ].filter(Boolean);
  if (facts.length > 0) parts.push(h('span', 'muted', facts.join(' · ')));
  return parts;
}

function renderAudit(root: HTMLElement, context: ViewContext) {
  const filter = readFilter();
  const input = (name: string, label: string, attrs: Record<string, string> = {}) =>
    h('input', { attrs: { name, 'aria-label': label, value: filter[name] ?? '', ...attrs } });
  const period = h(
    'select',
    { attrs: { name: 'since', 'aria-label': 'Period' } },
    PERIODS.map(([value, text]) => h('option', { attrs: { value, selected: filter.since === value } }, text)),
    PERIODS.some(([value]) => value === filter.since)
      ? null
      : h('option', { attrs: { value: filter.since!, selected: true } }, `Since ${filter.since}`),
  );
  const until = input('until', 'Until (date)', { type: 'date' });
  const actor = input('actor', 'Who', { placeholder: 'user name', autocomplete: 'off' });
  const action = h(
    'select',
    { attrs: { name: 'action', 'aria-label': 'Action' } },
    h('option', { attrs: { value: '' } }, 'Every action'),
    Object.entries(ACTIONS).map(([value, text]) =>
      h('option', { attrs: { value, selected: filter.action === value } }, text),
    ),
  );
  const outcome = h(
    'select',
    { attrs: { name: 'outcome', 'aria-label': 'Outcome' } },
    h('option', { attrs: { value: '' } }, 'Every outcome'),
    ['ok', 'refused', 'failed'].map((value) =>
      h('option', { attrs: { value, selected: filter.outcome === value } }, value),
    ),
  );
  const form = h(
    'form',
    {
      class: 'inline-form audit-filter',
      attrs: { id: 'audit-filter' },
      on: {
        submit: (event) => {
          event.preventDefault();
          const next = new URLSearchParams();
          for (const field of [period, until, actor, action, outcome]) {
            if (field.value.trim()) next.set(field.name, field.value.trim());
          }
          context.navigate(`/audit?${next}`);
        },
      },
    },
    period,
    until,
    actor,
    action,
    outcome,
    h('button', { class: 'button', attrs: { type: 'submit' } }, 'Filter'),
  );
  const query = new URLSearchParams(filter);
  const download = h(
    'a',
    {
      class: 'button ghost small',
      attrs: { href: `/api/v1/audit?${query}&limit=100000&format=csv`, download: '', id: 'audit-csv' },
    },
    icon('download', 'icon small'),
    'CSV',
  );
  const body = h('div', 'card-content');
  fill(body, context.signal, async () => {
    const { rows, truncated } = await api<{ rows: AuditRow[]; truncated: boolean }>(
      `/api/v1/audit?${query}`,
      { signal: context.signal },
    );
    if (rows.length === 0)
      return h('p', { class: 'muted', attrs: { id: 'audit-empty' } }, 'No entries match.');
    return [
      h(
        'div',
        'scroll-x',
        h(
          'table',
          { class: 'data audit-log', attrs: { id: 'audit-table' } },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['When (UTC)', 'Who', 'Role', 'Action', 'On', 'Outcome', 'Details'].map((label) =>
                h('th', 'text', label),
              ),
            ),
          ),
          h(
            'tbody',
            null,
            rows.map((row) =>
              h(
                'tr',
                { dataset: { action: row.action, outcome: row.outcome } },
                h('td', 'text nowrap', row.at.replace('T', ' ').slice(0, 19)),
                h(
                  'td',
                  'text',
                  row.actor ? h('strong', null, row.actor) : h('span', 'muted', 'unknown name'),
                ),
                h('td', 'text', row.role),
                h('td', 'text', ACTIONS[row.action] ?? row.action),
                h('td', 'text', row.target),
                h('td', 'text', h('span', `pill outcome-${row.outcome}`, row.outcome)),
                h('td', 'text', describe(row)),
              ),
            ),
          ),
        ),
      ),
      truncated
        ? h(
            'p',
            'muted small',
            `The ${formatCount(rows.length)} newest entries; narrow the filter for older ones.`,
          )
        : null,
    ];
  });
  replace(
    root,
    card(
      {
        title: 'Audit log',
        subtitle:
          'Sign-ins, queries, downloads, user and setting changes, purges and backups: who, when and how it ended. Append-only; kept for KANON_AUDIT_RETENTION.',
        actions: download,
        id: 'audit',
      },
      form,
      body,
    ),
  );
}

export const auditView: View = {
  path: '/audit',
  title: 'Audit log',
  nav: 'Audit',
  icon: 'shield',
  role: 'admin',
  filters: [],
  filtered: false,
  render: renderAudit,
};
