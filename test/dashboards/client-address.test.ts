import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { DEFAULT_LOGIN_LIMITS } from '../../dashboards/routes/auth.js';
import { type DashboardsHarness, PASSWORD, startDashboards } from './fixtures/dashboards-app.js';

/**
 * The sign-in throttle keys on the client address. Whatever KANON_TRUST_PROXY says, that is the
 * rightmost address no trusted proxy added: the entries left of it were written by the client, so
 * twenty wrong passwords under twenty made-up addresses are throttled like twenty from one.
 */
const REAL = '203.0.113.7';
const OTHER_REAL = '203.0.113.8';
const forged = (n: number) => `198.51.100.${n}`;

/**
 * Each form of the setting, and the X-Forwarded-For its proxies would pass on for a client at
 * `real` that sent `X-Forwarded-For: <spoof>` itself. The test client connects over loopback, so
 * it stands in for the nearest proxy.
 */
const FORMS: { setting: string; header(spoof: string, real: string): string; believesProxy: boolean }[] = [
  // No proxy believed: the header is the client's own, and the address is the connection's.
  { setting: 'false', header: (spoof) => spoof, believesProxy: false },
  // One proxy: it appended the address it saw.
  { setting: 'true', header: (spoof, real) => `${spoof}, ${real}`, believesProxy: true },
  { setting: '1', header: (spoof, real) => `${spoof}, ${real}`, believesProxy: true },
  // Two proxies: an outer one (10.0.0.2, as the inner one saw it) appended the client's address.
  { setting: '2', header: (spoof, real) => `${spoof}, ${real}, 10.0.0.2`, believesProxy: true },
  { setting: '127.0.0.1', header: (spoof, real) => `${spoof}, ${real}`, believesProxy: true },
  {
    setting: '127.0.0.0/8, 10.0.0.0/8',
    header: (spoof, real) => `${spoof}, ${real}, 10.0.0.2`,
    believesProxy: true,
  },
  // Listed proxies that are not the peer: the loopback client is a client, its header is ignored.
  { setting: '10.0.0.1', header: (spoof) => spoof, believesProxy: false },
];

describe('sign-in throttle: the client address cannot be chosen through X-Forwarded-For', () => {
  let dash: DashboardsHarness;
  beforeAll(async () => {
    dash = await startDashboards();
    await dash.users.create('mallory', 'viewer', PASSWORD);
  });
  afterAll(async () => {
    await dash?.close();
  });

  it.each(FORMS)(
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
