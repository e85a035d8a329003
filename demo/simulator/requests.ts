import type { PageVisit } from './page-visit.js';
import { PAGE_TYPE } from './places.js';
import type { Day } from './timeline.js';
import type { Visitor } from './visitors.js';

/**
 * Page visits → POST /e requests, as the tracker sends them: one text/plain JSON body
 * `{"site", "events"}` per page (split when more than ten events wait), every event with the page
 * fields (url, page_type, viewport, webdriver when automated). Past days add `ts` to each event;
 * the collector honours it only with the backfill header. Today's requests carry no `ts`.
 */
export const MAX_EVENTS_PER_BODY = 10;

export type Sender = 'person' | 'opted_out' | 'bot';

export interface SimRequest {
  /** When the tracker would send it: its last event. */
  at: number;
  visitor: Visitor;
  sender: Sender;
  body: string;
  events: number;
  /** Sent with timestamps and the backfill header. */
  backfill: boolean;
  day: string;
  /** The first request of its visit (counts the visit as sent). */
  opensVisit: boolean;
}

export function senderOf(visitor: Visitor): Sender {
  if (visitor.client.kind === 'bot') return 'bot';
  return visitor.client.optedOut ? 'opted_out' : 'person';
}

export function toRequests(
  site: string,
  visitor: Visitor,
  day: Day,
  pages: readonly PageVisit[],
): SimRequest[] {
  const webdriver = visitor.client.kind === 'bot' && visitor.client.bot.webdriver;
  const backfill = !day.today;
  const requests: SimRequest[] = [];
  for (const page of pages) {
    const events = [...page.events].sort((a, b) => a.at - b.at);
    for (let from = 0; from < events.length; from += MAX_EVENTS_PER_BODY) {
      const chunk = events.slice(from, from + MAX_EVENTS_PER_BODY);
      const body = chunk.map(({ at, event }) => ({
        url: page.url,
        page_type: PAGE_TYPE[page.place.kind],
        ...(visitor.viewport > 0 ? { viewport: visitor.viewport } : {}),
        ...(webdriver ? { webdriver: true } : {}),
        ...event,
        // A visit that runs past midnight keeps its events on its own day.
        ...(backfill ? { ts: Math.min(at, day.until - 1) } : {}),
      }));
      const last = chunk[chunk.length - 1]?.at ?? page.at;
      requests.push({
        at: Math.min(last, day.until - 1),
        visitor,
        sender: senderOf(visitor),
        body: JSON.stringify({ site, events: body }),
        events: chunk.length,
        backfill,
        day: day.date,
        opensVisit: requests.length === 0,
      });
    }
  }
  return requests;
}
