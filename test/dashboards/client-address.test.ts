import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { DEFAULT_LOGIN_LIMITS } from '../../dashboards/routes/auth.js';
import { forged, OTHER_REAL, REAL, TRUST_PROXY_FORMS } from '../fixtures/forged-addresses.js';
import { type DashboardsHarness, PASSWORD, startDashboards } from './fixtures/dashboards-app.js';

/**
 * The sign-in throttle keys on the client address. Whatever KANON_TRUST_PROXY says, that is the
 * rightmost address no trusted proxy added: the entries left of it were written by the client, so
 * twenty wrong passwords under twenty made-up addresses are throttled like twenty from one.
 */
describe('sign-in throttle: the client address cannot be chosen through X-Forwarded-For', () => {
  let dash: DashboardsHarness;
  beforeAll(async () => {
    dash = await startDashboards();
    await dash.users.create('mallory', 'viewer', PASSWORD);
  });
  afterAll(async () => {
    await dash?.close();
  });

  it.each(TRUST_PROXY_FORMS)(
    'KANON_TRUST_PROXY=$setting throttles twenty wrong passwords sent under twenty forged addresses',
    async ({ setting, header, believesProxy }) => {
      const trustProxy = loadConfig({ KANON_TRUST_PROXY: setting }).collector.trustProxy;
      // The deployment's default limits: 5 a minute per address and user name.
      const app = await dash.variant({ trustProxy, loginLimits: DEFAULT_LOGIN_LIMITS });
      const attempt = (xff: string) =>
        fetch(`${app.url}/api/v1/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: app.url, 'x-forwarded-for': xff },
          body: JSON.stringify({ username: 'mallory', password: 'guess guess guess' }),
        });
      try {
        const statuses: number[] = [];
        for (let n = 1; n <= 20; n += 1) statuses.push((await attempt(header(forged(n), REAL))).status);
        expect(statuses).toEqual([...Array(5).fill(401), ...Array(15).fill(429)]);
        // Another client behind the same proxy has a throttle of its own; without a believed proxy
        // every request comes from the one connecting address.
        const other = await attempt(header(forged(21), OTHER_REAL));
        expect(other.status).toBe(believesProxy ? 401 : 429);
      } finally {
        await app.close();
      }
    },
  );
});
