import type { SimulationSummary } from './tally.js';

/**
 * Why a simulation could not start or had to stop, with a message that says what to do. A run
 * stopped midway carries the summary of what was sent before it stopped.
 */
export type SimulationErrorCode =
  | 'invalid_options'
  | 'backfill_token_required'
  | 'collector_unreachable'
  | 'collector_not_ready'
  | 'refused';

export class SimulationError extends Error {
  summary: SimulationSummary | undefined;

  constructor(
    readonly code: SimulationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SimulationError';
  }
}

/** What to check when the collector refuses the traffic outright (every request would fail alike). */
export const FATAL_REJECTIONS: Readonly<Record<string, string>> = {
  unknown_site: 'The site id is not registered: pass one listed in KANON_SITES (--site).',
  origin_required: 'The collector wants an Origin header: pass the shop origin (--origin).',
  origin_not_allowed:
    'The origin is not allowed for this site: pass one of its origins in KANON_SITES (--origin).',
  too_many_events:
    'The collector takes fewer events per request than the tracker sends (10): raise KANON_MAX_EVENTS_PER_REQUEST.',
  body_too_large: 'The collector takes smaller bodies than the tracker sends: raise KANON_MAX_BODY_BYTES.',
  invalid_event: 'The simulator sent an event the collector does not accept: a bug in demo/simulator.',
  invalid_json: 'The simulator sent a body that is not JSON: a bug in demo/simulator.',
  unsupported_media_type: 'The collector does not take text/plain bodies: is this a Kanon collector?',
  not_found: 'There is no POST /e at this address: is --collector a Kanon collector?',
};

export const backfillTokenRequired = (days: number) =>
  new SimulationError(
    'backfill_token_required',
    `Simulating ${days} past day${days === 1 ? '' : 's'} needs a backfill token: the collector honours the ` +
      'timestamps of past events only in requests carrying X-Kanon-Backfill with the secret it was started ' +
      'with. Start the collector with KANON_BACKFILL_TOKEN=<a secret of at least 24 characters> and give the ' +
      'simulator the same value (the simulate command reads KANON_BACKFILL_TOKEN from the environment), ' +
      "or pass --days 0 to send today's traffic only (docs/simulator.md).",
  );
