import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';
import { fastifyTrustProxy } from '../../core/http/trust-proxy.js';

const settingOf = (value: string | undefined) =>
  loadConfig({ KANON_TRUST_PROXY: value }).collector.trustProxy;

describe('KANON_TRUST_PROXY: the forms it takes', () => {
  it.each([
    [undefined, false],
    ['false', false],
    ['0', false],
    ['true', 1],
    ['1', 1],
    ['2', 2],
    ['10.0.0.1', ['10.0.0.1']],
    ['10.0.0.0/8, 2001:db8::/32 ::1', ['10.0.0.0/8', '2001:db8::/32', '::1']],
    ['::ffff:10.0.0.0/104', ['::ffff:10.0.0.0/104']],
  ])('reads %s as %j (true is one hop, never "believe every entry")', (value, expected) => {
    expect(settingOf(value)).toEqual(expected);
  });

  it.each([
    'yes',
    '100',
    '1.2.3',
    '127.1',
    'dead',
    ',',
    '10.0.0.0/33',
    '10.0.0.0/0',
    '2001:db8::/129',
    '10.0.0.1/8/8',
    '10.0.0.1, 10.0.0.300',
  ])('refuses %s at start with a ConfigError naming the variable', (value) => {
    let error: unknown;
    try {
      loadConfig({ KANON_TRUST_PROXY: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^KANON_TRUST_PROXY: must be false, true, a hop count, or proxy addresses/);
  });
});

/**
 * What Fastify makes of each form, over real sockets: several X-Forwarded-For lines (Node joins
 * them with ", " in order), spaces, empty and garbage entries, IPv6, and IPv4-mapped addresses.
 * The client address is always the rightmost one no trusted proxy added.
 */
describe('KANON_TRUST_PROXY: the client address Fastify reports', () => {
  const servers: FastifyInstance[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  async function echoServer(setting: string, host: string): Promise<number> {
    const app = Fastify({ trustProxy: fastifyTrustProxy(settingOf(setting)) });
    app.get('/', async (request) => request.ip);
    await app.listen({ host, port: 0 });
    servers.push(app);
    return (app.server.address() as AddressInfo).port;
  }

  /** GET / with each X-Forwarded-For line as a header line of its own. */
  function clientAddress(port: number, from: string, lines: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: from });
      let raw = '';
      socket.on('data', (chunk) => {
        raw += chunk;
      });
      socket.on('end', () => resolve(raw.split('\r\n\r\n')[1] ?? ''));
      socket.on('error', reject);
      const head = ['GET / HTTP/1.1', 'Host: kanon.test', ...lines.map((line) => `X-Forwarded-For: ${line}`)];
      socket.end(`${[...head, 'Connection: close', '', ''].join('\r\n')}`);
    });
  }

  it.each([
    // [setting, server host, client host, X-Forwarded-For lines, client address]
    ['false', '127.0.0.1', '127.0.0.1', ['198.51.100.1'], '127.0.0.1'],
    ['true', '127.0.0.1', '127.0.0.1', ['198.51.100.1, 203.0.113.7'], '203.0.113.7'],
    ['true', '127.0.0.1', '127.0.0.1', [], '127.0.0.1'],
    ['1', '127.0.0.1', '127.0.0.1', ['198.51.100.1', '198.51.100.2, 203.0.113.7'], '203.0.113.7'],
    ['1', '127.0.0.1', '127.0.0.1', [' 198.51.100.1 ,\t203.0.113.7 '], '203.0.113.7'],
    ['1', '127.0.0.1', '127.0.0.1', ['not-an-address,, 203.0.113.7'], '203.0.113.7'],
    ['1', '127.0.0.1', '127.0.0.1', ['2001:db8::bad, 2001:db8::7'], '2001:db8::7'],
    ['2', '127.0.0.1', '127.0.0.1', ['198.51.100.1, 203.0.113.7, 10.0.0.2'], '203.0.113.7'],
    ['127.0.0.1', '127.0.0.1', '127.0.0.1', ['198.51.100.1', '203.0.113.7'], '203.0.113.7'],
    ['10.0.0.1', '127.0.0.1', '127.0.0.1', ['198.51.100.1'], '127.0.0.1'],
    [
      '127.0.0.1 10.0.0.0/8',
      '127.0.0.1',
      '127.0.0.1',
      ['198.51.100.1, 203.0.113.7, 10.9.9.9'],
      '203.0.113.7',
    ],
    // A mapped proxy address is the IPv4 one, in the header and as the socket of a dual-stack server.
    [
      '127.0.0.1 10.0.0.0/8',
      '127.0.0.1',
      '127.0.0.1',
      ['198.51.100.1, 203.0.113.7, ::ffff:10.0.0.2'],
      '203.0.113.7',
    ],
    ['127.0.0.1', '::', '127.0.0.1', ['198.51.100.1, 203.0.113.7'], '203.0.113.7'],
    ['::1', '::1', '::1', ['2001:db8::bad, 2001:db8::7'], '2001:db8::7'],
    ['127.0.0.1,::1', '::1', '::1', ['198.51.100.1, 203.0.113.7'], '203.0.113.7'],
    ['10.0.0.1', '::', '127.0.0.1', ['198.51.100.1'], '::ffff:127.0.0.1'],
  ])(
    'with %s (server on %s, client on %s), X-Forwarded-For %j comes from %s',
    async (setting, host, from, lines, expected) => {
      const port = await echoServer(setting, host);
      expect(await clientAddress(port, from, lines)).toBe(expected);
    },
  );
});
