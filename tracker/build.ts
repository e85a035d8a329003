import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('./src/index.ts', import.meta.url));
const dataLayerEntry = fileURLToPath(new URL('./src/datalayer/index.ts', import.meta.url));
const tsconfig = fileURLToPath(new URL('./tsconfig.json', import.meta.url));
const distDir = fileURLToPath(new URL('./dist/', import.meta.url));

/**
 * Bundles and minifies the storefront tracker into one classic script (an IIFE: it must work as a
 * plain `<script defer>` on any shop) and measures it gzipped, as a CDN would serve it.
 */
export async function buildTracker(): Promise<{ code: string; gzipBytes: number }> {
  return buildScript(entry);
}

/** The GA4 data layer add-on (src/datalayer/), a script of its own beside the core tag. */
export async function buildDataLayerAddon(): Promise<{ code: string; gzipBytes: number }> {
  return buildScript(dataLayerEntry);
}

async function buildScript(entryPoint: string): Promise<{ code: string; gzipBytes: number }> {
  const result = await build({
    entryPoints: [entryPoint],
    tsconfig,
    bundle: true,
    minify: true,
    format: 'iife',
    // Browsers from early 2020 on (Chrome/Edge 80, Firefox 74, Safari 13.1): all have fetch keepalive.
    target: 'es2020',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text ?? '';
  return { code, gzipBytes: gzipSync(code, { level: 9 }).length };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await mkdir(distDir, { recursive: true });
  for (const [name, script] of [
    ['tracker.js', await buildTracker()],
    ['datalayer.js', await buildDataLayerAddon()],
  ] as const) {
    await writeFile(`${distDir}${name}`, script.code);
    console.log(`tracker/dist/${name}: ${script.code.length} bytes, ${script.gzipBytes} gzipped`);
  }
}
