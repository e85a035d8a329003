import { BOTS, type BotProfile } from './bots.js';
import { BROWSERS, type BrowserProfile } from './clients.js';
import { addressOf, CONNECTIONS, type Country, pickCountry } from './networks.js';
import { Random } from './random.js';
import { type Day, visitStart } from './timeline.js';

/**
 * Who visits, and when. Each visitor is one device: an address and a browser (or a bot), kept for
 * the whole simulation, so a visitor who comes back on another day really is the same client (the
 * collector still cannot tell: its visitor token changes with the daily salt). A share of the
 * people browse with Global Privacy Control on; a share of the visitors are bots.
 */
export const BOT_SHARE = 0.05;
export const OPT_OUT_SHARE = 0.04;
/** Chance that a visitor comes back for another visit (again and again, up to MAX_VISITS). */
const RETURN_RATE = 0.32;
const MAX_VISITS = 5;
/** Days until the next visit: 0 = later the same day. */
const RETURN_GAP = [0.2, 0.3, 0.18, 0.12, 0.08, 0.06, 0.06];

export type Client =
  | { kind: 'person'; browser: BrowserProfile; optedOut: boolean }
  | { kind: 'bot'; bot: BotProfile };

export interface Visitor {
  id: number;
  client: Client;
  country: Country;
  ip: string;
  /** window.innerWidth of this device. */
  viewport: number;
}

export interface PlannedVisit {
  visitor: Visitor;
  /** 0 for the visitor's first visit. */
  number: number;
  day: Day;
  start: number;
}

export interface VisitorPlan {
  visitors: Visitor[];
  /** Visits of each day, by start time. */
  visitsByDay: PlannedVisit[][];
}

export function planVisitors(count: number, seed: number, days: readonly Day[]): VisitorPlan {
  const nextAddress = new Map<string, number>();
  const visitors: Visitor[] = [];
  const visitsByDay: PlannedVisit[][] = days.map(() => []);
  for (let id = 0; id < count; id += 1) {
    const random = new Random(seed, `visitor:${id}`);
    const country = pickCountry(random);
    const connection = random.weighted(CONNECTIONS, (c) => c.weight).kind;
    const counter = `${country.code}|${connection}`;
    const index = nextAddress.get(counter) ?? 0;
    nextAddress.set(counter, index + 1);
    const client: Client = random.chance(BOT_SHARE)
      ? { kind: 'bot', bot: random.weighted(BOTS, (bot) => bot.weight) }
      : {
          kind: 'person',
          browser: random.weighted(BROWSERS, (browser) => browser.weight),
          optedOut: random.chance(OPT_OUT_SHARE),
        };
    const viewport = client.kind === 'person' ? random.pick(client.browser.viewports) : client.bot.viewport;
    const visitor: Visitor = { id, client, country, ip: addressOf(country, index, connection), viewport };
    visitors.push(visitor);

    let day = random.weighted(days, (d) => d.weight);
    let start = visitStart(day, random);
    for (let number = 0; number < MAX_VISITS; number += 1) {
      visitsByDay[day.index]?.push({ visitor, number, day, start });
      if (!random.chance(RETURN_RATE)) break;
      const gap = random.weightedIndex(RETURN_GAP);
      const nextDay = days[day.index + gap];
      if (!nextDay) break;
      const nextStart = gap === 0 ? start + random.int(1, 6) * 3_600_000 : visitStart(nextDay, random);
      if (nextStart >= nextDay.until) break;
      day = nextDay;
      start = nextStart;
    }
  }
  for (const visits of visitsByDay) visits.sort((a, b) => a.start - b.start || a.visitor.id - b.visitor.id);
  return { visitors, visitsByDay };
}
