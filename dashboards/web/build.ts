import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = fileURLToPath(new URL('./src/main.ts', import.meta.url));
export const WEB_DIST = new URL('./dist/', import.meta.url);

export interface WebBundle {
  js: string;
  css: string;
  /** Short content hash, part of the asset URLs so browsers may cache them for good. */
  hash: string;
}

export function bundleHash(js: string, css: string): string {
  return createHash('sha256').update(js).update('\0').update(css).digest('hex').slice(0, 12);
}

/**
 * Bundles the dashboards' web UI (TypeScript, uPlot and the styles) with esbuild into one ES
 * module and one stylesheet: no CDN, no inline script, so the page runs under a strict CSP.
 * `write` also saves them to dashboards/web/dist/, where the server looks first.
 */
export async function buildDashboardsWeb(options: { write?: boolean } = {}): Promise<WebBundle> {
  // esbuild is a build-time tool: imported here only, so a server with a prebuilt bundle never loads it.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: { app: entry },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    outdir: fileURLToPath(WEB_DIST),
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const js = result.outputFiles.find((file) => file.path.endsWith('.js'))?.text ?? '';
  const css = result.outputFiles.find((file) => file.path.endsWith('.css'))?.text ?? '';
  if (options.write) {
    await mkdir(WEB_DIST, { recursive: true });
    await writeFile(new URL('app.js', WEB_DIST), js);
    await writeFile(new URL('app.css', WEB_DIST), css);
  }
  return { js, css, hash: bundleHash(js, css) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { js, css } = await buildDashboardsWeb({ write: true });
  console.log(`dashboards/web/dist: app.js ${js.length} bytes, app.css ${css.length} bytes`);
}
