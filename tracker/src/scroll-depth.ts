import { DEPTHS, type Emit, safe } from './fields.js';

/**
 * Sends `scroll` at 25, 50, 75 and 100 % of the page height, each once per page view; a jump
 * straight to the bottom sends every milestone passed. Returns a reset for the next page view.
 */
export function trackScrollDepth(emit: Emit): () => void {
  let next = 0;
  const onScroll = safe(() => {
    // One pixel of slack: scrollY is fractional on zoomed and high-density screens.
    const seen = ((scrollY + innerHeight + 1) / document.documentElement.scrollHeight) * 100;
    while (next < DEPTHS.length && seen >= DEPTHS[next]!) emit({ type: 'scroll', depth: DEPTHS[next++]! });
  });
  addEventListener('scroll', onScroll, { passive: true });
  return () => {
    next = 0;
  };
}
