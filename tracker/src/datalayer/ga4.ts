import { toEvent } from '../commerce.js';
import { int, MAX_ID, MAX_ITEMS, MAX_LABEL, MAX_POSITION, num, str, type TrackerEvent } from '../fields.js';

type Params = Record<string, unknown>;

/**
 * Positions remembered from `view_item_list`, keyed by list and item id, for a `select_item` that
 * names its item but not its index. Held in the page's memory only, like everything else.
 */
export type ListPositions = Map<string, number>;

/** Enough for a page's lists; a page that shows more starts again rather than growing. */
const MAX_REMEMBERED = 1000;

const itemsOf = (params: Params): Params[] =>
  Array.isArray(params.items) ? params.items.slice(0, MAX_ITEMS).map((item) => Object(item)) : [];

/**
 * A GA4 item as Kanon's: id, first category, price and quantity. Every other field of a GA4 item
 * (item_name, item_brand, item_variant, coupon, affiliation, discount, ...) is left behind here,
 * so nothing outside Kanon's vocabulary can reach a beacon whatever the data layer holds.
 */
const toItem = (item: Params) => ({
  id: item.item_id,
  category: item.item_category,
  price: item.price,
  quantity: item.quantity,
});

/** The goods' value from the items, for an order pushed without `value`; undefined if a price is missing. */
function itemsValue(items: Params[]): number | undefined {
  let cents = 0;
  for (const item of items) {
    const price = num(item.price, 1e9);
    if (price === undefined) return undefined;
    cents += Math.round(price * 100) * (int(item.quantity, 1, 1e4) ?? 1);
  }
  return items.length ? cents / 100 : undefined;
}

/** GA4: an item-level list or promotion field wins over the event-level one. */
const either = (item: Params, params: Params, key: string) => item[key] ?? params[key];
const listOf = (item: Params, params: Params) =>
  str(either(item, params, 'item_list_id') ?? either(item, params, 'item_list_name'), MAX_LABEL);

/** GA4's `index` counts from 0; Kanon's `position` from 1. */
const positionOf = (item: Params) => {
  const index = int(item.index, 0, MAX_POSITION - 1);
  return index === undefined ? undefined : index + 1;
};

function promotions(type: 'promo_view' | 'promo_click', params: Params): TrackerEvent[] {
  const events: TrackerEvent[] = [];
  const seen: Record<string, 1> = {};
  const items = itemsOf(params);
  for (const item of items.length ? items : [{}]) {
    const promo = str(either(item, params, 'promotion_id') ?? either(item, params, 'promotion_name'), MAX_ID);
    const slot = str(either(item, params, 'creative_slot'), MAX_LABEL);
    const key = `${promo}\n${slot}`;
    if (promo && !seen[key]) {
      seen[key] = 1;
      events.push({ type, promo, slot });
    }
  }
  return events;
}

/**
 * Maps one GA4 recommended e-commerce event (name and parameters, as gtag() or Google Tag Manager
 * pushes it) to Kanon's beacon events. Only the fields of Kanon's vocabulary are read; everything
 * else of the push (user_id, user_data, transaction_id, coupon, shipping, tax, item names) is
 * never looked at. Events Kanon has no counterpart for map to nothing.
 */
export function toKanonEvents(name: unknown, raw: unknown, lists: ListPositions): TrackerEvent[] {
  const params: Params = Object(raw);
  const items = itemsOf(params);
  const events: (TrackerEvent | undefined)[] = [];
  switch (name) {
    case 'view_item':
      // A quantity is no part of a product view (the core tag's shape would carry it along).
      for (const item of items)
        events.push(toEvent('product_view', { ...toItem(item), quantity: undefined }));
      break;
    case 'add_to_cart':
    case 'remove_from_cart':
      for (const item of items) events.push(toEvent(name, toItem(item)));
      break;
    case 'begin_checkout':
    case 'purchase':
      events.push(
        toEvent(name === 'purchase' ? name : 'checkout', {
          value: params.value ?? itemsValue(items),
          currency: params.currency,
          items: items.map(toItem),
        }),
      );
      break;
    case 'search':
      events.push(toEvent('search', { query: params.search_term }));
      break;
    case 'view_item_list': {
      // Kanon counts clicks in a list, not its impressions: the list is only remembered.
      if (lists.size > MAX_REMEMBERED) lists.clear();
      items.forEach((item, order) => {
        const list = listOf(item, params);
        const id = str(item.item_id, MAX_ID);
        if (list && id) lists.set(`${list}\n${id}`, positionOf(item) ?? order + 1);
      });
      break;
    }
    case 'select_item': {
      const item = items[0] ?? {};
      const slot = listOf(item, params);
      const position = positionOf(item) ?? lists.get(`${slot}\n${str(item.item_id, MAX_ID)}`);
      if (slot) events.push({ type: 'slot_click', slot, position });
      break;
    }
    case 'view_promotion':
      return promotions('promo_view', params);
    case 'select_promotion':
      return promotions('promo_click', params);
  }
  return events.filter((event): event is TrackerEvent => event !== undefined);
}
