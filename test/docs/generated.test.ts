import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateConfigTable } from '../../core/config-docs.js';
import { generatePublishedDdl } from '../../schema/published-ddl.js';

describe('generated files', () => {
  it('keeps schema/sql/R_published.sql equal to what the report catalogue generates', () => {
    const committed = readFileSync(new URL('../../schema/sql/R_published.sql', import.meta.url), 'utf8');
    expect(committed, 'run npm run generate').toBe(generatePublishedDdl());
  });

  it('keeps the README configuration table equal to the config schema', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme, 'run npm run generate').toContain(generateConfigTable());
  });
});
