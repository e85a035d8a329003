import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestHead, requestsAcrossClose } from '../fixtures/raw-http.js';
import { type DashboardsHarness, PASSWORD, startDashboards } from './fixtures/dashboards-app.js';

/**
 * docs/api.md promises every error as `{"error": {"code", "message"}}`: the web UI and analysts'
 * scripts read the code and show the message. That holds for a request that arrives while the
 * dashboards close (a deploy, Ctrl-C) too, which Fastify's own closing 503 did not keep.
 */
describe('dashboards: a request that arrives while the server closes', () => {
  let harness: DashboardsHarness;
  beforeAll(async () => {
    harness = await startDashboards();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("finishes the request in flight and refuses the next with 503 shutting_down in Kanon's error body", async () => {
    const viewer = await harness.signIn('viewer');
    const server = await harness.variant({});
    const { host, port } = new URL(server.url);
    const login = JSON.stringify({ username: viewer.name, password: PASSWORD });
    const loginHead = requestHead(
      'POST',
      '/api/v1/login',
      host,
      {
        'content-type': 'application/json',
        origin: server.url,
      },
      login,
    );
    const sessionRequest = requestHead('GET', '/api/v1/session', host, { cookie: viewer.cookie }, '');

    const [first, second, ...more] = await requestsAcrossClose({
      server: server.app.server,
      port: Number(port),
      first: { head: loginHead, body: login },
      second: sessionRequest,
      close: () => server.app.close(),
    });
    expect(more).toEqual([]);
    expect(first?.status).toBe(200);
    expect(JSON.parse(first?.body ?? '')).toMatchObject({ user: { name: viewer.name } });
    expect(second?.status).toBe(503);
    expect(JSON.parse(second?.body ?? '')).toEqual({
      error: {
        code: 'shutting_down',
        message: 'The dashboards server is shutting down; try again in a moment.',
      },
    });
    expect(second?.headers.connection).toBe('close');
    expect(second?.headers['retry-after']).toBe('1');
    // Refused after helmet's hook: the answer keeps the security headers of every other answer.
    expect(second?.headers['x-content-type-options']).toBe('nosniff');
    expect(second?.headers['cache-control']).toBe('no-store');
  });
});
