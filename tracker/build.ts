import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('./src/index.ts', import.meta.url));
const tsconfig = fileURLToPath(new URL('./tsconfig.json', import.meta.url));
const distDir = fileURLToPath(new URL('./dist/', import.meta.url));

/**
 * Bundles and minifies the storefront tracker into one classic script (an IIFE: it must work as a
 * plain `<script defer>` on any shop) and measures it gzipped, as a CDN would serve it.
 */
export async function buildTracker(): Promise<{ code: string; gzipBytes: number }> {
  const result = await build({
    entryPoints: [entry],
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
  const { code, gzipBytes } = await buildTracker();
  await mkdir(distDir, { recursive: true });
  await writeFile(`${distDir}tracker.js`, code);
  console.log(`tracker/dist/tracker.js: ${code.length} bytes, ${gzipBytes} gzipped`);
}
