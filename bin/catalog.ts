#!/usr/bin/env node
import { createReadStream, statSync } from 'node:fs';
import { type Config, ConfigError, loadConfig } from '../core/config.js';
import { KanonError } from '../core/errors.js';
import type { Warehouse } from '../core/warehouse/warehouse.js';
import type { CatalogSummary, ImportResult } from '../dashboards/catalog/catalog-store.js';
import {
  type ControlClient,
  ControlError,
  connectControl,
  requireEmbeddedStore,
} from '../dashboards/control-client.js';
import { CONTROL_MAX_BYTES } from '../dashboards/routes/catalog.js';
import { parseCliArgs } from './runtime/cli-args.js';

/**
 * The sites' product catalogues from the command line: `npm run catalog -- import FILE [--site ID]`
 * replaces a site's catalogue with a Google Merchant Center feed (TSV or XML), `show` says what
 * the current one holds. With Kanon running it goes through the running process (the embedded
 * store has one owner: control socket, loopback), streaming the file; otherwise it opens the store.
 */
const USAGE = `usage: npm run catalog -- <command> [--site ID]
  import FILE   replace the site's product catalogue with a Merchant Center feed (TSV or XML)
  show          the site's current catalogue: items, when it was imported, image hosts
  --site ID     the site, as in KANON_SITES (default: the first one)`;

interface Catalogs {
  show(site: string): Promise<CatalogSummary | null>;
  import(site: string, file: string, onBytes: (bytes: number) => void): Promise<ImportResult>;
  close(): Promise<void>;
}

const path = (site: string) => `/control/v1/sites/${encodeURIComponent(site)}/catalog`;

/** Counts what goes by, for the progress line: the server reads the upload as fast as it imports. */
async function* counting(file: string, onBytes: (bytes: number) => void): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    bytes += (chunk as Buffer).byteLength;
    onBytes(bytes);
    yield chunk as Buffer;
  }
}

function overHttp(control: ControlClient): Catalogs {
  return {
    show: async (site) => (await control.call<{ catalog: CatalogSummary | null }>('GET', path(site))).catalog,
    import: async (site, file, onBytes) =>
      (await control.upload<{ catalog: ImportResult }>('PUT', path(site), counting(file, onBytes))).catalog,
    close: async () => {},
  };
}

async function direct(config: Config): Promise<Catalogs> {
  // No store here most often means another KANON_DATA_DIR than the running Kanon's: say so.
  requireEmbeddedStore(config);
  const { openWarehouse } = await import('../core/warehouse/open-warehouse.js');
  const { migrate } = await import('../schema/migrate.js');
  const { schemaVariables } = await import('./runtime/stages.js');
  const { CatalogStore } = await import('../dashboards/catalog/catalog-store.js');
  const warehouse: Warehouse = await openWarehouse(config.warehouse);
  // The catalogue tables come with the schema; a store last run by an older Kanon gets them now.
  await migrate(warehouse, schemaVariables(config));
  const store = new CatalogStore(warehouse);
  const { cliAudit } = await import('../dashboards/audit/cli-audit.js');
  const audit = cliAudit(warehouse);
  return {
    show: async (site) => (await store.current(site)) ?? null,
    import: async (site, file, onBytes) => {
      const result = await store.importFeed(site, counting(file, onBytes), { maxBytes: CONTROL_MAX_BYTES });
      await audit({
        action: 'catalog_import',
        target: site,
        rows: result.items,
        detail: `${result.format}, ${result.badLines} bad lines`,
      });
      return result;
    },
    close: () => warehouse.close(),
  };
}

const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/**
 * "importing shop-eu: 45% (12.1 of 26.9 MB)": rewritten in place on a terminal, and printed at
 * each quarter otherwise (a log keeps a few lines, not thousands).
 */
function progressPrinter(site: string, total: number) {
  const tty = process.stderr.isTTY === true;
  let lastAt = 0;
  let lastQuarter = 0;
  return {
    update(bytes: number) {
      const percent = total > 0 ? Math.min(100, Math.floor((bytes / total) * 100)) : 100;
      const line = `importing ${site}: ${percent}% (${megabytes(bytes)} of ${megabytes(total)} MB)`;
      if (tty) {
        if (Date.now() - lastAt < 100 && percent < 100) return;
        lastAt = Date.now();
        process.stderr.write(`\r${line}`);
      } else if (Math.floor(percent / 25) > lastQuarter) {
        lastQuarter = Math.floor(percent / 25);
        process.stderr.write(`${line}\n`);
      }
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}

function printImport(result: ImportResult, seconds: number): void {
  console.log(
    `Imported ${result.items.toLocaleString('en')} products for ${result.site} from a ${result.format.toUpperCase()} feed in ${seconds.toFixed(1)} s; it replaces the previous catalogue.`,
  );
  if (result.badLines > 0) {
    console.log(
      `${result.badLines.toLocaleString('en')} bad line${result.badLines === 1 ? '' : 's'} skipped:`,
    );
    for (const bad of result.errors) console.log(`  line ${bad.line}: ${bad.field}: ${bad.rule}`);
    if (result.badLines > result.errors.length)
      console.log(`  ... and ${result.badLines - result.errors.length} more`);
  }
  if (result.imagesDropped > 0)
    console.log(
      `${result.imagesDropped.toLocaleString('en')} images are on hosts beyond the first ${result.imageOrigins.length} (${result.imageOrigins.join(', ')}) and are not shown.`,
    );
}

function printSummary(site: string, summary: CatalogSummary | null): void {
  if (!summary) {
    console.log(`No catalogue for ${site} yet: npm run catalog -- import FILE --site ${site}`);
    return;
  }
  console.log(
    `${site}: ${summary.items.toLocaleString('en')} products, imported ${summary.importedAt} UTC from a ${summary.format.toUpperCase()} feed${summary.badLines > 0 ? ` (${summary.badLines} bad lines skipped)` : ''}`,
  );
  console.log(`images from: ${summary.imageOrigins.length > 0 ? summary.imageOrigins.join(', ') : 'none'}`);
}

async function main(): Promise<number> {
  const args = parseCliArgs(
    { options: { site: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true },
    USAGE,
  );
  if (!args) return 2;
  const { positionals, values } = args;
  const [command, file] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if ((command !== 'import' && command !== 'show') || (command === 'import' && !file)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const site = values.site ?? config.collector.sites[0]?.id ?? '';
  if (!config.collector.sites.some((known) => known.id === site)) {
    console.error(
      `error: no site ${JSON.stringify(site)} in KANON_SITES (${config.collector.sites.map((known) => known.id).join(', ')})`,
    );
    return 2;
  }
  let size = 0;
  if (command === 'import') {
    try {
      size = statSync(file!).size;
    } catch {
      console.error(`error: cannot read the feed file ${JSON.stringify(file)}`);
      return 1;
    }
  }
  const control = await connectControl(config);
  const catalogs = control ? overHttp(control) : await direct(config);
  try {
    if (command === 'show') {
      printSummary(site, await catalogs.show(site));
      return 0;
    }
    const progress = progressPrinter(site, size);
    const started = performance.now();
    try {
      const result = await catalogs.import(site, file!, (bytes) => progress.update(bytes));
      progress.done();
      printImport(result, (performance.now() - started) / 1000);
    } catch (error) {
      progress.done();
      throw error;
    }
    return 0;
  } finally {
    await catalogs.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else if (error instanceof KanonError || error instanceof ControlError)
      console.error(`error: ${error.message}`);
    else console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
