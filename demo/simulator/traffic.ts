import { browse } from './browse.js';
import type { Catalogue } from './catalogue.js';
import { crawl } from './crawl.js';
import type { PageVisit, VisitContext } from './page-visit.js';
import { Random } from './random.js';
import { type SimRequest, toRequests } from './requests.js';
import { arrive } from './sources.js';
import { buildTimeline, type Day } from './timeline.js';
import { type PlannedVisit, planVisitors, type Visitor } from './visitors.js';

/**
 * The whole simulated traffic, deterministic for a seed: the visitors and their visits are
 * planned up front (small), and each day's requests are generated when that day is sent, in the
 * order the tracker would send them. Every visit has its own random stream, so a day's requests
 * do not depend on the order days are generated in.
 */
export interface TrafficOptions {
  site: string;
  origin: string;
  visitors: number;
  /** Whole UTC days before today. */
  pastDays: number;
  seed: number;
  now: number;
}

export interface TrafficPlan {
  options: TrafficOptions;
  catalogue: Catalogue;
  days: Day[];
  visitors: Visitor[];
  visitsByDay: PlannedVisit[][];
}

export function planTraffic(options: TrafficOptions, catalogue: Catalogue): TrafficPlan {
  const days = buildTimeline(options.pastDays, options.now);
  const { visitors, visitsByDay } = planVisitors(options.visitors, options.seed, days);
  return { options, catalogue, days, visitors, visitsByDay };
}

function pagesOf(plan: TrafficPlan, visit: PlannedVisit): PageVisit[] {
  const { visitor } = visit;
  const random = new Random(plan.options.seed, `visit:${visitor.id}:${visit.number}`);
  const client = visitor.client;
  const device =
    client.kind === 'person' ? client.browser.device : client.bot.viewport < 600 ? 'mobile' : 'desktop';
  const ctx: VisitContext = {
    random,
    catalogue: plan.catalogue,
    origin: plan.options.origin,
    device,
    cart: new Map(),
  };
  if (client.kind === 'bot' && !client.bot.browserHeaders) {
    const [min, max] = client.bot.pages;
    return crawl(ctx, visit.start, random.int(min, max));
  }
  const arrival = arrive(random, plan.catalogue, visitor.country.code, visit.number > 0);
  return browse(ctx, arrival, visit.start, client.kind === 'bot' ? client.bot.pages[1] : 24);
}

/** A day's requests in the order they are sent: by the time the tracker would send them. */
export function requestsOfDay(plan: TrafficPlan, day: Day): SimRequest[] {
  const requests: SimRequest[] = [];
  for (const visit of plan.visitsByDay[day.index] ?? []) {
    for (const request of toRequests(plan.options.site, visit.visitor, day, pagesOf(plan, visit))) {
      requests.push(request);
    }
  }
  return requests.sort((a, b) => a.at - b.at || a.visitor.id - b.visitor.id);
}

/** Visits planned in all: the denominator of progress. */
export const visitCount = (plan: TrafficPlan) =>
  plan.visitsByDay.reduce((sum, visits) => sum + visits.length, 0);
