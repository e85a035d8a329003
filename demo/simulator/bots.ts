import { BROWSERS, type BrowserProfile } from './clients.js';

/**
 * Automated clients that reach a shop's beacon endpoint: crawlers that run the page's scripts,
 * command-line tools, headless and automated browsers, and a scraper that copies a browser's user
 * agent but not its headers. The collector drops each one; `expect` names the drop reason it should
 * give (collector/steps/detect-bot.ts), so tests can check the mix arrives as designed.
 */
export interface BotProfile {
  name: string;
  weight: number;
  userAgent: string;
  expect: 'bot_user_agent' | 'headless' | 'webdriver' | 'missing_fetch_metadata';
  /** Sends the headers of the browser it runs in, or only those it sets itself. */
  browserHeaders: boolean;
  /** Sets navigator.webdriver, which the tracker reports. */
  webdriver: boolean;
  /** The browser it is, or claims to be, when it has one. */
  browser?: BrowserProfile;
  /** Crawlers read many pages quickly; tools send a beacon or two. */
  pages: readonly [min: number, max: number];
  viewport: number;
}

const chromeOnWindows = BROWSERS[0];

export const BOTS: readonly BotProfile[] = [
  {
    name: 'Googlebot (smartphone)',
    weight: 30,
    userAgent:
      'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.7204.183 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    expect: 'bot_user_agent',
    browserHeaders: false,
    webdriver: false,
    pages: [4, 20],
    viewport: 412,
  },
  {
    name: 'bingbot',
    weight: 12,
    userAgent:
      'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/138.0.0.0 Safari/537.36',
    expect: 'bot_user_agent',
    browserHeaders: false,
    webdriver: false,
    pages: [3, 12],
    viewport: 1366,
  },
  {
    name: 'AhrefsBot',
    weight: 8,
    userAgent: 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
    expect: 'bot_user_agent',
    browserHeaders: false,
    webdriver: false,
    pages: [3, 15],
    viewport: 1280,
  },
  {
    name: 'curl',
    weight: 10,
    userAgent: 'curl/8.5.0',
    expect: 'bot_user_agent',
    browserHeaders: false,
    webdriver: false,
    pages: [1, 2],
    viewport: 0,
  },
  {
    name: 'python-requests',
    weight: 6,
    userAgent: 'python-requests/2.32.3',
    expect: 'bot_user_agent',
    browserHeaders: false,
    webdriver: false,
    pages: [1, 3],
    viewport: 0,
  },
  {
    name: 'Headless Chrome',
    weight: 14,
    userAgent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/138.0.0.0 Safari/537.36',
    expect: 'headless',
    browserHeaders: true,
    webdriver: false,
    pages: [2, 10],
    viewport: 800,
  },
  {
    name: 'Chrome driven by WebDriver',
    weight: 12,
    userAgent: chromeOnWindows?.userAgent ?? '',
    expect: 'webdriver',
    browserHeaders: true,
    webdriver: true,
    ...(chromeOnWindows ? { browser: chromeOnWindows } : {}),
    pages: [2, 8],
    viewport: 1280,
  },
  {
    name: 'Scraper posing as Chrome',
    weight: 8,
    userAgent: chromeOnWindows?.userAgent ?? '',
    expect: 'missing_fetch_metadata',
    browserHeaders: false,
    webdriver: false,
    pages: [1, 6],
    viewport: 1920,
  },
];
