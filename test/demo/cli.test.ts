import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { parseCli } from '../../demo/simulator/cli-args.js';
import { RateLimiter } from '../../demo/simulator/rate-limiter.js';

const TOKEN = 'cli-test-backfill-token-0123456789';

describe('the simulate command line', () => {
  const config = loadConfig({
    KANON_SITES: 'shop-eu=https://shop.example,https://www.shop.example;demo=http://localhost:8082',
    KANON_HOST: '0.0.0.0',
    KANON_COLLECTOR_PORT: '9090',
    KANON_BACKFILL_TOKEN: TOKEN,
  });

  it('takes its defaults from the configuration', () => {
    expect(parseCli([], config)).toEqual({
      kind: 'run',
      json: false,
      options: {
        collectorUrl: 'http://127.0.0.1:9090',
        site: 'shop-eu',
        origin: 'https://shop.example',
        visitors: 5000,
        days: 7,
        concurrency: 64,
        seed: 1,
        backfillToken: TOKEN,
      },
    });
  });

  it('uses the chosen site and its first origin, and the given numbers', () => {
    const cli = parseCli(
      ['--site', 'demo', '--visitors', '200', '--days', '0', '--rate', '50', '--seed', '9'],
      config,
    );
    expect(cli).toMatchObject({
      kind: 'run',
      options: { site: 'demo', origin: 'http://localhost:8082', visitors: 200, days: 0, rate: 50, seed: 9 },
    });
  });

  it.each([
    [['--visitors', 'many'], /--visitors must be a whole number/],
    [['--days', '40'], /--days must be a whole number from 0 to 30/],
    [['--rate', '0'], /--rate must be a whole number from 1/],
    [['--site', 'nope'], /site "nope" is not in KANON_SITES here: pass --origin/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('refuses %j with a usage error', (argv, message) => {
    const cli = parseCli(argv, config);
    expect(cli.kind).toBe('usage_error');
    expect(cli.kind === 'usage_error' && cli.message).toMatch(message);
  });
});

describe('the rate limiter', () => {
  it('spaces requests evenly at the given rate, with no burst after a pause', () => {
    let now = 0;
    const limiter = new RateLimiter(100, () => now);
    expect(Array.from({ length: 5 }, () => limiter.reserve())).toEqual([0, 10, 20, 30, 40]);
    now = 1000;
    expect([limiter.reserve(), limiter.reserve()]).toEqual([0, 10]);
  });

  it('never waits without a rate', () => {
    const limiter = new RateLimiter(undefined, () => 0);
    expect(Array.from({ length: 3 }, () => limiter.reserve())).toEqual([0, 0, 0]);
  });
});
