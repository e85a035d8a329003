import { createContext, ORIGIN } from '../lib/context.js';
import { runLoad } from '../lib/load.js';
import { cpuMeter } from '../lib/proc.js';
import { createShop } from '../lib/shop-model.js';
import { browserHeaders, singleEventBody } from '../lib/traffic.js';

const context = await createContext({
  quick: false,
  only: new Set(),
  profile: new Set(['collector']),
  profileDir: '/tmp/floodprof',
  redisPersistent: true,
  rounds: 1,
  durationS: 8,
});
const body = singleEventBody(createShop());
const headers = { ...browserHeaders(ORIGIN), 'x-forwarded-for': '203.0.113.66' };
const bare = await context.child<{ url: string }>('bare');
const collector = await context.child<{ url: string }>('collector', {
  env: { KANON_TRUST_PROXY: 'true', KANON_RATE_LIMIT: '1200' },
});
for (let round = 0; round < 1; round++) {
  for (const target of [collector]) {
    const meter = cpuMeter({ t: target.pid });
    const r = await runLoad({ url: target.ready.url, connections: 64, durationS: 8, body, headers });
    const cpu = meter();
    console.log(
      target.name,
      Math.round(r.requestsPerSecond),
      JSON.stringify(r.statuses),
      'p99',
      r.latencyMs.p99.toFixed(1),
      'cpu µs/req',
      ((cpu.t! * 1e6) / r.requests).toFixed(1),
    );
  }
}
await bare.stop();
await collector.stop();
await context.close();
