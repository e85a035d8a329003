import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVitest } from 'vitest/node';

/**
 * `npm run screenshots`: every dashboards page at 1440 and 390 px, from a dashboards app seeded
 * with the tests' released data (test/dashboards/fixtures/published-data.ts), into screenshots/
 * (git-ignored). It runs screenshots.shots.ts through vitest, which brings the same fixtures the
 * browser tests use: a private Redis, the embedded engine, Debian's chromium.
 */
const dir = fileURLToPath(new URL('../../screenshots/', import.meta.url));
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const vitest = await startVitest('test', [], {
  include: ['test/dashboards/screenshots.shots.ts'],
  watch: false,
  provide: { screenshotsDir: dir },
});
await vitest.close();
const files = readdirSync(dir).filter((name) => name.endsWith('.png'));
const failed = vitest.state.getCountOfFailedTests() > 0 || process.exitCode;
console.log(`\n${files.length} screenshots in ${relative(process.cwd(), dir) || dir}/`);
for (const name of files.sort()) console.log(`  ${name}`);
process.exit(failed ? 1 : 0);
