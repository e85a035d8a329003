import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { freePort } from '../../core/free-port.js';
import { connectRedis, waitUntilConnected } from '../../core/redis/connect.js';
import type { TlsFiles } from '../../core/tls-files.js';
import {
  afterToday,
  browserHeaders,
  SHOP_ORIGIN,
  shopperAddress,
  startTestPipeline,
  waitForRoomInWindow,
} from '../fixtures/pipeline.js';
import { spawnRedisServer, testRedisUrl } from '../fixtures/redis.js';
import { makeTestCertificates, type TestCertificates } from '../fixtures/tls-certs.js';

/**
 * Kanon's queue against a real TLS Redis: Debian's redis-server with no plain-text port
 * (`--port 0`), only `--tls-port`, that also wants a client certificate (`--tls-auth-clients yes`).
 * The certificates are made for this run with openssl.
 */
describe('Redis over TLS (rediss://)', () => {
  let certs: TestCertificates;
  let server: ChildProcess;
  let url: string;
  let files: Required<TlsFiles>;

  /** Whether a client with these TLS settings (or none) gets a PONG from `target`. */
  async function answers(target: string, tls?: TlsFiles): Promise<boolean> {
    const client = connectRedis(target, 'producer', { tls, retryStrategy: () => null });
    try {
      // A refused handshake ends the client at once (no retries), well before the timeout.
      const ended = once(client, 'end').then(() => {
        throw new Error('refused');
      });
      await Promise.race([waitUntilConnected(client, 3000), ended]);
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }

  beforeAll(async () => {
    certs = makeTestCertificates();
    files = {
      ca: readFileSync(certs.ca),
      cert: readFileSync(certs.clientCert),
      key: readFileSync(certs.clientKey),
    };
    const port = await freePort();
    url = `rediss://127.0.0.1:${port}`;
    server = spawnRedisServer(0, [
      '--tls-port',
      String(port),
      '--tls-cert-file',
      certs.serverCert,
      '--tls-key-file',
      certs.serverKey,
      '--tls-ca-cert-file',
      certs.ca,
      '--tls-auth-clients',
      'yes',
    ]);
    const deadline = Date.now() + 10_000;
    while (!(await answers(url, files))) {
      if (Date.now() > deadline) throw new Error('the TLS redis-server did not start (built without TLS?)');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  afterAll(() => {
    server?.kill('SIGKILL');
    certs?.remove();
  });

  it('refuses a client that does not trust its CA, one without a client certificate, and plain text', async () => {
    expect(await answers(url, files)).toBe(true);
    expect(await answers(url, { cert: files.cert, key: files.key })).toBe(false);
    expect(await answers(url, { ...files, ca: readFileSync(certs.otherCa) })).toBe(false);
    expect(await answers(url, { ca: files.ca })).toBe(false);
    // Plain text (redis:// and no TLS options: the configuration allows KANON_REDIS_TLS_* with rediss:// only).
    expect(await answers(url.replace('rediss://', 'redis://'))).toBe(false);
  });

  it('keeps a plain redis:// address plain when the TLS files are set for the rediss:// one', async () => {
    // A TLS queue Redis beside a plain salts Redis: the TLS files must not turn the plain one to TLS.
    expect(await answers(testRedisUrl(), files)).toBe(true);
    // And the files still apply to the TLS address.
    expect(await answers(url, files)).toBe(true);
  });

  it('carries beacons through the queue to the worker and the release', async () => {
    const pipeline = await startTestPipeline({
      REDIS_URL: url,
      KANON_REDIS_TLS_CA: certs.ca,
      KANON_REDIS_TLS_CERT: certs.clientCert,
      KANON_REDIS_TLS_KEY: certs.clientKey,
      KANON_TRUST_PROXY: 'true',
    });
    try {
      await waitForRoomInWindow(10_000);
      for (let n = 1; n <= 3; n += 1) {
        const response = await pipeline.send(
          { site: 'shop', events: [{ type: 'pageview', url: `${SHOP_ORIGIN}/tls` }] },
          browserHeaders({ 'x-forwarded-for': shopperAddress(n, 30) }),
        );
        expect(response.status).toBe(202);
      }
      await pipeline.drain();
      expect(await pipeline.release(afterToday())).toEqual({ windows: 1, days: 1, more: false });
      const pages = await pipeline.warehouse.query({
        name: 'tls pages',
        sql: "SELECT pageviews, visitors FROM pub_pages_by_day WHERE site = 'shop' AND path = '/tls'",
        row: z.object({ pageviews: z.number(), visitors: z.number() }),
      });
      expect(pages).toEqual([{ pageviews: 3, visitors: 3 }]);
    } finally {
      await pipeline.close();
    }
  });
});
