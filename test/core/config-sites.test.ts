import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';

/** The default sites are npm start's demo shop, on whatever port KANON_DEMO_PORT gives it. */
describe('KANON_SITES unset', () => {
  const origins = (env: Record<string, string>) =>
    loadConfig(env).collector.sites.map((site) => [site.id, site.origins]);

  it('allows the demo shop on its default port', () => {
    expect(origins({})).toEqual([['demo', ['http://localhost:8082', 'http://127.0.0.1:8082']]]);
  });

  it('follows KANON_DEMO_PORT, so the demo shop on another port is not refused', () => {
    expect(origins({ KANON_DEMO_PORT: '18082' })).toEqual([
      ['demo', ['http://localhost:18082', 'http://127.0.0.1:18082']],
    ]);
  });

  it('leaves a KANON_SITES that is set as it is', () => {
    expect(origins({ KANON_DEMO_PORT: '18082', KANON_SITES: 'shop=https://shop.example' })).toEqual([
      ['shop', ['https://shop.example']],
    ]);
  });
});

describe('KANON_SITES: null among a site’s origins', () => {
  it('marks the site as taking beacons from sandboxed frames, beside its own origins', () => {
    const [site] = loadConfig({ KANON_SITES: 'shop=https://shop.example,null' }).collector.sites;
    expect(site).toEqual({ id: 'shop', origins: ['https://shop.example'], sandboxed: true });
  });

  it('refuses a site whose only origin is null', () => {
    expect(() => loadConfig({ KANON_SITES: 'shop=null' })).toThrow(/site "shop" has no allowed origin/);
  });
});
