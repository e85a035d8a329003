// Kanon's Shopify Custom Pixel: paste this file into Settings → Customer events → Add custom pixel,
// then set the two lines below. docs/integrations/shopify.md has the steps.
const KANON_COLLECTOR = 'https://collector.example'; // where Kanon's collector listens (tracker.js's origin)
const KANON_SITE = 'shop-eu'; // this shop's site id in KANON_SITES, which must list `null` too
const KANON_PRODUCT_ID = 'product'; // what identifies a product in Kanon: 'product', 'variant' or 'sku'

// Shopify runs this in a sandboxed frame: no access to the shop's page, its DOM or its cookies.
// Each standard event below becomes one of Kanon's events, built from the few fields Kanon's
// vocabulary has (docs/events.md): the page's URL and referrer, a product's id, type and price, a
// quantity, an order's goods value and currency, a search term. Nothing else of an event is read,
// so the shopper's e-mail, phone, addresses, customer and order ids, checkout token, discount
// codes and Shopify's client id never leave the browser. Nothing is stored; events wait in memory
// for at most a second and are sent to KANON_COLLECTOR/e.
(() => {
  // The collector refuses a whole batch when one event breaks a limit: cut everything to them.
  const MAX = {
    url: 2048,
    id: 64,
    label: 64,
    query: 200,
    items: 50,
    price: 1e9,
    quantity: 1e4,
    results: 1e6,
  };
  const FLUSH_AT = 10;
  const FLUSH_AFTER_MS = 1000;

  const str = (value, max) =>
    (typeof value === 'string' || typeof value === 'number' ? String(value).trim().slice(0, max) : '') ||
    undefined;
  const num = (value, max) => {
    const n = typeof value === 'string' && value.trim() ? +value : value;
    return typeof n === 'number' && n >= 0 && n <= max ? n : undefined;
  };
  const int = (value, min, max) => {
    const n = num(value, max);
    return n !== undefined && n >= min && n % 1 === 0 ? n : undefined;
  };
  const currencyOf = (code) =>
    typeof code === 'string' && /^[A-Za-z]{3}$/.test(code) ? code.toUpperCase() : undefined;

  // Opt-outs: a browser's Global Privacy Control or Do Not Track, a shopper who declined analytics
  // in the shop's cookie banner (Shopify's customer privacy API), and Kanon's own opt-out control
  // (below) mean nothing is sent.
  const nav = self.navigator || {};
  const optedOut = nav.globalPrivacyControl === true || nav.doNotTrack === '1';
  let allowed = !(typeof init === 'object' && init?.customerPrivacy?.analyticsProcessingAllowed === false);
  if (typeof customerPrivacy === 'object' && customerPrivacy?.subscribe) {
    customerPrivacy.subscribe('visitorConsentCollected', (event) => {
      allowed = event?.customerPrivacy?.analyticsProcessingAllowed !== false;
    });
  }

  // The opt-out control on the shop's privacy page (docs/privacy-notice.md) keeps `kanon_opt_out`
  // in the shop's local storage. Shopify's `browser.localStorage` reads it in the shop's page,
  // asynchronously: it is read again with each event, and nothing goes out before the first answer.
  // Storage that cannot be read counts as opted out, as in tracker.js.
  let flagged;
  const readFlag = () => {
    if (typeof browser !== 'object' || !browser?.localStorage?.getItem) flagged = false;
    else
      Promise.resolve(browser.localStorage.getItem('kanon_opt_out')).then(
        (value) => {
          flagged = Boolean(value);
        },
        () => {
          flagged = true;
        },
      );
  };
  readFlag();

  let queue = [];
  let timer;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (flagged === undefined && queue.length) {
      timer = setTimeout(flush, FLUSH_AFTER_MS);
      return;
    }
    const events = queue;
    queue = [];
    if (!events.length || !allowed || optedOut || flagged) return;
    // The frame's origin is opaque, so the browser sends `Origin: null`; the collector takes it
    // for sites that list `null`, and only for events whose page is on the site's origins.
    fetch(`${KANON_COLLECTOR}/e`, {
      method: 'POST',
      body: JSON.stringify({ site: KANON_SITE, events }),
      keepalive: true,
      credentials: 'omit',
    }).catch(() => {});
  };
  const send = (event) => {
    if (!allowed || optedOut) return;
    readFlag();
    queue.push(event);
    if (queue.length >= FLUSH_AT) flush();
    else timer = timer || setTimeout(flush, FLUSH_AFTER_MS);
  };
  self.addEventListener('pagehide', flush);
  self.addEventListener('visibilitychange', () => {
    if (self.document?.visibilityState === 'hidden') flush();
  });

  /** A checkout's path carries its token: every segment after `checkouts` that is not a step name. */
  const pageUrl = (location) => {
    let afterCheckouts = false;
    const path = String(location.pathname || '/')
      .split('/')
      .map((segment) => {
        const keep = !afterCheckouts || /^[a-z_-]{1,20}$/.test(segment) || segment === '';
        afterCheckouts = afterCheckouts || segment === 'checkouts';
        return keep ? segment : ':token';
      })
      .join('/');
    return `${location.origin}${path}${location.search || ''}`.slice(0, MAX.url);
  };

  /** Shopify's storefront URLs say what a page is (an optional /fr-ca/ locale prefix aside). */
  const pageTypeOf = (pathname) => {
    const path = String(pathname || '/').replace(/^\/[a-z]{2}(-[a-z]{2})?(?=\/|$)/i, '') || '/';
    if (path === '/') return 'home';
    if (/\/products\//.test(path)) return 'product';
    if (/^\/collections(\/|$)/.test(path)) return 'category';
    if (/^\/search(\/|$)/.test(path)) return 'search';
    if (/^\/cart(\/|$)/.test(path)) return 'cart';
    if (/\/checkouts?(\/|$)/.test(path)) return 'checkout';
    return 'other';
  };

  // What a page's own event says it is (a collection at /pages/coffee) wins over its address.
  let marked = { url: '', type: '' };
  const mark = (event, type) => {
    const url = pageFields(event).url;
    marked = { url, type };
    for (const queued of queue) if (queued.url === url) queued.page_type = type;
  };

  /** The fields every event carries, from the top frame's snapshot Shopify gives each event. */
  const pageFields = (event) => {
    const context = event?.context || {};
    const location = context.document?.location || {};
    const url = pageUrl(location);
    return {
      url,
      page_type: marked.url === url ? marked.type : pageTypeOf(location.pathname),
      viewport: int(context.window?.innerWidth, 0, 100000),
      webdriver: nav.webdriver === true || undefined,
    };
  };

  const productOf = (variant) => {
    const v = variant || {};
    const product = v.product || {};
    const id = str(
      KANON_PRODUCT_ID === 'variant' ? v.id : KANON_PRODUCT_ID === 'sku' ? v.sku : product.id,
      MAX.id,
    );
    if (!id) return undefined;
    return { id, category: str(product.type, MAX.label), price: num(v.price?.amount, MAX.price) };
  };

  const itemsOf = (checkout) =>
    (Array.isArray(checkout.lineItems) ? checkout.lineItems : [])
      .map((line) => {
        const product = productOf(line?.variant);
        return product && { ...product, quantity: int(line.quantity, 1, MAX.quantity) };
      })
      .filter(Boolean)
      .slice(0, MAX.items);

  /** The goods' value: the subtotal (after discounts, before shipping and taxes), as Kanon counts revenue. */
  const order = (type, event) => {
    const checkout = event.data?.checkout || {};
    const money = checkout.subtotalPrice || checkout.totalPrice || {};
    const value = num(money.amount, MAX.price);
    const currency = currencyOf(checkout.currencyCode || money.currencyCode);
    const items = itemsOf(checkout);
    // The collector refuses a purchase without its value, currency or an item (and its batch with it).
    if (type === 'purchase' && (value === undefined || !currency || !items.length)) return;
    send({ ...pageFields(event), type, value, currency, items });
  };

  const on = (name, handle) =>
    analytics.subscribe(name, (event) => {
      try {
        handle(event || {});
      } catch (_error) {
        // A broken event is dropped, never thrown into Shopify's pixel manager.
      }
    });

  on('page_viewed', (event) => {
    const referrer = event.context?.document?.referrer;
    send({ ...pageFields(event), type: 'pageview', referrer: str(referrer, MAX.url) || '' });
  });
  on('product_viewed', (event) => {
    mark(event, 'product');
    const product = productOf(event.data?.productVariant);
    if (product) send({ ...pageFields(event), type: 'product_view', product });
  });
  // A collection page is counted by its pageview, as a `category` page; Kanon counts no list
  // impressions.
  on('collection_viewed', (event) => mark(event, 'category'));
  on('search_submitted', (event) => {
    mark(event, 'search');
    const result = event.data?.searchResult || {};
    const query = str(result.query, MAX.query);
    const found = Array.isArray(result.productVariants) ? result.productVariants.length : undefined;
    if (query) send({ ...pageFields(event), type: 'search', query, results: int(found, 0, MAX.results) });
  });
  on('product_added_to_cart', (event) => {
    const line = event.data?.cartLine || {};
    const product = productOf(line.merchandise);
    if (product)
      send({
        ...pageFields(event),
        type: 'add_to_cart',
        product,
        quantity: int(line.quantity, 1, MAX.quantity),
      });
  });
  on('checkout_started', (event) => order('checkout', event));
  on('checkout_completed', (event) => order('purchase', event));
})();
