import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killWorkersUnderLoad } from '../fixtures/kill-workers.js';
import { startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';

/** A worker killed with SIGKILL mid-batch, eight times, under load from four senders. */
describe('fault: workers killed with SIGKILL under load', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline(
      { KANON_TRUST_PROXY: 'true', KANON_BATCH_MAX_EVENTS: '50' },
      { worker: false },
    );
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('stages exactly the acknowledged events, no more and no less', async () => {
    const { acknowledged, staged } = await killWorkersUnderLoad(pipeline, { rounds: 8, lanes: 4 });
    expect(acknowledged).toBeGreaterThan(1000);
    expect(staged).toBe(acknowledged);
  });
});
