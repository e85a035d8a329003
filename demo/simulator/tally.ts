import type { SimRequest } from './requests.js';

/**
 * What happened to every request: counted as the collector answered. A 202 names how many events
 * it accepted; the rest of its events were dropped (bots, opt-outs), and since the simulator knows
 * who sent what, it can say which. Other answers are rejections (4xx, by status and code) or
 * failures (5xx, network).
 */
export interface SimulationSummary {
  site: string;
  collectorUrl: string;
  seed: number;
  /** First and last simulated day, `YYYY-MM-DD`. */
  from: string;
  to: string;
  pastDays: number;
  visitors: { total: number; people: number; optedOut: number; bots: number };
  sessions: number;
  requests: number;
  events: {
    sent: number;
    accepted: number;
    dropped: { bots: number; optedOut: number; other: number };
    /** In requests refused with a 4xx. */
    rejected: number;
    /** In requests that failed (5xx, network). */
    failed: number;
  };
  /** Refused requests by `status code`, e.g. `429 rate_limited`. */
  rejected: Record<string, number>;
  /** Requests answered 5xx or not at all. */
  failed: number;
  /** Requests and events sent with past timestamps (backfill). */
  backfilled: { requests: number; events: number };
  durationMs: number;
  eventsPerSecond: number;
  requestsPerSecond: number;
  /** Stopped early by the abort signal or a fatal answer. */
  aborted: boolean;
}

export type Outcome =
  | { kind: 'accepted'; accepted: number }
  | { kind: 'rejected'; status: number; code: string; message: string }
  | { kind: 'failed'; reason: string };

export class Tally {
  readonly events = {
    sent: 0,
    accepted: 0,
    dropped: { bots: 0, optedOut: 0, other: 0 },
    rejected: 0,
    failed: 0,
  };
  readonly rejected: Record<string, number> = {};
  requests = 0;
  failed = 0;
  sessions = 0;
  backfilled = { requests: 0, events: 0 };
  private readonly visitors = new Map<number, SimRequest['sender']>();

  sent(request: SimRequest): void {
    this.requests += 1;
    this.events.sent += request.events;
    if (request.opensVisit) this.sessions += 1;
    this.visitors.set(request.visitor.id, request.sender);
    if (request.backfill) {
      this.backfilled.requests += 1;
      this.backfilled.events += request.events;
    }
  }

  answered(request: SimRequest, outcome: Outcome): void {
    if (outcome.kind === 'accepted') {
      this.events.accepted += outcome.accepted;
      const dropped = request.events - outcome.accepted;
      if (dropped <= 0) return;
      if (request.sender === 'bot') this.events.dropped.bots += dropped;
      else if (request.sender === 'opted_out') this.events.dropped.optedOut += dropped;
      else this.events.dropped.other += dropped;
    } else if (outcome.kind === 'rejected') {
      const key = `${outcome.status} ${outcome.code}`;
      this.rejected[key] = (this.rejected[key] ?? 0) + 1;
      this.events.rejected += request.events;
    } else {
      this.failed += 1;
      this.events.failed += request.events;
    }
  }

  /** Requests refused or failed. */
  get errors(): number {
    return Object.values(this.rejected).reduce((sum, n) => sum + n, 0) + this.failed;
  }

  visitorCounts(): SimulationSummary['visitors'] {
    const counts = { total: this.visitors.size, people: 0, optedOut: 0, bots: 0 };
    for (const sender of this.visitors.values()) {
      if (sender === 'bot') counts.bots += 1;
      else if (sender === 'opted_out') counts.optedOut += 1;
      else counts.people += 1;
    }
    return counts;
  }
}
