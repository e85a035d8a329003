import autocannon, { type AutocannonRequest, type Instance } from 'autocannon';
import { progress } from './progress.js';
import { Samples, summarise } from './stats.js';

/**
 * Load generation with autocannon (the tool the design's performance budget was measured with).
 * Latency percentiles are computed from every response time autocannon reports (its own
 * histogram rounds to whole milliseconds), and status codes are counted, so a run that was
 * answered with errors cannot pass as fast.
 */
export interface LoadResult {
  durationS: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: ReturnType<typeof summarise>;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
}

const running = new Set<Instance>();

/** Ctrl-C: stops every load generator still running. */
export function stopAllLoad(): void {
  for (const instance of running) instance.stop();
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  body?: string;
  headers?: Record<string, string>;
  /** Cycled through, one per request (bodies and headers vary). */
  pool?: readonly { body: string; headers: Record<string, string> }[];
  /** Requests per second over all connections (autocannon's overallRate). */
  rate?: number;
  label?: string;
}

export function runLoad(options: LoadOptions, latencies = new Samples()): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const statuses: Record<string, number> = {};
    let next = Math.floor(Math.random() * (options.pool?.length ?? 1));
    const pool = options.pool;
    const requests: AutocannonRequest[] | undefined = pool
      ? [
          {
            method: 'POST',
            setupRequest: (request) => {
              const spec = pool[next++ % pool.length]!;
              return { ...request, method: 'POST', path: '/e', body: spec.body, headers: spec.headers };
            },
          },
        ]
      : undefined;
    const started = Date.now();
    const instance = autocannon(
      {
        url: `${options.url}/e`,
        method: 'POST',
        connections: options.connections,
        duration: options.durationS,
        timeout: 10,
        ...(options.body !== undefined ? { body: options.body } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
        ...(requests ? { requests } : {}),
        ...(options.rate ? { overallRate: Math.max(1, Math.round(options.rate)) } : {}),
      },
      (error, result) => {
        running.delete(instance);
        clearInterval(ticker);
        if (error) return reject(error);
        const durationS = result.duration || (Date.now() - started) / 1000;
        const total = Object.values(statuses).reduce((sum, count) => sum + count, 0);
        resolve({
          durationS,
          requests: total,
          requestsPerSecond: total / durationS,
          latencyMs: summarise(latencies),
          statuses,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
    running.add(instance);
    instance.on('response', (_client, statusCode, _bytes, ms) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) latencies.add(ms);
    });
    const ticker = options.label
      ? setInterval(() => {
          const elapsed = (Date.now() - started) / 1000;
          const done = Object.values(statuses).reduce((sum, count) => sum + count, 0);
          progress.status(
            `${options.label}: ${elapsed.toFixed(0)}/${options.durationS} s, ${Math.round(done / Math.max(elapsed, 0.001)).toLocaleString('en')} req/s`,
          );
        }, 500)
      : undefined;
  });
}

/**
 * A steady offered load. autocannon paces each connection per second (a connection sends its
 * quota at the start of each second, then waits), which at a fixed rate means one burst a second.
 * So the rate is split over `instances` autocannon runs started 1/instances s apart: the load
 * arrives in `instances` smaller bursts a second instead. A connection waits for each answer
 * before its next request, so there are enough connections for each to send at most 10 requests
 * a second: the offered rate holds while answers take up to 100 ms.
 */
export async function runSteadyLoad(
  options: LoadOptions & { rate: number; instances: number },
): Promise<LoadResult & { startedAt: number }> {
  const latencies = new Samples();
  const startedAt = Date.now();
  const runs: Promise<LoadResult>[] = [];
  for (let index = 0; index < options.instances; index++) {
    if (index > 0) await new Promise((resolve) => setTimeout(resolve, 1000 / options.instances));
    runs.push(
      runLoad(
        {
          ...options,
          rate: options.rate / options.instances,
          connections: Math.max(
            1,
            Math.round(options.connections / options.instances),
            Math.ceil(options.rate / options.instances / 10),
          ),
          label: index === 0 ? options.label : undefined,
        },
        latencies,
      ),
    );
  }
  const results = await Promise.all(runs);
  const statuses: Record<string, number> = {};
  for (const result of results)
    for (const [code, count] of Object.entries(result.statuses))
      statuses[code] = (statuses[code] ?? 0) + count;
  const requests = results.reduce((sum, result) => sum + result.requests, 0);
  const durationS = (Date.now() - startedAt) / 1000;
  return {
    startedAt,
    durationS,
    requests,
    requestsPerSecond: requests / options.durationS,
    latencyMs: summarise(latencies),
    statuses,
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    timeouts: results.reduce((sum, result) => sum + result.timeouts, 0),
  };
}

/** The collector's own counters, from its Prometheus endpoint. */
export async function collectorCounters(url: string): Promise<{
  accepted: number;
  dropped: Record<string, number>;
  rejected: Record<string, number>;
  batchesQueued: number;
  batchEventsQueued: number;
}> {
  // Open: the children start without the caller's KANON_* variables (context.ts), the token too.
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) throw new Error(`bench: ${url}/metrics answered ${response.status}`);
  const text = await response.text();
  const value = (pattern: RegExp) => {
    let sum = 0;
    for (const match of text.matchAll(pattern)) sum += Number(match[1]);
    return sum;
  };
  const labelled = (metric: string, label: string) => {
    const out: Record<string, number> = {};
    for (const match of text.matchAll(new RegExp(`^${metric}\\{${label}="([^"]+)"\\} (\\S+)$`, 'gm')))
      out[match[1]!] = Number(match[2]);
    return out;
  };
  return {
    accepted: value(/^kanon_collector_events_total (\S+)$/gm),
    dropped: labelled('kanon_collector_dropped_total', 'reason'),
    rejected: labelled('kanon_collector_rejected_total', 'code'),
    batchesQueued: value(/^kanon_collector_batches_total\{outcome="queued"\} (\S+)$/gm),
    batchEventsQueued: value(/^kanon_collector_batch_events_total\{outcome="queued"\} (\S+)$/gm),
  };
}
