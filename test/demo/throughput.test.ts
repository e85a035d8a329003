import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestPipeline } from '../fixtures/pipeline.js';

/**
 * A measurement, not a check: `KANON_SIMULATOR_BENCH=1 npx vitest run test/demo/throughput.test.ts`
 * runs `npm run simulate -- --visitors 5000 --days 7` as its own process against the whole pipeline
 * in this one (collector, worker, embedded ClickHouse: the shape of `npm start`), and prints how
 * long sending and staging took. KANON_SIMULATOR_BENCH_ARGS replaces the arguments;
 * KANON_BATCH_MAX_WAIT_MS, when set, is passed to the collector (larger micro-batches stage faster).
 */
const TOKEN = 'simulator-bench-backfill-token-0123456789';
const ORIGIN = 'http://localhost:8082';
const Summary = z.object({
  requests: z.number(),
  durationMs: z.number(),
  eventsPerSecond: z.number(),
  requestsPerSecond: z.number(),
  events: z.object({ sent: z.number(), accepted: z.number() }),
  failed: z.number(),
  rejected: z.record(z.string(), z.number()),
});

function runCli(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/simulate.ts', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`simulate exited with ${code}`)),
    );
  });
}

describe.skipIf(!process.env.KANON_SIMULATOR_BENCH)('simulator throughput (benchmark)', () => {
  it('sends 5000 visitors over 7 past days and today', async () => {
    const pipeline = await startTestPipeline({
      KANON_TRUST_PROXY: 'true',
      KANON_BACKFILL_TOKEN: TOKEN,
      KANON_K: '5',
      KANON_WINDOW: '1h',
      KANON_GRACE: '1m',
      KANON_RATE_LIMIT: '1200',
      ...(process.env.KANON_BATCH_MAX_WAIT_MS
        ? { KANON_BATCH_MAX_WAIT_MS: process.env.KANON_BATCH_MAX_WAIT_MS }
        : {}),
      KANON_SITES: `demo=${ORIGIN}`,
    });
    try {
      const args = (process.env.KANON_SIMULATOR_BENCH_ARGS ?? '--visitors 5000 --days 7').split(' ');
      const started = performance.now();
      const out = await runCli([...args, '--collector', pipeline.url, '--json'], {
        KANON_BACKFILL_TOKEN: TOKEN,
        KANON_SITES: `demo=${ORIGIN}`,
      });
      const sent = performance.now();
      // The worker may trail the collector by more than drain()'s 30 s.
      for (let attempt = 0; ; attempt += 1) {
        try {
          await pipeline.drain();
          break;
        } catch (error) {
          if (attempt >= 10) throw error;
        }
      }
      const staged = performance.now();
      const summary = Summary.parse(JSON.parse(out));
      console.log(
        `simulate ${args.join(' ')}: ${summary.requests} requests, ${summary.events.sent} events in ` +
          `${(summary.durationMs / 1000).toFixed(1)} s (${summary.requestsPerSecond} requests/s, ` +
          `${summary.eventsPerSecond} events/s); process ${((sent - started) / 1000).toFixed(1)} s; ` +
          `staged ${((staged - sent) / 1000).toFixed(1)} s later`,
      );
      expect(summary.failed).toBe(0);
      expect(summary.rejected).toEqual({});
    } finally {
      await pipeline.close();
    }
  }, 600_000);
});
