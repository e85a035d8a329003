import { safe } from './fields.js';

/**
 * A flush starts once this many events wait, so a body never holds more than 10 events: well
 * under the collector's default limit of 50 a request (KANON_MAX_EVENTS_PER_REQUEST).
 */
const FLUSH_AT = 10;
const FLUSH_AFTER_MS = 1000;
/**
 * Bodies are halved until they are under this many characters: at up to three UTF-8 bytes a
 * character that stays under the collector's 64 KiB body limit and the browser's 64 KiB budget
 * for keepalive requests (a purchase of 50 items with long ids and categories comes close).
 */
const MAX_BODY_CHARS = 20_000;

export interface Queue {
  push(event: object): void;
  flush(): void;
}

/**
 * Batches events in memory and posts them as `{"site":…,"events":[…]}`.
 *
 * Transport is `fetch` with `keepalive` (so a flush during pagehide still arrives) and
 * `credentials: 'omit'`. `navigator.sendBeacon` is only the fallback for browsers whose fetch has
 * no keepalive: its requests always carry the collector site's cookies (credentials mode
 * "include", with no way to turn it off), and the tracker avoids sending credentials where it can;
 * the collector ignores cookies either way. A string body goes out as text/plain, a
 * CORS-safelisted type, so there is no preflight.
 */
export function createQueue(endpoint: string, site: string): Queue {
  let queue: object[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * A 503 (Redis unreachable, the collector busy or shutting down) means the collector stored
   * nothing of the body, so it is sent again after `wait` ms, then twice and four times as long
   * (each wait stretched by up to as much again at random, so that pages refused together do not
   * all come back together): 1, 2 and 4 s at least. Nothing else is sent again. After a network
   * error or a 504 the collector may have stored the body, and a copy would count its events
   * twice. A 429 lasts the rest of its minute: retries within seconds would mostly be refused
   * again while multiplying the requests of an address already over its limit. Retries live only
   * as long as the page; nothing is written to storage.
   */
  const post = (events: object[], wait = 1000): void => {
    const body = JSON.stringify({ site, events });
    if (body.length > MAX_BODY_CHARS && events.length > 1) {
      const half = events.length >> 1;
      post(events.slice(0, half));
      post(events.slice(half));
      return;
    }
    if (!('keepalive' in Request.prototype)) {
      navigator.sendBeacon(endpoint, body);
      return;
    }
    fetch(endpoint, { method: 'POST', body, keepalive: true, credentials: 'omit' }).then(
      ({ status }) => {
        if (status === 503 && wait < 5000)
          setTimeout(() => post(events, wait * 2), wait + Math.random() * wait);
      },
      () => {},
    );
  };

  const flush = safe(() => {
    clearTimeout(timer);
    timer = undefined;
    // The opt-out control's flag, which the shop's privacy page sets (docs/privacy.md): nothing
    // leaves the page while it is there, from the moment it is set. A browser that refuses site
    // storage throws here, and sends nothing either: the tag cannot know its shopper's choice.
    if (queue.length && !localStorage.kanon_opt_out) post(queue);
    queue = [];
  });

  return {
    push(event) {
      queue.push(event);
      if (queue.length >= FLUSH_AT) flush();
      else timer ??= setTimeout(flush, FLUSH_AFTER_MS);
    },
    flush,
  };
}
