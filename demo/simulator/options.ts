import { z } from 'zod';
import { SITE_ID, toOrigin } from '../../core/sites.js';
import { SimulationError } from './errors.js';
import type { Progress } from './progress.js';
import { DAY_MS, startOfUtcDay } from './timeline.js';

/** What simulate() takes. Only `collectorUrl`, `site`, `origin`, `visitors` and `days` are required. */
export interface SimulateOptions {
  /** The collector's base URL, e.g. http://127.0.0.1:8080. */
  collectorUrl: string;
  /** Site id, as registered in KANON_SITES. */
  site: string;
  /** The shop's origin, one of the site's allowed origins; page URLs are built on it. */
  origin: string;
  /** Distinct simulated clients (people and bots), over the whole period. */
  visitors: number;
  /** Whole UTC days before today to backfill (0 = today's traffic only). Needs `backfillToken`. */
  days: number;
  /** Requests per second, at most (default: as fast as the collector answers). */
  rate?: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** The collector's KANON_BACKFILL_TOKEN. */
  backfillToken?: string;
  /** Same seed, same traffic (default 1). */
  seed?: number;
  /** The clock the traffic is planned against (ms; default now). */
  now?: number;
  onProgress?(progress: Progress): void;
  signal?: AbortSignal;
}

/** The collector accepts past timestamps up to 31 days back; the oldest simulated day must fit. */
export const MAX_PAST_DAYS = 30;
export const DEFAULT_CONCURRENCY = 64;

const Options = z.object({
  collectorUrl: z.url({ protocol: /^https?$/ }),
  site: z.string().regex(SITE_ID, 'must be a site id like shop-eu'),
  origin: z
    .string()
    .refine((text) => toOrigin(text) !== undefined, 'must be an origin like https://shop.example'),
  visitors: z.number().int().min(1).max(200_000),
  days: z.number().int().min(0).max(MAX_PAST_DAYS),
  rate: z.number().positive().max(1_000_000).optional(),
  concurrency: z.number().int().min(1).max(256).default(DEFAULT_CONCURRENCY),
  backfillToken: z.string().min(1).optional(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(1),
  now: z.number().int().positive().optional(),
});
export type ValidOptions = z.infer<typeof Options> & { now: number; origin: string };

export function parseOptions(input: SimulateOptions, clock = Date.now()): ValidOptions {
  const { onProgress: _onProgress, signal: _signal, ...fields } = input;
  const parsed = Options.safeParse(fields);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new SimulationError('invalid_options', `simulate(): ${problems.join('; ')}`);
  }
  const now = parsed.data.now ?? clock;
  // Past days end where today starts; the collector refuses timestamps from its future.
  if (parsed.data.days > 0 && startOfUtcDay(now) > clock) {
    throw new SimulationError('invalid_options', 'simulate(): `now` is on a later day than the clock');
  }
  if (startOfUtcDay(now) - parsed.data.days * DAY_MS < clock - 31 * DAY_MS) {
    throw new SimulationError(
      'invalid_options',
      'simulate(): the oldest day would be more than 31 days back',
    );
  }
  return { ...parsed.data, now, origin: toOrigin(parsed.data.origin) as string };
}
