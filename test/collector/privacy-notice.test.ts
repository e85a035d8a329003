import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCollector } from '../../collector/app.js';
import { negotiateLanguage } from '../../collector/notice/language.js';
import { NOTICE_CSP, renderNotice } from '../../collector/notice/render.js';
import { noticeFacts } from '../../collector/routes/privacy-notice.js';
import { RedisSaltStore } from '../../collector/salt-store.js';
import { loadConfig } from '../../core/config.js';
import { Metrics } from '../../core/metrics.js';
import { privacyFacts } from '../../core/privacy-facts.js';
import { EventsQueue } from '../../core/queue/events-queue.js';
import { connectRedis, type RedisClient, waitUntilConnected } from '../../core/redis/connect.js';
import { browserTest, describeInBrowser } from '../fixtures/browser.js';
import { captureLogs } from '../fixtures/log-sink.js';
import { SHOP_ORIGIN } from '../fixtures/pipeline.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';

/**
 * The shoppers' notice (GET /privacy) and the shop's snippet (GET /privacy/snippet), served by a
 * real collector on the test Redis, configured away from every default the notice states, so a
 * page that printed defaults (or nothing) would fail.
 */
const ENV = {
  KANON_SITES: `shop=${SHOP_ORIGIN}`,
  KANON_K: '7',
  KANON_MIN_NETWORKS: '3',
  KANON_RETENTION: '90d',
  KANON_STAGING_TTL: '36h',
  KANON_HONOR_DNT: 'false',
};

let collector: FastifyInstance;
let url: string;
let queue: EventsQueue;
let saltRedis: RedisClient;

beforeAll(async () => {
  const prefix = uniquePrefix('notice');
  const config = loadConfig({ ...ENV, REDIS_URL: testRedisUrl(), KANON_QUEUE_PREFIX: prefix });
  queue = EventsQueue.create({ url: testRedisUrl(), prefix });
  saltRedis = connectRedis(testRedisUrl(), 'producer');
  await Promise.all([queue.connected(), waitUntilConnected(saltRedis)]);
  collector = await buildCollector({
    config: config.collector,
    queue,
    salts: new RedisSaltStore(saltRedis, prefix),
    log: captureLogs().log,
    metrics: new Metrics(),
    privacyFacts: () => privacyFacts(config),
  });
  await collector.listen({ host: '127.0.0.1', port: 0 });
  const address = collector.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await collector?.close();
  await queue?.close();
  saltRedis?.disconnect();
});

/** What each language must say with ENV's settings: K, the networks, both lifetimes, the flag. */
const EXPECTED = {
  en: {
    title: 'Visit statistics on this shop',
    says: ['at least 7 different visitors', 'at least 3 different networks', 'kept for 90 days', '36 hours'],
  },
  de: {
    title: 'Besuchsstatistik in diesem Shop',
    says: [
      'mindestens 7 verschiedenen Besuchern',
      'mindestens 3 verschiedenen Netzen',
      '90 Tage lang',
      '36 Stunden',
    ],
  },
  fr: {
    title: 'Statistiques de visite de cette boutique',
    says: [
      'au moins 7 visiteurs différents',
      'au moins 3 réseaux différents',
      'conservées 90 jours',
      '36 heures',
    ],
  },
} as const;

describeInBrowser('the shoppers’ notice in a browser', () => {
  for (const [language, expected] of Object.entries(EXPECTED)) {
    browserTest(`renders in ${language} from the running configuration`, async ({ context }) => {
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
      });
      const response = await page.goto(`${url}/privacy?lang=${language}`);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toBe(NOTICE_CSP);
      const shown = await page.evaluate(() => {
        const w = globalThis as unknown as {
          document: {
            documentElement: { lang: string };
            querySelector(selector: string): { textContent: string | null } | null;
            body: { innerText: string };
            styleSheets: { length: number };
          };
          getComputedStyle(element: unknown): { maxWidth: string };
        };
        return {
          lang: w.document.documentElement.lang,
          h1: w.document.querySelector('h1')?.textContent ?? '',
          // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as a shopper reads it.
          text: w.document.body.innerText,
          // The stylesheet applied: CSP let the inline style through by its hash.
          mainWidth: w.getComputedStyle(w.document.querySelector('main')).maxWidth,
        };
      });
      expect(shown.lang).toBe(language);
      expect(shown.h1).toContain(expected.title);
      for (const phrase of expected.says) expect(shown.text).toContain(phrase);
      // KANON_HONOR_DNT=false: the notice promises GPC only.
      expect(shown.text).toContain('Global Privacy Control');
      expect(shown.text).not.toContain('Do Not Track');
      expect(shown.text).toContain('kanon_opt_out');
      expect(shown.mainWidth).not.toBe('none');
      expect(violations).toEqual([]);
    });
  }

  browserTest('picks the language from Accept-Language, and links to the others', async ({ browser }) => {
    const context = await browser.newContext({ locale: 'de-CH', extraHTTPHeaders: {} });
    try {
      const page = await context.newPage();
      await page.goto(`${url}/privacy`);
      expect(
        await page.evaluate(
          () =>
            (globalThis as unknown as { document: { documentElement: { lang: string } } }).document
              .documentElement.lang,
        ),
      ).toBe('de');
      await page.click('a[hreflang="fr"]');
      await page.waitForURL(/lang=fr/);
      expect(await page.textContent('h1')).toContain(EXPECTED.fr.title);
    } finally {
      await context.close();
    }
  });
});

describe('GET /privacy and /privacy/snippet', () => {
  it('negotiates Accept-Language by weight, and falls back to English', () => {
    expect(negotiateLanguage('fr-CA,fr;q=0.9,en;q=0.8')).toBe('fr');
    expect(negotiateLanguage('es-ES,es;q=0.9,de;q=0.8,en;q=0.7')).toBe('de');
    expect(negotiateLanguage('en;q=0.5,de;q=0.6')).toBe('de');
    expect(negotiateLanguage('de;q=0,fr;q=0.1')).toBe('fr');
    expect(negotiateLanguage('*')).toBe('en');
    expect(negotiateLanguage('ja')).toBe('en');
    expect(negotiateLanguage(undefined)).toBe('en');
  });

  it('refuses a language it does not have with a clear 400', async () => {
    for (const query of ['lang=es', 'lang=en&lang=de', 'lang=%3Cscript%3E']) {
      const response = await fetch(`${url}/privacy?${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: { code: 'unsupported_language', message: 'lang must be one of en, de, fr.' },
      });
    }
  });

  it('says which language it answered in, and that it varies by Accept-Language', async () => {
    const response = await fetch(`${url}/privacy`, { headers: { 'accept-language': 'fr-FR' } });
    expect(response.headers.get('content-language')).toBe('fr');
    expect(response.headers.get('vary')).toMatch(/Accept-Language/i);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  });

  it('escapes what the request brings into the snippet', async () => {
    // fetch sets Host itself; node:http sends the one given.
    const { status, type, text } = await new Promise<{ status?: number; type?: string; text: string }>(
      (resolve, reject) => {
        const request = httpRequest(
          `${url}/privacy/snippet?lang=en`,
          { headers: { host: 'evil.example"><script>alert(1)</script>' } },
          (response) => {
            let text = '';
            response.on('data', (chunk) => {
              text += chunk;
            });
            response.on('end', () =>
              resolve({ status: response.statusCode, type: response.headers['content-type'], text }),
            );
          },
        );
        request.on('error', reject);
        request.end();
      },
    );
    expect(status).toBe(200);
    expect(type).toBe('text/plain; charset=utf-8');
    expect(text).toContain('evil.example&#34;&#62;&#60;script&#62;');
    expect(text).not.toContain('<script>alert(1)');
  });

  it('gives the shop a snippet with K, the retention and the opt-out control, in each language', async () => {
    const snippet = async (language: string) =>
      (await fetch(`${url}/privacy/snippet?lang=${language}`)).text();
    const en = await snippet('en');
    expect(en).toContain('at least 7 visitors are kept, for 90 days');
    expect(en).toContain('id="kanon-opt-out-button"');
    expect(en).toContain(`href="${url}/privacy?lang=en"`);
    // The hash a shop's Content-Security-Policy needs is that of the script as pasted.
    const hash = /script-src 'sha256-([A-Za-z0-9+/]+=*)'/.exec(en)?.[1];
    const script = /<script>([\s\S]*?)<\/script>/.exec(en)?.[1] ?? '';
    expect(hash).toBe(createHash('sha256').update(script).digest('base64'));
    expect(await snippet('de')).toContain('mindestens 7 Besuchern, 90 Tage lang');
    expect(await snippet('fr')).toContain('au moins 7 visiteurs sont conservées, pendant 90 jours');
  });
});

describe('the notice in noise mode', () => {
  const notice = (env: Record<string, string>, language: 'en' | 'de' | 'fr') => {
    const config = loadConfig({ ...ENV, ...env, REDIS_URL: testRedisUrl() });
    return renderNotice(
      noticeFacts(() => privacyFacts(config)),
      language,
    );
  };

  it('states the noise and its ε per visitor and day when KANON_EPSILON is set, in each language', () => {
    expect(notice({ KANON_EPSILON: '4' }, 'en')).toContain('differential privacy, ε = 4 per visitor and day');
    expect(notice({ KANON_EPSILON: '4' }, 'de')).toContain('Differential Privacy, ε = 4 je Besucher und Tag');
    expect(notice({ KANON_EPSILON: '4' }, 'fr')).toContain(
      'confidentialité différentielle, ε = 4 par visiteur et par jour',
    );
  });

  it('says nothing of noise when the figures are exact', () => {
    for (const language of ['en', 'de', 'fr'] as const) expect(notice({}, language)).not.toContain('ε');
  });
});
