import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';
import { LruCache } from '../../core/lru-cache.js';
import type { AnonymousEvent } from '../../schema/event.js';

/**
 * Turns a user agent into coarse families (invariant 1: the string itself is dropped right after).
 * Parsing and the bot list both cost regexes, so each distinct user agent is parsed once and the
 * result cached (docs/architecture.md, performance budget: OpenPanel loses most of its speed to
 * per-request bot regexes).
 */
export interface ClientDescription {
  device: AnonymousEvent['device'];
  browser: string;
  os: string;
  /** Why the user agent alone marks a bot, if it does. */
  bot: 'bot_user_agent' | 'headless' | undefined;
  engine: 'chromium' | 'firefox' | 'safari' | 'other';
  major: number;
}

const BROWSERS: Record<string, string> = {
  Chrome: 'Chrome',
  'Chrome Headless': 'Chrome',
  'Chrome WebView': 'Chrome',
  Chromium: 'Chrome',
  'Mobile Chrome': 'Chrome',
  Safari: 'Safari',
  'Mobile Safari': 'Safari',
  Firefox: 'Firefox',
  'Mobile Firefox': 'Firefox',
  Edge: 'Edge',
  Opera: 'Opera',
  'Opera Touch': 'Opera',
  'Samsung Browser': 'Samsung Internet',
  Yandex: 'Yandex',
  Vivaldi: 'Vivaldi',
  Brave: 'Brave',
  DuckDuckGo: 'DuckDuckGo',
};

const SYSTEMS: Record<string, string> = {
  Windows: 'Windows',
  'Mac OS': 'macOS',
  macOS: 'macOS',
  iOS: 'iOS',
  Android: 'Android',
  Linux: 'Linux',
  Ubuntu: 'Linux',
  Debian: 'Linux',
  Fedora: 'Linux',
  'Chrome OS': 'ChromeOS',
  Chromium_OS: 'ChromeOS',
  HarmonyOS: 'HarmonyOS',
};

const HEADLESS = /HeadlessChrome|PhantomJS|Electron\/|SlimerJS|Puppeteer|Playwright|Lighthouse/i;

function engineOf(ua: string): ClientDescription['engine'] {
  if (/Chrome\/|Chromium\/|CriOS\/|Edg\//.test(ua)) return 'chromium';
  if (/Firefox\/|FxiOS\//.test(ua)) return 'firefox';
  if (/Safari\//.test(ua) && /Version\//.test(ua)) return 'safari';
  return 'other';
}

function deviceOf(type: string | undefined, os: string): ClientDescription['device'] {
  if (type === 'mobile' || type === 'wearable') return 'mobile';
  if (type === 'tablet') return 'tablet';
  if (type === undefined && ['Windows', 'macOS', 'Linux', 'ChromeOS'].includes(os)) return 'desktop';
  return 'other';
}

export function parseClient(userAgent: string): ClientDescription {
  const result = new UAParser(userAgent).getResult();
  const os = SYSTEMS[result.os.name ?? ''] ?? (result.os.name ? 'Other' : '');
  const browser = BROWSERS[result.browser.name ?? ''] ?? (result.browser.name ? 'Other' : '');
  let bot: ClientDescription['bot'];
  if (HEADLESS.test(userAgent)) bot = 'headless';
  else if (isbot(userAgent)) bot = 'bot_user_agent';
  return {
    device: deviceOf(result.device.type, os),
    browser,
    os,
    bot,
    engine: engineOf(userAgent),
    major: Number.parseInt(result.browser.major ?? '0', 10) || 0,
  };
}

export class ClientDescriber {
  private readonly cache: LruCache<string, ClientDescription>;

  constructor(capacity = 10_000) {
    this.cache = new LruCache(capacity);
  }

  describe(userAgent: string): ClientDescription {
    const known = this.cache.get(userAgent);
    if (known) return known;
    const description = parseClient(userAgent);
    this.cache.set(userAgent, description);
    return description;
  }
}
