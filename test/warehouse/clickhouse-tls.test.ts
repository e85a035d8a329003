import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { openWarehouse } from '../../core/warehouse/open-warehouse.js';
import { makeTestCertificates, type TestCertificates } from '../fixtures/tls-certs.js';

/**
 * There is no ClickHouse server with TLS here, so this checks the part that is Kanon's: that the
 * KANON_CLICKHOUSE_TLS_* files reach @clickhouse/client. The server is a bare HTTPS endpoint with
 * a certificate from a CA made for this run, which wants a client certificate from the same CA
 * and answers every request with an empty 200 (what ClickHouse answers a DDL statement). What
 * ClickHouse itself does over TLS (its https_port, its openSSL settings) is not tested here.
 */
describe('ClickHouse over TLS (https://)', () => {
  let certs: TestCertificates;
  let server: Server;
  let url: string;
  /** The client certificate's subject of each request the server answered. */
  const seen: string[] = [];

  beforeAll(async () => {
    certs = makeTestCertificates();
    server = createServer(
      {
        cert: readFileSync(certs.serverCert),
        key: readFileSync(certs.serverKey),
        ca: readFileSync(certs.ca),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (request, response) => {
        const commonName = (request.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '';
        seen.push(Array.isArray(commonName) ? commonName.join(',') : commonName);
        request.resume();
        request.on('end', () => response.writeHead(200).end());
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    certs?.remove();
  });

  const open = (env: Record<string, string>) =>
    openWarehouse(loadConfig({ CLICKHOUSE_URL: url, ...env }).warehouse);

  it('connects with the CA, client certificate and key it is given', async () => {
    seen.length = 0;
    const warehouse = await open({
      KANON_CLICKHOUSE_TLS_CA: certs.ca,
      KANON_CLICKHOUSE_TLS_CERT: certs.clientCert,
      KANON_CLICKHOUSE_TLS_KEY: certs.clientKey,
    });
    await warehouse.exec('SELECT 1');
    await warehouse.close();
    // The database is created on a connection of its own, then the statement runs on the client's.
    expect(seen).toEqual(['client', 'client']);
  });

  it('refuses a server its CA did not sign, and is refused without a client certificate', async () => {
    seen.length = 0;
    await expect(open({})).rejects.toThrow();
    await expect(
      open({
        KANON_CLICKHOUSE_TLS_CA: certs.otherCa,
        KANON_CLICKHOUSE_TLS_CERT: certs.clientCert,
        KANON_CLICKHOUSE_TLS_KEY: certs.clientKey,
      }),
    ).rejects.toThrow();
    await expect(open({ KANON_CLICKHOUSE_TLS_CA: certs.ca })).rejects.toThrow();
    expect(seen).toEqual([]);
  });
});
