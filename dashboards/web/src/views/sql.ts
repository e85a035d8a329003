/// <reference lib="dom" />
import { ApiError, api } from '../api.js';
import { card, type View, type ViewContext } from '../context.js';
import { h, icon, replace } from '../dom.js';
import { formatCount } from '../format.js';
import { dataTable, type Row } from '../ui/table.js';

interface QueryResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  truncated: boolean;
}
interface CatalogueTable {
  name: string;
  doc: string;
  columns: { name: string; type: string; doc: string }[];
}

const NUMERIC = /^(Nullable\()?(U?Int|Float|Decimal)/;

function example(site: string): string {
  return `-- Released figures only: every row stands for at least K visitors.
SELECT day, sum(pageviews) AS pageviews, sum(orders) AS orders,
       sum(visitors) AS visitor_days
FROM pub_overview_by_day
WHERE site = '${site.replace(/'/g, "''")}'
GROUP BY day
ORDER BY day DESC
LIMIT 30`;
}

function renderSql(root: HTMLElement, context: ViewContext) {
  const editor = h('textarea', {
    class: 'sql-editor',
    attrs: { spellcheck: 'false', 'aria-label': 'SQL', name: 'sql', rows: '10' },
  });
  editor.value = example(context.session.sites[0] ?? 'demo');
  const result = h('div', { class: 'sql-result', attrs: { id: 'sql-result', 'aria-live': 'polite' } });
  const status = h('span', 'muted small');
  const run = async () => {
    status.textContent = 'Running…';
    replace(result);
    const started = performance.now();
    try {
      const answer = await api<QueryResult>('/api/v1/query', {
        method: 'POST',
        body: { sql: editor.value, format: 'json' },
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      status.textContent = `${formatCount(answer.rows.length)} rows in ${seconds} s${answer.truncated ? ' (cut at the row limit)' : ''}`;
      const columns = answer.columns.map((column) => ({
        key: column.name,
        label: column.name,
        kind: NUMERIC.test(column.type) ? ('count' as const) : ('text' as const),
        hint: column.type,
      }));
      const rows = answer.rows.map((values) => {
        const row: Row = { level: 0 };
        answer.columns.forEach((column, index) => {
          const value = values[index];
          row[column.name] =
            typeof value === 'number' || value === null
              ? value
              : typeof value === 'string'
                ? value
                : JSON.stringify(value);
        });
        return row;
      });
      replace(
        result,
        dataTable(
          { columns, rows },
          { k: context.session.k, limit: 200, empty: h('p', 'muted', 'The query returned no rows.') },
        ),
      );
    } catch (error) {
      status.textContent = '';
      const message = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
      replace(
        result,
        h(
          'div',
          { class: 'notice error', attrs: { role: 'alert' } },
          icon('info', 'icon'),
          h('div', null, message),
        ),
      );
    }
  };
  const download = async () => {
    const response = await fetch('/api/v1/query', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': context.session.csrfToken },
      body: JSON.stringify({ sql: editor.value, format: 'csv' }),
    });
    if (!response.ok) return run();
    const url = URL.createObjectURL(await response.blob());
    const link = h('a', { attrs: { href: url, download: 'kanon-query.csv' } });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  editor.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      void run();
    }
  });

  const catalogue = h('div', 'catalogue');
  api<{ tables: CatalogueTable[] }>('/api/v1/catalogue', { signal: context.signal }).then(
    ({ tables }) =>
      replace(
        catalogue,
        tables.map((table) =>
          h(
            'details',
            null,
            h('summary', { attrs: { title: table.doc } }, table.name),
            h(
              'ul',
              null,
              table.columns.map((column) =>
                h(
                  'li',
                  { attrs: { title: column.doc } },
                  h('code', null, column.name),
                  h('span', 'muted', column.type),
                ),
              ),
            ),
          ),
        ),
      ),
    () => undefined,
  );

  // The example runs at once, so the page opens with a result to start from.
  queueMicrotask(() => void run());
  root.append(
    h(
      'div',
      'grid sql-layout',
      card(
        {
          title: 'Query the released tables',
          subtitle: 'Read-only SQL over pub_* tables. Time and row limits apply. Ctrl/⌘ + Enter runs.',
          id: 'sql',
        },
        editor,
        h(
          'div',
          'sql-actions',
          h(
            'button',
            { class: 'button', attrs: { type: 'button', id: 'run-sql' }, on: { click: () => void run() } },
            'Run query',
          ),
          h(
            'button',
            { class: 'button ghost', attrs: { type: 'button' }, on: { click: () => void download() } },
            icon('download'),
            'Download CSV',
          ),
          status,
        ),
        result,
      ),
      card({ title: 'Tables', subtitle: 'Click to see columns', className: 'catalogue-card' }, catalogue),
    ),
  );
}

export const sqlView: View = {
  path: '/sql',
  title: 'SQL',
  nav: 'SQL',
  icon: 'sql',
  role: 'analyst',
  filters: [],
  filtered: false,
  render: renderSql,
};
