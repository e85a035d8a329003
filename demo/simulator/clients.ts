/**
 * Browser profiles: a user agent and the headers that browser always sends with it, so simulated
 * people pass the collector's consistency checks (collector/steps/detect-bot.ts) the way real ones
 * do: client hints (Sec-CH-UA) from Chromium browsers only, Fetch metadata from every modern
 * browser, an Accept-Language in the browser's own format. Viewport widths match the device.
 * Weights are a plausible European shop mix, in percent.
 */
export type Engine = 'chromium' | 'firefox' | 'safari';
export type Device = 'desktop' | 'mobile' | 'tablet';

export interface BrowserProfile {
  name: string;
  weight: number;
  device: Device;
  engine: Engine;
  userAgent: string;
  /** Client hints: Chromium only. */
  hints?: { brands: string; mobile: boolean; platform: string };
  /** window.innerWidth values seen on this kind of device. */
  viewports: readonly number[];
}

const CHROME = 'AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0';
const CHROME_BRANDS = '"Not)A;Brand";v="8", "Chromium";v="138", "Google Chrome";v="138"';
const EDGE_BRANDS = '"Not)A;Brand";v="8", "Chromium";v="138", "Microsoft Edge";v="138"';
const SAMSUNG_BRANDS = '"Chromium";v="125", "Not.A/Brand";v="24", "Samsung Internet";v="27.0"';
const WEBKIT = 'AppleWebKit/605.1.15 (KHTML, like Gecko)';
const DESKTOP = [1280, 1366, 1440, 1536, 1600, 1680, 1920, 2560, 1024];
const MAC = [1280, 1440, 1470, 1512, 1680, 1728, 1920];
const IPHONE = [375, 390, 393, 402, 414, 428, 430, 440];
const ANDROID = [360, 384, 393, 412, 448, 480];
const TABLET = [768, 800, 810, 820, 834, 1024, 1180];

export const BROWSERS: readonly BrowserProfile[] = [
  {
    name: 'Chrome on Windows',
    weight: 17,
    device: 'desktop',
    engine: 'chromium',
    userAgent: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) ${CHROME} Safari/537.36`,
    hints: { brands: CHROME_BRANDS, mobile: false, platform: 'Windows' },
    viewports: DESKTOP,
  },
  {
    name: 'Chrome on macOS',
    weight: 5,
    device: 'desktop',
    engine: 'chromium',
    userAgent: `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) ${CHROME} Safari/537.36`,
    hints: { brands: CHROME_BRANDS, mobile: false, platform: 'macOS' },
    viewports: MAC,
  },
  {
    name: 'Edge on Windows',
    weight: 6,
    device: 'desktop',
    engine: 'chromium',
    userAgent: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) ${CHROME} Safari/537.36 Edg/138.0.0.0`,
    hints: { brands: EDGE_BRANDS, mobile: false, platform: 'Windows' },
    viewports: DESKTOP,
  },
  {
    name: 'Firefox on Windows',
    weight: 4,
    device: 'desktop',
    engine: 'firefox',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0',
    viewports: DESKTOP,
  },
  {
    name: 'Firefox on Linux',
    weight: 1,
    device: 'desktop',
    engine: 'firefox',
    userAgent: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
    viewports: DESKTOP,
  },
  {
    name: 'Safari on macOS',
    weight: 6,
    device: 'desktop',
    engine: 'safari',
    userAgent: `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) ${WEBKIT} Version/18.5 Safari/605.1.15`,
    viewports: MAC,
  },
  {
    name: 'Safari on iPhone',
    weight: 20,
    device: 'mobile',
    engine: 'safari',
    userAgent: `Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) ${WEBKIT} Version/18.5 Mobile/15E148 Safari/604.1`,
    viewports: IPHONE,
  },
  {
    name: 'Safari on an older iPhone',
    weight: 3,
    device: 'mobile',
    engine: 'safari',
    userAgent: `Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_10 like Mac OS X) ${WEBKIT} Version/16.6 Mobile/15E148 Safari/604.1`,
    viewports: [375, 390, 414, 428],
  },
  {
    // Chrome on iOS is WebKit underneath: no client hints.
    name: 'Chrome on iPhone',
    weight: 3,
    device: 'mobile',
    engine: 'chromium',
    userAgent: `Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) ${WEBKIT} CriOS/138.0.7204.156 Mobile/15E148 Safari/604.1`,
    viewports: IPHONE,
  },
  {
    name: 'Chrome on Android',
    weight: 20,
    device: 'mobile',
    engine: 'chromium',
    userAgent: `Mozilla/5.0 (Linux; Android 10; K) ${CHROME} Mobile Safari/537.36`,
    hints: { brands: CHROME_BRANDS, mobile: true, platform: 'Android' },
    viewports: ANDROID,
  },
  {
    name: 'Samsung Internet',
    weight: 4,
    device: 'mobile',
    engine: 'chromium',
    userAgent:
      'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36',
    hints: { brands: SAMSUNG_BRANDS, mobile: true, platform: 'Android' },
    viewports: ANDROID,
  },
  {
    name: 'Firefox on Android',
    weight: 1,
    device: 'mobile',
    engine: 'firefox',
    userAgent: 'Mozilla/5.0 (Android 14; Mobile; rv:140.0) Gecko/140.0 Firefox/140.0',
    viewports: ANDROID,
  },
  {
    name: 'Safari on iPad',
    weight: 7,
    device: 'tablet',
    engine: 'safari',
    userAgent: `Mozilla/5.0 (iPad; CPU OS 18_5 like Mac OS X) ${WEBKIT} Version/18.5 Mobile/15E148 Safari/604.1`,
    viewports: TABLET,
  },
  {
    name: 'Chrome on an Android tablet',
    weight: 3,
    device: 'tablet',
    engine: 'chromium',
    userAgent: `Mozilla/5.0 (Linux; Android 10; K) ${CHROME} Safari/537.36`,
    hints: { brands: CHROME_BRANDS, mobile: false, platform: 'Android' },
    viewports: TABLET,
  },
];

/** Accept-Language as each engine formats it, for a locale such as `de-DE`. */
export function acceptLanguage(engine: Engine, locale: string): string {
  const language = locale.split('-')[0] ?? 'en';
  const english = language === 'en';
  if (engine === 'safari') return `${locale},${language};q=0.9`;
  if (engine === 'firefox') return english ? `${locale},en;q=0.5` : `${language},en-US;q=0.7,en;q=0.3`;
  return english ? `${locale},en;q=0.9` : `${locale},${language};q=0.9,en-US;q=0.8,en;q=0.7`;
}
