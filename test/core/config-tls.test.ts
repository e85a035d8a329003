import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';
import { makeTestCertificates, type TestCertificates } from '../fixtures/tls-certs.js';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeTestCertificates();
});
afterAll(() => certs.remove());

/** The problems a ConfigError lists, or [] when the configuration loads. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

/** Every base64 line of the test PKI's PEM files: what a leaking message would quote. */
const pemLines = () =>
  [certs.ca, certs.clientCert, certs.clientKey, certs.serverKey].flatMap((path) =>
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.length > 20 && !line.startsWith('-----')),
  );

describe('TLS files in the configuration', () => {
  it('reads the Redis CA, client certificate and key for a rediss:// REDIS_URL', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://127.0.0.1:6380',
      KANON_REDIS_TLS_CA: certs.ca,
      KANON_REDIS_TLS_CERT: certs.clientCert,
      KANON_REDIS_TLS_KEY: certs.clientKey,
    });
    expect(config.redis.tls?.ca?.toString()).toBe(readFileSync(certs.ca, 'utf8'));
    expect(config.redis.tls?.cert?.toString()).toBe(readFileSync(certs.clientCert, 'utf8'));
    expect(config.redis.tls?.key?.toString()).toBe(readFileSync(certs.clientKey, 'utf8'));
  });

  it('reads the ClickHouse CA, client certificate and key for an https:// CLICKHOUSE_URL', () => {
    const config = loadConfig({
      CLICKHOUSE_URL: 'https://127.0.0.1:8443',
      KANON_CLICKHOUSE_TLS_CA: certs.ca,
      KANON_CLICKHOUSE_TLS_CERT: certs.clientCert,
      KANON_CLICKHOUSE_TLS_KEY: certs.clientKey,
    });
    expect(config.warehouse.kind === 'server' && config.warehouse.tls?.ca?.toString()).toBe(
      readFileSync(certs.ca, 'utf8'),
    );
    expect(config.warehouse.kind === 'server' && config.warehouse.tls?.key?.toString()).toBe(
      readFileSync(certs.clientKey, 'utf8'),
    );
  });

  it('names the variable of a file that does not exist', () => {
    expect(
      problems({ REDIS_URL: 'rediss://127.0.0.1:6380', KANON_REDIS_TLS_CA: join(certs.dir, 'missing.crt') }),
    ).toEqual(['KANON_REDIS_TLS_CA: cannot read the file it names (ENOENT)']);
  });

  it('refuses a key given as a certificate and a certificate given as a key, quoting neither', () => {
    const found = problems({
      CLICKHOUSE_URL: 'https://127.0.0.1:8443',
      KANON_CLICKHOUSE_TLS_CA: certs.clientKey,
      KANON_CLICKHOUSE_TLS_CERT: certs.clientKey,
      KANON_CLICKHOUSE_TLS_KEY: certs.clientCert,
    });
    expect(found).toEqual([
      'KANON_CLICKHOUSE_TLS_CA: is not a PEM file of certificates (-----BEGIN CERTIFICATE-----)',
      'KANON_CLICKHOUSE_TLS_CERT: is not a PEM file of certificates (-----BEGIN CERTIFICATE-----)',
      'KANON_CLICKHOUSE_TLS_KEY: is not a PEM private key (-----BEGIN PRIVATE KEY-----)',
    ]);
    for (const line of pemLines()) expect(found.join('\n')).not.toContain(line);
  });

  it('refuses a file of garbage without quoting it', () => {
    const garbage = join(certs.dir, 'garbage.pem');
    writeFileSync(
      garbage,
      '-----BEGIN CERTIFICATE-----\nc2VjcmV0LXNlY3JldC1zZWNyZXQ=\n-----END CERTIFICATE-----\n',
    );
    const found = problems({ REDIS_URL: 'rediss://127.0.0.1:6380', KANON_REDIS_TLS_CA: garbage });
    expect(found).toEqual([
      'KANON_REDIS_TLS_CA: is not a PEM file of certificates (-----BEGIN CERTIFICATE-----)',
    ]);
    expect(found.join('\n')).not.toContain('c2VjcmV0');
  });

  it('wants a client certificate and its key together, and matching', () => {
    expect(
      problems({ REDIS_URL: 'rediss://127.0.0.1:6380', KANON_REDIS_TLS_CERT: certs.clientCert }),
    ).toEqual([
      'KANON_REDIS_TLS_KEY: must be set with KANON_REDIS_TLS_CERT (the client certificate and its key)',
    ]);
    expect(problems({ REDIS_URL: 'rediss://127.0.0.1:6380', KANON_REDIS_TLS_KEY: certs.clientKey })).toEqual([
      'KANON_REDIS_TLS_CERT: must be set with KANON_REDIS_TLS_KEY (the client certificate and its key)',
    ]);
    expect(
      problems({
        REDIS_URL: 'rediss://127.0.0.1:6380',
        KANON_REDIS_TLS_CERT: certs.clientCert,
        KANON_REDIS_TLS_KEY: certs.serverKey,
      }),
    ).toEqual(['KANON_REDIS_TLS_KEY: is not the private key of KANON_REDIS_TLS_CERT']);
  });

  it('refuses TLS files for a connection that would not use them', () => {
    expect(problems({ KANON_REDIS_TLS_CA: certs.ca })).toEqual([
      'KANON_REDIS_TLS_CA: set, but neither REDIS_URL nor KANON_SALT_REDIS_URL is a rediss:// URL',
    ]);
    expect(problems({ REDIS_URL: 'redis://127.0.0.1:6379', KANON_REDIS_TLS_CA: certs.ca })).toEqual([
      'KANON_REDIS_TLS_CA: set, but neither REDIS_URL nor KANON_SALT_REDIS_URL is a rediss:// URL',
    ]);
    expect(problems({ CLICKHOUSE_URL: 'http://127.0.0.1:8123', KANON_CLICKHOUSE_TLS_CA: certs.ca })).toEqual([
      'KANON_CLICKHOUSE_TLS_CA: set, but CLICKHOUSE_URL is not an https:// URL',
    ]);
  });

  it('takes the salts Redis alone over TLS, the queue on a private one', () => {
    const config = loadConfig({
      KANON_SALT_REDIS_URL: 'rediss://salts.internal:6380',
      KANON_REDIS_TLS_CA: certs.ca,
    });
    expect(config.redis.tls?.ca).toBeDefined();
  });
});
