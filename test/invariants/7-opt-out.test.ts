import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, stagedEvents } from '../fixtures/counts.js';
import { browserHeaders, SHOP_ORIGIN, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';

/**
 * Invariant 7: `Sec-GPC: 1` (and `DNT: 1` where configured) means the event is not recorded at
 * all; only an anonymous counter of opted-out events goes up.
 */
const event = {
  site: 'shop',
  events: [
    { type: 'pageview', url: `${SHOP_ORIGIN}/` },
    { type: 'pageview', url: `${SHOP_ORIGIN}/b` },
  ],
};

describe('invariant 7: shoppers who opt out are respected', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline();
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('drops the events when Sec-GPC is 1, answers 202 and counts them as opted out', async () => {
    const response = await pipeline.send(event, browserHeaders({ 'sec-gpc': '1' }));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 0 });
    await pipeline.drain();
    expect(await stagedEvents(pipeline.warehouse)).toBe(0);
    expect(await metricValue(pipeline.metrics, 'kanon_collector_opted_out_total')).toBe(2);
  });

  it('drops the events when DNT is 1, by default', async () => {
    const response = await pipeline.send(event, browserHeaders({ dnt: '1' }));
    expect(await response.json()).toEqual({ accepted: 0 });
    expect(await metricValue(pipeline.metrics, 'kanon_collector_opted_out_total')).toBe(4);
  });

  it('records a shopper who sends neither', async () => {
    const response = await pipeline.send(event, browserHeaders({ 'sec-gpc': '0' }));
    expect(await response.json()).toEqual({ accepted: 2 });
    await pipeline.drain();
    expect(await stagedEvents(pipeline.warehouse)).toBe(2);
  });

  it('serves /.well-known/gpc.json', async () => {
    const response = await fetch(`${pipeline.url}/.well-known/gpc.json`);
    expect(await response.json()).toMatchObject({ gpc: true });
  });
});

describe('invariant 7 with KANON_HONOR_DNT=false', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline({ KANON_HONOR_DNT: 'false' });
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('records DNT traffic but still drops GPC traffic', async () => {
    expect(await (await pipeline.send(event, browserHeaders({ dnt: '1' }))).json()).toEqual({ accepted: 2 });
    expect(await (await pipeline.send(event, browserHeaders({ 'sec-gpc': '1' }))).json()).toEqual({
      accepted: 0,
    });
  });
});
