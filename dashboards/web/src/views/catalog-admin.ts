/// <reference lib="dom" />
import { ApiError, api } from '../api.js';
import { card, fill, type ViewContext } from '../context.js';
import { h, replace } from '../dom.js';
import { formatCount } from '../format.js';

interface CatalogSummary {
  items: number;
  badLines: number;
  format: string;
  imageOrigins: string[];
  importedAt: string;
}

interface ImportResult extends CatalogSummary {
  errors: { line: number; field: string; rule: string }[];
  imagesDropped: number;
}

/** "1,204 products, imported 2026-12-07 09:14 UTC from a TSV feed". */
function describe(summary: CatalogSummary | null): string {
  if (!summary) return 'No feed yet: products show by their ids.';
  return `${formatCount(summary.items)} products, imported ${summary.importedAt.slice(0, 16)} UTC from a ${summary.format.toUpperCase()} feed.`;
}

function siteRow(context: ViewContext, site: string): HTMLElement {
  const status = h('p', 'catalog-status muted', 'Loading…');
  const report = h('div', { class: 'catalog-report', attrs: { 'aria-live': 'polite' } });
  const input = h('input', {
    attrs: {
      type: 'file',
      accept: '.tsv,.txt,.xml,text/tab-separated-values,text/plain,application/xml,text/xml',
    },
  });
  const button = h('button', { class: 'button', attrs: { type: 'submit', disabled: true } }, 'Import feed');
  input.addEventListener('change', () => {
    button.disabled = !input.files?.length;
  });
  const path = `/api/v1/sites/${encodeURIComponent(site)}/catalog`;
  const load = () =>
    fill(status, context.signal, async () => {
      const { catalog } = await api<{ catalog: CatalogSummary | null }>(path, { signal: context.signal });
      return describe(catalog);
    });
  const form = h(
    'form',
    {
      class: 'catalog-form',
      on: {
        submit: async (event) => {
          event.preventDefault();
          const file = input.files?.[0];
          if (!file) return;
          button.disabled = true;
          replace(report, h('p', 'muted', `Importing ${file.name}…`));
          try {
            const { catalog } = await api<{ catalog: ImportResult }>(path, { method: 'PUT', file });
            replace(
              report,
              h(
                'p',
                'ok',
                `Imported ${formatCount(catalog.items)} products; they replace the previous catalogue.`,
              ),
              catalog.badLines > 0
                ? h(
                    'details',
                    null,
                    h('summary', null, `${formatCount(catalog.badLines)} bad lines skipped`),
                    h(
                      'ul',
                      'plain-list',
                      catalog.errors.map((bad) =>
                        h('li', null, `Line ${bad.line}: ${bad.field}: ${bad.rule}`),
                      ),
                    ),
                  )
                : null,
              catalog.imagesDropped > 0
                ? h(
                    'p',
                    'muted',
                    `${formatCount(catalog.imagesDropped)} images are on further hosts and are not shown.`,
                  )
                : null,
            );
            load();
          } catch (error) {
            replace(
              report,
              h('p', 'error', error instanceof ApiError ? error.message : 'The import failed.'),
            );
          } finally {
            button.disabled = !input.files?.length;
          }
        },
      },
    },
    h('label', null, h('span', 'sr-only', `Feed file for ${site}`), input),
    button,
  );
  load();
  return h('li', 'catalog-site', h('strong', null, site), status, form, report);
}

/**
 * The admin page's product catalogue card: each site's current feed (size, date), and an upload
 * that replaces it. The feed names products in every view; it changes no figure.
 */
export function catalogCard(context: ViewContext): HTMLElement {
  return card(
    {
      title: 'Product catalogue',
      subtitle:
        "The shop's Google Merchant Center feed (TSV or XML): names, pictures and availability for the products views",
      id: 'catalog',
    },
    h(
      'div',
      'card-content',
      h(
        'ul',
        'plain-list catalog-sites',
        context.session.sites.map((site) => siteRow(context, site)),
      ),
      h(
        'p',
        'muted small',
        'Or from the server: npm run catalog -- import FILE --site ID. A feed is shop data: it names products and is never released.',
      ),
    ),
  );
}
