import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSettings } from '../../bin/runtime/admin-settings.js';
import { loadConfig } from '../../core/config.js';
import { type DashboardsHarness, startDashboards } from './fixtures/dashboards-app.js';

const TOKEN = 'settings-page-token-0123456789abcdef';

/**
 * The settings page lets an admin check how a deployment runs: whether /metrics is open is part
 * of that (it shows a shop's traffic), and the token itself must never be shown.
 */
describe('dashboards: the settings page', () => {
  let harness: DashboardsHarness;
  beforeAll(async () => {
    harness = await startDashboards();
  });
  afterAll(async () => {
    await harness?.close();
  });

  const settingsOf = async (env: Record<string, string>) => {
    const config = loadConfig({ KANON_DATA_DIR: '/tmp/kanon-settings-test', ...env });
    const server = await harness.variant({ settings: adminSettings(config) });
    const admin = await harness.signIn('admin');
    const response = await fetch(`${server.url}/api/v1/settings`, { headers: { cookie: admin.cookie } });
    expect(response.status).toBe(200);
    const text = await response.text();
    const { settings } = JSON.parse(text) as { settings: { name: string; value: unknown }[] };
    return { text, value: (name: string) => settings.find((setting) => setting.name === name)?.value };
  };

  it('says whether KANON_METRICS_TOKEN is set, and never shows the token', async () => {
    const withToken = await settingsOf({ KANON_METRICS_TOKEN: TOKEN });
    expect(withToken.value('KANON_METRICS_TOKEN')).toBe('set');
    expect(withToken.text).not.toContain(TOKEN);
    expect(withToken.text).not.toContain(TOKEN.slice(0, 12));

    const without = await settingsOf({});
    expect(without.value('KANON_METRICS_TOKEN')).toBe('not set: /metrics is open');
  });

  it("lists KANON_CURRENCY, the shop's currency the dashboards write amounts in, and says when it is unset", async () => {
    const euro = await settingsOf({ KANON_CURRENCY: 'EUR' });
    expect(euro.value('KANON_CURRENCY')).toBe('EUR');
    const without = await settingsOf({});
    expect(without.value('KANON_CURRENCY')).toBe('not set: amounts are shown without a currency');
  });

  it('shows the release mode: noise mode with its ε per visitor and day, or exact figures', async () => {
    const noisy = await settingsOf({ KANON_EPSILON: '3' });
    expect(noisy.value('KANON_EPSILON')).toMatch(/^noise mode: ε = 3 per visitor and day/);
    const exact = await settingsOf({});
    expect(exact.value('KANON_EPSILON')).toBe('not set: exact figures (no noise)');
  });

  it('shows the running release settings from the environment', async () => {
    const { value } = await settingsOf({ KANON_K: '7', KANON_WINDOW: '30m' });
    expect(value('KANON_K')).toBe(7);
    expect(value('KANON_WINDOW')).toBe('30m');
    expect(value('Warehouse')).toBe('embedded');
  });
});
