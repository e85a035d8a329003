import { type Emit, MAX_REFERRER, safe } from './fields.js';

/**
 * Sends a pageview now, and again whenever a single-page app changes the path (pushState,
 * replaceState or popstate); query and hash changes alone are not new pages. A later pageview's
 * referrer is the previous URL. `onNewPage` resets the per-page-view state of other modules.
 */
export function trackPageViews(emit: Emit, onNewPage: () => void): void {
  let href = location.href;
  let path = location.pathname;

  const check = safe(() => {
    const previous = href;
    href = location.href;
    if (location.pathname === path) return;
    path = location.pathname;
    onNewPage();
    emit({ type: 'pageview', referrer: previous.slice(0, MAX_REFERRER) });
  });

  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      // The page's own call runs outside `safe`, so its errors reach the page as before.
      const result = original.apply(this, args);
      check();
      return result;
    };
  }
  addEventListener('popstate', check);
  emit({ type: 'pageview', referrer: document.referrer.slice(0, MAX_REFERRER) });
}
