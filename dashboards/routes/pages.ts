import type { FastifyInstance } from 'fastify';
import { escapeHtml } from '../../core/http/escape-html.js';
import type { Role } from '../auth/roles.js';
import { FAVICON } from '../web/assets.js';
import type { WebBundle } from '../web/build.js';

/** Page paths of the single-page UI and the role each needs; the server checks before serving. */
export const PAGES: readonly { path: string; role: Role }[] = [
  { path: '/', role: 'viewer' },
  { path: '/insights', role: 'viewer' },
  { path: '/products', role: 'viewer' },
  { path: '/layout', role: 'viewer' },
  { path: '/promotions', role: 'viewer' },
  { path: '/funnel', role: 'viewer' },
  { path: '/sql', role: 'analyst' },
  { path: '/admin', role: 'admin' },
  { path: '/audit', role: 'admin' },
];

export function shellHtml(bundle: WebBundle, title = 'Kanon'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.${bundle.hash}.css">
<script type="module" src="/assets/app.${bundle.hash}.js"></script>
</head>
<body>
<div id="app"><div class="boot">Loading Kanon…</div></div>
<noscript>Kanon's dashboards need JavaScript.</noscript>
</body>
</html>`;
}

export function forbiddenHtml(bundle: WebBundle, role: Role): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not available · Kanon</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.${bundle.hash}.css">
</head>
<body>
<main class="standalone"><div class="card message">
<h1>This page is not available to you</h1>
<p>It needs the <strong>${escapeHtml(role)}</strong> role. Ask an admin if your work needs it.</p>
<p><a class="button" href="/">Back to the dashboards</a></p>
</div></main>
</body>
</html>`;
}

export function registerPageRoutes(app: FastifyInstance, bundle: WebBundle): void {
  const shell = shellHtml(bundle);
  const html = (body: string) => ({ body, type: 'text/html; charset=utf-8' });
  for (const page of PAGES) {
    app.get(page.path, { config: { access: page.role, page: true } }, async (_request, reply) => {
      const { body, type } = html(shell);
      return reply.header('Cache-Control', 'no-store').type(type).send(body);
    });
  }
  app.get('/login', { config: { access: 'public', page: true } }, async (request, reply) => {
    if (request.session) return reply.redirect('/', 302);
    return reply
      .header('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(shellHtml(bundle, 'Sign in · Kanon'));
  });

  // A Map, not an object literal: a name the client picks must not find an Object.prototype
  // property (constructor, __proto__, toString), which answered 500 with an error-level log line.
  const assets = new Map<string, { body: string; type: string }>([
    [`app.${bundle.hash}.js`, { body: bundle.js, type: 'text/javascript; charset=utf-8' }],
    [`app.${bundle.hash}.css`, { body: bundle.css, type: 'text/css; charset=utf-8' }],
    ['favicon.svg', { body: FAVICON, type: 'image/svg+xml' }],
  ]);
  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { config: { access: 'public' } },
    async (request, reply) => {
      const asset = assets.get(request.params.file);
      if (!asset) return reply.callNotFound();
      const immutable = request.params.file.includes(bundle.hash);
      return reply
        .header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600')
        .type(asset.type)
        .send(asset.body);
    },
  );
}
