import { readFileSync, writeFileSync } from 'node:fs';
import { replaceConfigTable } from '../core/config-docs.js';
import { generatePublishedDdl } from '../schema/published-ddl.js';
import { parseCliArgs } from './runtime/cli-args.js';

/**
 * Regenerates the files derived from code: the published tables' DDL (from the report catalogue)
 * and README's configuration table (from the config schema). Tests fail when either is stale.
 */
const USAGE = `usage: npm run generate
  rewrites schema/sql/R_published.sql and README's configuration table from the code; takes no options`;

const args = parseCliArgs({ options: { help: { type: 'boolean', short: 'h' } } }, USAGE);
if (!args) process.exit(2);
if (args.values.help) {
  console.log(USAGE);
  process.exit(0);
}

const ddl = new URL('../schema/sql/R_published.sql', import.meta.url);
writeFileSync(ddl, generatePublishedDdl());
console.log(`wrote ${ddl.pathname}`);

const readme = new URL('../README.md', import.meta.url);
writeFileSync(readme, replaceConfigTable(readFileSync(readme, 'utf8')));
console.log(`updated the configuration table in ${readme.pathname}`);
