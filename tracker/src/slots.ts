import { type Emit, MAX_ID, MAX_LABEL, MAX_POSITION, safe, str } from './fields.js';

const SLOT = 'data-kanon-slot';
const ITEM = 'data-kanon-item';
const PROMO = 'data-kanon-promo';

const slotOf = (element: Element) => str(element.closest(`[${SLOT}]`)?.getAttribute(SLOT), MAX_LABEL);

const promoOf = (element: Element) => {
  const promo = str(element.getAttribute(PROMO), MAX_ID);
  return promo ? { promo, slot: slotOf(element) } : undefined;
};

/** Position of the clicked item: 1-based among `[data-kanon-item]`, else among the slot's children. */
function positionIn(slot: Element, target: Element): number | undefined {
  const marked = slot.querySelectorAll(`[${ITEM}]`);
  const items = marked.length ? marked : slot.children;
  for (let i = 0; i < items.length && i < MAX_POSITION; i++) if (items[i]!.contains(target)) return i + 1;
  return undefined;
}

/**
 * Clicks in `[data-kanon-slot]` become `slot_click`; `[data-kanon-promo]` elements send
 * `promo_view` once per page view when at least half visible, and `promo_click`. Promotions added
 * later (carousels, app renders) are picked up by a MutationObserver. Returns a reset for the next
 * page view, which counts promotions still on screen again.
 */
export function trackSlots(emit: Emit): () => void {
  let seen: Record<string, 1> = {};
  const views = new IntersectionObserver(
    safe((entries: IntersectionObserverEntry[]) => {
      for (const entry of entries) {
        // Slightly under 0.5: reported ratios are rounded and may sit just below the threshold.
        const fields = entry.intersectionRatio > 0.49 ? promoOf(entry.target) : undefined;
        const key = fields && `${fields.promo} ${fields.slot}`;
        if (fields && key && !seen[key]) {
          seen[key] = 1;
          emit({ type: 'promo_view', ...fields });
        }
      }
    }),
    { threshold: 0.5 },
  );
  // Observing an element twice is a no-op, so a rescan only adds the new ones.
  const observe = safe(() => {
    for (const element of document.querySelectorAll(`[${PROMO}]`)) views.observe(element);
  });
  new MutationObserver(observe).observe(document.documentElement, { childList: true, subtree: true });
  observe();

  document.addEventListener(
    'click',
    safe((event: Event) => {
      const target = event.target;
      if (!(target instanceof Element)) return;
      const promoElement = target.closest(`[${PROMO}]`);
      const promo = promoElement && promoOf(promoElement);
      if (promo) emit({ type: 'promo_click', ...promo });
      const slotElement = target.closest(`[${SLOT}]`);
      const slot = slotElement && slotOf(slotElement);
      if (slot) emit({ type: 'slot_click', slot, position: positionIn(slotElement, target) });
    }),
    // Capture phase: a page that stops propagation of its clicks still has them counted.
    true,
  );

  return () => {
    seen = {};
    views.disconnect();
    observe();
  };
}
