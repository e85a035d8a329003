import type { Tally } from './tally.js';

/**
 * Progress as the simulation runs: counts so far, the recent send rate (over the last few
 * seconds, so a --rate cap shows as it is), and an estimate of the time left. The number of
 * requests still to come is estimated from the visits left and the requests per visit so far.
 */
export interface Progress {
  /** The day being sent, `YYYY-MM-DD`, and whether it is today's live share. */
  day: string;
  live: boolean;
  requests: number;
  /** Estimated requests in all (exact once the last day is generated). */
  requestsPlanned: number;
  sent: number;
  accepted: number;
  dropped: number;
  /** Requests refused (4xx) or failed (5xx, network). */
  errors: number;
  /** Requests per second over the last few seconds. */
  rate: number;
  eventsPerSecond: number;
  elapsedMs: number;
  /** Estimated time left; undefined until there is enough to go on. */
  etaMs: number | undefined;
}

interface Sample {
  at: number;
  requests: number;
  events: number;
}

const WINDOW_MS = 5000;

export class ProgressMeter {
  private readonly samples: Sample[] = [];
  private lastEmit = Number.NEGATIVE_INFINITY;
  day = '';
  live = false;
  requestsGenerated = 0;
  visitsGenerated = 0;

  constructor(
    private readonly tally: Tally,
    private readonly visitsPlanned: number,
    private readonly started: number,
    private readonly onProgress: ((progress: Progress) => void) | undefined,
    private readonly everyMs = 250,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Reports at most every `everyMs`, or now when `force` is set. */
  tick(force = false): void {
    const now = this.clock();
    this.samples.push({ at: now, requests: this.tally.requests, events: this.tally.events.sent });
    while (this.samples.length > 2 && (this.samples[0]?.at ?? now) < now - WINDOW_MS) this.samples.shift();
    if (!this.onProgress || (!force && now - this.lastEmit < this.everyMs)) return;
    this.lastEmit = now;
    this.onProgress(this.snapshot(now));
  }

  snapshot(now = this.clock()): Progress {
    const first = this.samples[0];
    const span = first ? (now - first.at) / 1000 : 0;
    const rate = first && span > 0.2 ? (this.tally.requests - first.requests) / span : 0;
    const eventsPerSecond = first && span > 0.2 ? (this.tally.events.sent - first.events) / span : 0;
    const perVisit = this.visitsGenerated > 0 ? this.requestsGenerated / this.visitsGenerated : 0;
    const planned = Math.round(
      this.requestsGenerated + Math.max(0, this.visitsPlanned - this.visitsGenerated) * perVisit,
    );
    const left = Math.max(0, planned - this.tally.requests);
    const t = this.tally;
    return {
      day: this.day,
      live: this.live,
      requests: t.requests,
      requestsPlanned: Math.max(planned, t.requests),
      sent: t.events.sent,
      accepted: t.events.accepted,
      dropped: t.events.dropped.bots + t.events.dropped.optedOut + t.events.dropped.other,
      errors: t.errors,
      rate,
      eventsPerSecond,
      elapsedMs: now - this.started,
      etaMs: rate > 0 && perVisit > 0 ? (left / rate) * 1000 : undefined,
    };
  }
}
