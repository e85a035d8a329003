import { cpSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Kanon as plain JavaScript, for measuring memory the way production runs it (the Dockerfile runs
 * tsc's output with node, without the tsx loader, which alone adds about 30 MB of RSS). Every
 * TypeScript file is transpiled one for one with esbuild (no bundling, so each module keeps its own
 * import.meta.url) into node_modules/.cache/kanon-bench/, where the packages still resolve, with
 * the few assets modules read at run time next to them.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const SOURCES = ['bin', 'core', 'schema', 'collector', 'workers', 'dashboards', 'demo', 'bench'];
const ASSETS = ['schema/sql', 'tracker/dist', 'dashboards/web/dist', 'demo/shop'];

function typescriptFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry === 'results' || entry.startsWith('.'))
      continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) typescriptFiles(path, out);
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts') && !entry.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

export async function compileForNode(): Promise<string> {
  const { build } = await import('esbuild');
  const outdir = join(ROOT, 'node_modules/.cache/kanon-bench');
  rmSync(outdir, { recursive: true, force: true });
  const entryPoints = SOURCES.flatMap((dir) =>
    existsSync(join(ROOT, dir)) && dir !== 'dashboards' ? typescriptFiles(join(ROOT, dir)) : [],
  ).concat(
    typescriptFiles(join(ROOT, 'dashboards')).filter(
      (file) => !relative(ROOT, file).startsWith('dashboards/web/src'),
    ),
  );
  await build({
    entryPoints,
    outdir,
    outbase: ROOT,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  });
  writeFileSync(join(outdir, 'package.json'), '{ "type": "module" }\n');
  for (const asset of ASSETS) {
    if (existsSync(join(ROOT, asset))) cpSync(join(ROOT, asset), join(outdir, asset), { recursive: true });
  }
  return outdir;
}
