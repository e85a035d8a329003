import { parseArgs } from 'node:util';
import type { Config } from '../../core/config.js';
import { DEFAULT_CONCURRENCY, MAX_PAST_DAYS, type SimulateOptions } from './options.js';

/**
 * The simulate command's arguments, with defaults from Kanon's configuration (core/config.ts):
 * the collector this deployment runs, its first site and that site's first origin, and its
 * backfill token. Pure, so usage errors can be tested.
 */
export const USAGE = `usage: npm run simulate -- [options]

Sends realistic shop traffic through a running Kanon collector (docs/simulator.md).

  --visitors N      distinct visitors, people and bots (default 5000)
  --days N          past UTC days to backfill before today's share, 0-${MAX_PAST_DAYS} (default 7);
                    needs KANON_BACKFILL_TOKEN, the collector's own, in the environment
  --rate N          at most N requests per second (default: as fast as the collector answers)
  --concurrency N   requests in flight at once (default ${DEFAULT_CONCURRENCY})
  --site ID         site id (default: the first in KANON_SITES)
  --origin URL      the shop's origin (default: the site's first origin)
  --collector URL   the collector (default: http://KANON_HOST:KANON_COLLECTOR_PORT)
  --seed N          same seed, same traffic (default 1)
  --json            print the summary as JSON
  --help            this text`;

export type CliRequest =
  | { kind: 'help' }
  | { kind: 'usage_error'; message: string }
  | { kind: 'run'; options: Omit<SimulateOptions, 'onProgress' | 'signal'>; json: boolean };

function integer(
  name: string,
  text: string | undefined,
  fallback: number | undefined,
  min: number,
  max: number,
) {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new Error(
      `--${name} must be a whole number from ${min} to ${max.toLocaleString('en-US')}, not "${text}"`,
    );
  }
  return value;
}

/** Where a collector bound to every interface can be reached from this machine. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export function parseCli(argv: readonly string[], config: Config): CliRequest {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        visitors: { type: 'string' },
        days: { type: 'string' },
        rate: { type: 'string' },
        concurrency: { type: 'string' },
        site: { type: 'string' },
        origin: { type: 'string' },
        collector: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'usage_error', message: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  try {
    const siteId = text('site') ?? config.collector.sites[0]?.id;
    const site = config.collector.sites.find((candidate) => candidate.id === siteId);
    if (!siteId) throw new Error('no site: pass --site or set KANON_SITES');
    const origin = text('origin') ?? site?.origins[0];
    if (!origin) throw new Error(`site "${siteId}" is not in KANON_SITES here: pass --origin as well`);
    const collectorUrl =
      text('collector') ?? `http://${reachableHost(config.server.host)}:${config.server.collectorPort}`;
    const rate = integer('rate', text('rate'), undefined, 1, 1_000_000);
    const options: Omit<SimulateOptions, 'onProgress' | 'signal'> = {
      collectorUrl,
      site: siteId,
      origin,
      visitors: integer('visitors', text('visitors'), 5000, 1, 200_000) as number,
      days: integer('days', text('days'), 7, 0, MAX_PAST_DAYS) as number,
      concurrency: integer('concurrency', text('concurrency'), DEFAULT_CONCURRENCY, 1, 256) as number,
      seed: integer('seed', text('seed'), 1, 0, 2 ** 32 - 1) as number,
      ...(rate === undefined ? {} : { rate }),
      ...(config.collector.backfillToken ? { backfillToken: config.collector.backfillToken } : {}),
    };
    return { kind: 'run', options, json: values.json === true };
  } catch (error) {
    return { kind: 'usage_error', message: (error as Error).message };
  }
}
