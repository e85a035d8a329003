import {
  type Emit,
  int,
  MAX_ID,
  MAX_ITEMS,
  MAX_LABEL,
  MAX_PRICE,
  MAX_QUANTITY,
  MAX_QUERY,
  MAX_RESULTS,
  num,
  safe,
  str,
  type TrackerEvent,
} from './fields.js';

type Args = Record<string, unknown>;

const toProduct = (data: Args) => {
  const id = str(data.id, MAX_ID);
  return id ? { id, category: str(data.category, MAX_LABEL), price: num(data.price, MAX_PRICE) } : undefined;
};

const toItem = (value: unknown) => {
  const data: Args = Object(value);
  const product = toProduct(data);
  return product && { ...product, quantity: int(data.quantity, 1, MAX_QUANTITY) };
};

/**
 * Maps a `kanon(name, data)` call to a beacon event, or to undefined when the name is unknown or a
 * required field is missing. Fields the schema would refuse are cut or left out here, so that one
 * bad call cannot make the collector refuse the whole batch it travels in.
 */
export function toEvent(name: unknown, data: Args): TrackerEvent | undefined {
  switch (name) {
    case 'product_view':
    case 'add_to_cart':
    case 'remove_from_cart': {
      // zod drops the quantity of a product_view, so one shape serves all three.
      const product = toProduct(data);
      return product && { type: name, product, quantity: int(data.quantity, 1, MAX_QUANTITY) };
    }
    case 'checkout':
    case 'purchase': {
      const value = num(data.value, MAX_PRICE);
      const currency =
        typeof data.currency === 'string' && /^[a-z]{3}$/i.test(data.currency)
          ? data.currency.toUpperCase()
          : undefined;
      const items = Array.isArray(data.items)
        ? data.items
            .map(toItem)
            .filter((item) => item !== undefined)
            .slice(0, MAX_ITEMS)
        : undefined;
      if (name === 'checkout') return { type: name, value, currency, items };
      // A purchase without its value, currency or any valid item is refused by the schema.
      return value !== undefined && currency && items?.length
        ? { type: name, value, currency, items }
        : undefined;
    }
    case 'search': {
      const query = str(data.query, MAX_QUERY);
      return query ? { type: name, query, results: int(data.results, 0, MAX_RESULTS) } : undefined;
    }
  }
  return undefined;
}

/** The `kanon()` function shops call. Unknown calls and bad data are ignored, never thrown. */
export const createApi = (emit: Emit) =>
  safe((name: unknown, data?: unknown) => {
    const event = toEvent(name, Object(data));
    if (event) emit(event);
  });
