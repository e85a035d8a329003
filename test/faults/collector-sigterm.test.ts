import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../core/free-port.js';
import { stagedEvents } from '../fixtures/counts.js';
import { beaconLanes, waitUntilAnswering } from '../fixtures/kanon-process.js';
import { SHOP_ORIGIN, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';

/**
 * SIGTERM to a collector under load: it stops accepting, flushes the micro-batches it holds, and
 * every event it acknowledged is counted.
 */
describe('fault: SIGTERM to a collector under load', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline({ KANON_TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('flushes in-flight batches and counts every acknowledged event', async () => {
    const port = await freePort();
    const collector = spawn(process.execPath, ['--import', 'tsx', 'bin/kanon.ts', 'collector'], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: {
        ...process.env,
        REDIS_URL: pipeline.redisUrl,
        KANON_SALT_REDIS_URL: pipeline.redisUrl,
        KANON_QUEUE_PREFIX: pipeline.prefix,
        KANON_SITES: `shop=${SHOP_ORIGIN}`,
        KANON_TRUST_PROXY: 'true',
        KANON_COLLECTOR_PORT: String(port),
        KANON_RATE_LIMIT: '0',
        // A long wait makes batches sit in memory, so SIGTERM finds some to flush.
        KANON_BATCH_MAX_WAIT_MS: '200',
        KANON_BATCH_MAX_EVENTS: '5000',
        KANON_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => collector.once('exit', resolve));
    const url = `http://127.0.0.1:${port}`;
    await waitUntilAnswering(`${url}/readyz`, collector);
    const load = beaconLanes(url, 16);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    collector.kill('SIGTERM');
    expect(await exited).toBe(0);
    await load.stop();
    await pipeline.drain();
    const staged = await stagedEvents(pipeline.warehouse);
    expect(load.counts.acknowledged).toBeGreaterThan(100);
    expect(staged).toBe(load.counts.acknowledged);
    // A request that arrived on an open connection during the close was refused before any work,
    // in Kanon's error shape (the tag sends it again), and none of its events was staged.
    for (const refusal of Object.keys(load.counts.refusals)) expect(refusal).toBe('503 shutting_down');
  });
});
