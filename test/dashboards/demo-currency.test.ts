import { describe, expect, it } from 'vitest';
import { demoDefaults } from '../../bin/runtime/demo-defaults.js';
import { loadConfig } from '../../core/config.js';
import { loadCatalogue } from '../../demo/simulator/catalogue.js';
import { captureLogs } from '../fixtures/log-sink.js';

/**
 * `npm start` on a fresh clone shows the demo shop's week: its revenue reads as money in the
 * shop's currency, which a real deployment names with KANON_CURRENCY.
 */
describe("npm start: amounts in the demo shop's currency", () => {
  const configOf = (env: Record<string, string>) =>
    loadConfig({ KANON_DATA_DIR: '/tmp/kanon-demo-currency', ...env });

  it("shows the demo shop's amounts in its currency while the demo is the only site, and says so", async () => {
    const logs = captureLogs('info');
    const config = await demoDefaults(configOf({}), logs.log);
    const { currency } = await loadCatalogue();
    expect(currency).toBe('EUR');
    expect(config.dashboards.currency).toBe(currency);
    expect(logs.text()).toContain(
      `amounts are in ${currency}, the demo shop's currency (set KANON_CURRENCY to change)`,
    );
  });

  it('keeps KANON_CURRENCY when it is set, and guesses none for a shop of its own', async () => {
    const logs = captureLogs('info');
    expect((await demoDefaults(configOf({ KANON_CURRENCY: 'CHF' }), logs.log)).dashboards.currency).toBe(
      'CHF',
    );
    const own = await demoDefaults(configOf({ KANON_SITES: 'shop=https://shop.example' }), logs.log);
    expect(own.dashboards.currency).toBeUndefined();
  });
});
