import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../core/log.js';
import { buildDashboardsWeb, bundleHash, WEB_DIST, type WebBundle } from './build.js';

const SOURCE = new URL('./src/', import.meta.url);

/** Newest modification time (ms) of the files under a directory, or 0 when it is missing. */
function newest(dir: string): number {
  let latest = 0;
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }
  } catch {
    return 0;
  }
  return latest;
}

/**
 * The web bundle the server serves: the prebuilt one in dashboards/web/dist/ when it is there and
 * not older than the sources next to it (a deployment ships dist/ without sources), else built now
 * with esbuild and saved (a development checkout; about a second).
 */
export async function loadWebBundle(log?: Logger): Promise<WebBundle> {
  const dist = fileURLToPath(WEB_DIST);
  const built = newest(dist);
  if (built > 0 && newest(fileURLToPath(SOURCE)) <= built) {
    const [js, css] = await Promise.all([
      readFile(new URL('app.js', WEB_DIST), 'utf8'),
      readFile(new URL('app.css', WEB_DIST), 'utf8'),
    ]);
    return { js, css, hash: bundleHash(js, css) };
  }
  log?.info('building the dashboards web bundle');
  return buildDashboardsWeb({ write: true });
}

export const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#4f46e5"/><path d="M10 23V9h3.2v5.8L18.6 9h3.9l-6.1 6.6L22.8 23h-4l-4.5-5.4-1.1 1.2V23z" fill="#fff"/></svg>`;
