import { SITE_ID } from '../../../core/sites.js';
import { pageFields, safe } from '../fields.js';
import { createQueue } from '../queue.js';
import { type ListPositions, toKanonEvents } from './ga4.js';

type Layer = unknown[] & { push: (...entries: unknown[]) => number; kanon?: 1 };

/**
 * The GA4 data layer add-on, a script of its own so the core tag stays under 2 KB gzipped:
 * `<script defer src="https://collector.example/datalayer.js" data-site="shop-eu"></script>`
 * next to tracker.js. It reads GA4's recommended e-commerce events from `window.dataLayer` (or the
 * layer `data-layer` names), those pushed before it loaded and every push after, and sends Kanon's
 * events for them to `/e`, batched like the core tag's. Page views, scrolling and slots stay the
 * core tag's job.
 */
function start(): void {
  const script = document.currentScript;
  if (!(script instanceof HTMLScriptElement)) return;
  const site =
    script.getAttribute('data-site') ??
    document.querySelector('script[data-site]')?.getAttribute('data-site') ??
    '';
  // Invariant 7 in the page, as in the core tag: an opted-out shopper's browser sends nothing.
  if (
    navigator.globalPrivacyControl === true ||
    navigator.doNotTrack === '1' ||
    window.doNotTrack === '1' ||
    !SITE_ID.test(site)
  )
    return;
  const name = script.getAttribute('data-layer') || 'dataLayer';
  const scope = window as unknown as Record<string, unknown>;
  scope[name] = scope[name] || [];
  const layer = scope[name] as Layer;
  // Not a data layer, or this add-on is on the page twice: count once. The mark is on the layer,
  // not on push, which Tag Manager wraps again when it loads after this.
  if (!Array.isArray(layer) || layer.kanon) return;
  Object.defineProperty(layer, 'kanon', { value: 1 });

  const queue = createQueue(`${new URL(script.src).origin}/e`, site);
  const lists: ListPositions = new Map();
  const handle = safe((entry: unknown) => {
    const pushed: Record<string, unknown> = Object(entry);
    // gtag('event', name, params) pushes its arguments object; Google Tag Manager pushes
    // {event, ecommerce: {...}}, with other events' parameters (search_term) beside `event`.
    const [event, params] =
      pushed[0] === 'event'
        ? [pushed[1], pushed[2]]
        : [pushed.event, { ...pushed, ...Object(pushed.ecommerce) }];
    for (const mapped of toKanonEvents(event, params, lists)) queue.push({ ...pageFields(), ...mapped });
  });

  for (const entry of layer.slice()) handle(entry);
  const push = layer.push;
  // Tag Manager wraps push again when it loads later; its wrapper calls this one.
  layer.push = function (this: unknown, ...entries: unknown[]) {
    // The page's own push runs outside `safe`, so its errors reach the page as before.
    const length = push.apply(this, entries);
    for (const entry of entries) handle(entry);
    return length;
  };

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') queue.flush();
  });
  addEventListener('pagehide', queue.flush);
}

safe(start)();
