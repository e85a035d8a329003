import { readFileSync } from 'node:fs';

/**
 * A stand-in for Shopify's pixel manager, for browser tests of integrations/shopify/custom-pixel.js.
 * As on a Shopify store, a custom pixel runs in a hidden iframe with `sandbox="allow-scripts
 * allow-forms"` served from the shop's own host (its origin is opaque, so its requests say
 * `Origin: null`), with the globals `analytics`, `browser`, `init` and `customerPrivacy`. The top
 * page (the storefront) snapshots its document, navigator and window into each event's `context`
 * and posts the event into the frame; events published before the pixel subscribed are replayed
 * to it, as Shopify does. Payloads follow Shopify's Web Pixels API reference (standard events).
 */

const PIXEL_PATH = new URL('../../integrations/shopify/custom-pixel.js', import.meta.url);

/** The pixel as a shop would paste it, with the two settings a shop fills in. */
export function pixelCode(collector: string, site: string): string {
  const code = readFileSync(PIXEL_PATH, 'utf8');
  const configured = code
    .replace(/^const KANON_COLLECTOR = '[^']*';/m, `const KANON_COLLECTOR = '${collector}';`)
    .replace(/^const KANON_SITE = '[^']*';/m, `const KANON_SITE = '${site}';`);
  if (!configured.includes(collector) || !configured.includes(`'${site}'`)) {
    throw new Error('custom-pixel.js no longer opens with the KANON_COLLECTOR and KANON_SITE lines');
  }
  return configured;
}

/** A JSON value inside a <script>: no `</script>` or `<!--` can end or bend it. */
const inScript = (value: unknown) => JSON.stringify(value).replaceAll('<', '\\u003c');

/** The sandboxed frame's page: Shopify's globals, then the pixel's code once `init` has arrived. */
export function sandboxPage(code: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><script>
const handlers = {};
const published = [];
const consentHandlers = [];
self.analytics = {
  subscribe(name, callback) {
    (handlers[name] = handlers[name] || []).push(callback);
    for (const event of published) if (event.name === name) callback(event);
  },
};
// browser.localStorage runs in the top frame, as Shopify's does: asked and answered by message.
let asks = 0;
const answers = {};
const ask = (op, key, value) => new Promise((resolve) => {
  answers[++asks] = resolve;
  parent.postMessage({ kind: 'storage', id: asks, op, key, value }, '*');
});
const store = () => ({ getItem: (key) => ask('getItem', key), setItem: (key, value) => ask('setItem', key, value), removeItem: (key) => ask('removeItem', key), key: async () => null, length: async () => 0, clear: async () => {} });
self.browser = { cookie: { get: async () => '', set: async () => {} }, localStorage: store(), sessionStorage: store() };
self.customerPrivacy = { subscribe: async (name, callback) => { if (name === 'visitorConsentCollected') consentHandlers.push(callback); } };
addEventListener('message', (message) => {
  const { kind } = message.data || {};
  if (kind === 'init') {
    self.init = message.data.init;
    const pixel = document.createElement('script');
    pixel.textContent = ${inScript(code)};
    document.head.append(pixel);
    parent.postMessage({ kind: 'ready' }, '*');
  } else if (kind === 'event') {
    published.push(message.data.event);
    for (const callback of handlers[message.data.event.name] || []) callback(message.data.event);
    parent.postMessage({ kind: 'delivered', seq: message.data.event.seq }, '*');
  } else if (kind === 'storage-answer') {
    answers[message.data.id](message.data.value);
  } else if (kind === 'consent') {
    for (const callback of consentHandlers) callback({ customerPrivacy: message.data.customerPrivacy });
  }
});
</script></head><body></body></html>`;
}

export interface StorefrontOptions {
  /** Where the sandbox page is served, on the shop's own host. */
  sandboxPath: string;
  /** The standard events this page publishes once it has loaded, after its page_viewed. */
  events?: { name: string; data: unknown }[];
  /** init.customerPrivacy; all allowed unless given. */
  customerPrivacy?: Partial<CustomerPrivacy>;
}

export interface CustomerPrivacy {
  analyticsProcessingAllowed: boolean;
  marketingAllowed: boolean;
  preferencesProcessingAllowed: boolean;
  saleOfDataAllowed: boolean;
}

/**
 * A storefront page: it loads the pixel's sandbox, sends it `init` (with the logged-in customer
 * and cart Shopify includes there), then publishes page_viewed and the page's events. The test can
 * publish more with `window.shopifyPublish(name, data)`, change consent with
 * `window.shopifyConsent(customerPrivacy)`, and wait with `window.shopifySettled()` until the pixel
 * has been handed every event so far (before navigating away, as a shopper who stays a moment).
 */
export function storefrontPage(options: StorefrontOptions): string {
  const privacy: CustomerPrivacy = {
    analyticsProcessingAllowed: true,
    marketingAllowed: true,
    preferencesProcessingAllowed: true,
    saleOfDataAllowed: true,
    ...options.customerPrivacy,
  };
  return `<!doctype html><html><head><meta charset="utf-8"><title>Kanon Coffee</title></head><body>
<h1>Kanon Coffee</h1>
<script>
const location_ = () => { const l = location; return { hash: l.hash, host: l.host, hostname: l.hostname, href: l.href, origin: l.origin, pathname: l.pathname, port: l.port, protocol: l.protocol, search: l.search }; };
const context = () => ({
  document: { characterSet: document.characterSet, location: location_(), referrer: document.referrer, title: document.title },
  navigator: { cookieEnabled: navigator.cookieEnabled, language: navigator.language, languages: [...navigator.languages], userAgent: navigator.userAgent },
  window: { innerHeight, innerWidth, location: location_(), origin: location.origin, outerHeight, outerWidth, pageXOffset, pageYOffset, scrollX, scrollY, screenX, screenY, screen: { height: screen.height, width: screen.width } },
});
const frame = document.createElement('iframe');
frame.setAttribute('sandbox', 'allow-scripts allow-forms');
frame.style.display = 'none';
frame.src = ${inScript(options.sandboxPath)};
let seq = 0;
let ready;
const loaded = new Promise((resolve) => { ready = resolve; });
let delivered = -1;
addEventListener('message', (message) => {
  if (message.source !== frame.contentWindow) return;
  if (message.data?.kind === 'ready') ready();
  if (message.data?.kind === 'delivered') delivered = message.data.seq;
  if (message.data?.kind === 'storage') {
    const { id, op, key, value } = message.data;
    const answer = localStorage[op](key, value);
    frame.contentWindow.postMessage({ kind: 'storage-answer', id, value: answer ?? null }, '*');
  }
});
/** Resolves once the pixel has been handed every event published so far. */
window.shopifySettled = () => new Promise((resolve) => {
  const check = () => (delivered >= seq - 1 ? resolve() : setTimeout(check, 10));
  check();
});
// The sequence number is taken at once, so shopifySettled() waits for an event published before
// the frame was ready too.
window.shopifyPublish = async (name, data) => {
  const number = seq++;
  await loaded;
  frame.contentWindow.postMessage({ kind: 'event', event: {
    id: 'sh-' + Math.random().toString(16).slice(2), clientId: 'MARK_client_id_MARK', name, seq: number,
    timestamp: new Date().toISOString(), type: 'standard', context: context(), data,
  } }, '*');
};
window.shopifyConsent = async (customerPrivacy) => {
  await loaded;
  frame.contentWindow.postMessage({ kind: 'consent', customerPrivacy }, '*');
};
frame.addEventListener('load', () => {
  frame.contentWindow.postMessage({ kind: 'init', init: {
    context: context(),
    data: {
      customer: { id: 'MARK_customer_id_MARK', email: 'MARK_email_MARK', firstName: 'MARK_first_MARK', lastName: 'MARK_last_MARK', phone: 'MARK_phone_MARK', ordersCount: 3 },
      cart: null,
      shop: { name: 'Kanon Coffee', countryCode: 'DE', myshopifyDomain: 'kanon-coffee.myshopify.com', storefrontUrl: location.origin, paymentSettings: { currencyCode: 'EUR' } },
    },
    customerPrivacy: ${inScript(privacy)},
  } }, '*');
}, { once: true });
document.body.append(frame);
window.shopifyPublish('page_viewed', {});
for (const { name, data } of ${inScript(options.events ?? [])}) window.shopifyPublish(name, data);
</script></body></html>`;
}

const money = (amount: number) => ({ amount, currencyCode: 'EUR' });

/** A ProductVariant as Shopify documents it; `product.id` is what Kanon counts by default. */
export function productVariant(product: { id: string; type: string; price: number; variant?: string }) {
  return {
    id: product.variant ?? `${product.id}01`,
    image: { src: `//cdn.shopify.example/${product.id}.jpg` },
    price: money(product.price),
    product: {
      id: product.id,
      title: `MARK_title_${product.id}_MARK`,
      type: product.type,
      untranslatedTitle: 'MARK_untranslated_MARK',
      url: `/products/${product.id}`,
      vendor: 'MARK_vendor_MARK',
    },
    sku: `SKU-${product.id}`,
    title: 'MARK_variant_title_MARK',
    untranslatedTitle: 'MARK_variant_untranslated_MARK',
  };
}

type Variant = ReturnType<typeof productVariant>;

export const productViewed = (variant: Variant) => ({
  name: 'product_viewed',
  data: { productVariant: variant },
});

export const collectionViewed = (variants: Variant[]) => ({
  name: 'collection_viewed',
  data: { collection: { id: '4410', title: 'Coffee', productVariants: variants } },
});

export const searchSubmitted = (query: string, variants: Variant[]) => ({
  name: 'search_submitted',
  data: { searchResult: { query, productVariants: variants } },
});

export const productAddedToCart = (variant: Variant, quantity: number) => ({
  name: 'product_added_to_cart',
  data: {
    cartLine: {
      cost: { totalAmount: money(variant.price.amount * quantity) },
      merchandise: variant,
      quantity,
    },
  },
});

const address = {
  address1: 'MARK_address1_MARK',
  address2: null,
  city: 'MARK_city_MARK',
  country: 'Germany',
  countryCode: 'DE',
  firstName: 'MARK_ship_first_MARK',
  lastName: 'MARK_ship_last_MARK',
  phone: 'MARK_ship_phone_MARK',
  province: null,
  provinceCode: null,
  zip: 'MARK_zip_MARK',
};

/** A Checkout as checkout_started and checkout_completed carry it, personal data and all. */
export function checkout(
  lines: { variant: Variant; quantity: number }[],
  options: { completed?: boolean } = {},
) {
  const subtotal = lines.reduce((sum, line) => sum + line.variant.price.amount * line.quantity, 0);
  return {
    attributes: [{ key: 'gift_note', value: 'MARK_attribute_MARK' }],
    billingAddress: address,
    buyerAcceptsEmailMarketing: false,
    buyerAcceptsSmsMarketing: false,
    currencyCode: 'EUR',
    delivery: null,
    discountApplications: [
      {
        allocationMethod: 'ACROSS',
        targetSelection: 'ALL',
        targetType: 'LINE_ITEM',
        title: 'MARK_discount_MARK',
        type: 'DISCOUNT_CODE',
        value: money(0),
      },
    ],
    discountsAmount: money(0),
    email: 'MARK_checkout_email_MARK',
    lineItems: lines.map((line, index) => ({
      discountAllocations: [],
      finalLinePrice: money(line.variant.price.amount * line.quantity),
      id: `MARK_line_id_${index}_MARK`,
      properties: [{ key: 'engraving', value: 'MARK_engraving_MARK' }],
      quantity: line.quantity,
      sellingPlanAllocation: null,
      title: 'MARK_line_title_MARK',
      variant: line.variant,
    })),
    localization: {
      country: { isoCode: 'DE' },
      language: { isoCode: 'de' },
      market: { id: '1', handle: 'de' },
    },
    order: options.completed
      ? { id: 'MARK_order_id_MARK', customer: { id: 'MARK_order_customer_MARK', isFirstOrder: true } }
      : null,
    phone: 'MARK_checkout_phone_MARK',
    shippingAddress: address,
    shippingLine: { price: money(4.9) },
    smsMarketingPhone: 'MARK_sms_phone_MARK',
    subtotalPrice: money(subtotal),
    token: 'MARK_checkout_token_MARK',
    totalPrice: money(subtotal + 4.9),
    totalTax: money(Math.round(subtotal * 19) / 100),
    transactions: options.completed
      ? [
          {
            amount: money(subtotal + 4.9),
            gateway: 'shopify_payments',
            paymentMethod: { name: 'MARK_card_MARK', type: 'creditCard' },
          },
        ]
      : [],
  };
}

export const checkoutStarted = (lines: { variant: Variant; quantity: number }[]) => ({
  name: 'checkout_started',
  data: { checkout: checkout(lines) },
});

export const checkoutCompleted = (lines: { variant: Variant; quantity: number }[]) => ({
  name: 'checkout_completed',
  data: { checkout: checkout(lines, { completed: true }) },
});
