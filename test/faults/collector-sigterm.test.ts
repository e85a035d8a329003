import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagedEvents } from '../fixtures/counts.js';
import { browserHeaders, SHOP_ORIGIN, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

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
    for (let i = 0; i < 100; i += 1) {
      if (
        await fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    let acknowledged = 0;
    let refused = 0;
    let sending = true;
    const load = Promise.all(
      Array.from({ length: 16 }, async (_, lane) => {
        for (let n = 0; sending; n += 1) {
          const response = await fetch(`${url}/e`, {
            method: 'POST',
            headers: browserHeaders({ 'x-forwarded-for': `198.19.${lane}.${n % 250}` }),
            body: JSON.stringify({
              site: 'shop',
              events: [
                { type: 'pageview', url: `${SHOP_ORIGIN}/t` },
                { type: 'pageview', url: `${SHOP_ORIGIN}/u` },
              ],
            }),
          }).catch(() => undefined);
          if (!response) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            continue;
          }
          if (response.status === 202) acknowledged += 2;
          else refused += 1;
          await response.arrayBuffer();
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    collector.kill('SIGTERM');
    expect(await exited).toBe(0);
    sending = false;
    await load;
    await pipeline.drain();
    const staged = await stagedEvents(pipeline.warehouse);
    expect(acknowledged).toBeGreaterThan(100);
    expect(staged).toBe(acknowledged);
    expect(refused).toBeGreaterThanOrEqual(0);
  });
});
