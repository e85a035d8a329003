import { readFileSync, writeFileSync } from 'node:fs';
import { replaceConfigTable } from '../core/config-docs.js';
import { generatePublishedDdl } from '../schema/published-ddl.js';

/**
 * Regenerates the files derived from code: the published tables' DDL (from the report catalogue)
 * and README's configuration table (from the config schema). Tests fail when either is stale.
 */
const ddl = new URL('../schema/sql/R_published.sql', import.meta.url);
writeFileSync(ddl, generatePublishedDdl());
console.log(`wrote ${ddl.pathname}`);

const readme = new URL('../README.md', import.meta.url);
writeFileSync(readme, replaceConfigTable(readFileSync(readme, 'utf8')));
console.log(`updated the configuration table in ${readme.pathname}`);
