import { SITE_ID } from '../../core/sites.js';
import { createApi } from './commerce.js';
import { type Emit, pageFields, safe } from './fields.js';
import { trackPageViews } from './page-views.js';
import { createQueue } from './queue.js';
import { trackScrollDepth } from './scroll-depth.js';
import { trackSlots } from './slots.js';

/** `window.kanon`: the queueing stub from the page's snippet, or the loaded tracker (`l`). */
interface Kanon {
  (name?: unknown, data?: unknown): void;
  q?: ArrayLike<unknown>[];
  l?: 1;
}

declare global {
  interface Window {
    kanon?: Kanon;
    doNotTrack?: string | null;
  }
  interface Navigator {
    globalPrivacyControl?: boolean;
  }
}

/**
 * The storefront tracker, installed by one tag:
 * `<script defer src="https://collector.example/tracker.js" data-site="shop-eu"></script>`.
 * Beacons go to `/e` on the origin the script came from. It keeps no state outside this page
 * view's memory: no cookies, no storage, no fingerprint. It reads one flag, which the opt-out
 * control on the shop's privacy page writes (queue.ts).
 */
function start(): void {
  const stub = window.kanon;
  if (stub?.l) return; // The tag is on the page twice; count once.
  const script = document.currentScript;
  const site = script?.getAttribute('data-site') ?? '';
  const signal = navigator.globalPrivacyControl || navigator.doNotTrack === '1' || window.doNotTrack === '1';
  if (signal || !(script instanceof HTMLScriptElement) || !SITE_ID.test(site)) {
    // Invariant 7, enforced in the page too: an opted-out shopper's browser sends nothing at all.
    window.kanon = Object.assign(() => {}, { l: 1 as const });
    return;
  }

  const queue = createQueue(new URL('/e', script.src).href, site);
  const emit: Emit = (event) => queue.push({ ...pageFields(), ...event });
  const resetScroll = trackScrollDepth(emit);
  const resetSlots = trackSlots(emit);
  trackPageViews(emit, () => {
    resetScroll();
    resetSlots();
  });

  const api = createApi(emit);
  window.kanon = Object.assign(api, { l: 1 as const });
  for (const args of stub?.q ?? []) api(args[0], args[1]);

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') queue.flush();
  });
  addEventListener('pagehide', queue.flush);
}

safe(start)();
