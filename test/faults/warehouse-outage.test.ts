import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, stagedEvents } from '../fixtures/counts.js';
import { pageviewSender, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';

/**
 * ClickHouse unavailable to the workers (embedded mode: the engine fails every insert into staging,
 * here by detaching the table): batches retry with backoff, nothing is lost, and they complete
 * once the engine is back. The collector keeps accepting meanwhile.
 */
describe('fault: the warehouse fails while events keep coming', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline({ KANON_TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  const stagedBatches = () => metricValue(pipeline.metrics, 'kanon_workers_batches_total');

  it('retries with backoff and stages every acknowledged event once the engine is back', async () => {
    const sender = pageviewSender(pipeline, { path: '/w', lane: 7 });
    for (let n = 0; n < 50; n += 1) await sender.send(n);
    await pipeline.drain();
    const before = await stagedBatches();

    await pipeline.warehouse.exec('DETACH TABLE stg_cells');
    for (let n = 50; n < 150; n += 1) await sender.send(n);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // a few failed attempts and backoffs
    expect(await stagedBatches()).toBe(before); // nothing staged while the engine fails
    await pipeline.warehouse.exec('ATTACH TABLE stg_cells');

    await pipeline.drain();
    const staged = await stagedEvents(pipeline.warehouse);
    expect(sender.acknowledged).toBe(150);
    expect(staged).toBe(150);
  });
});
