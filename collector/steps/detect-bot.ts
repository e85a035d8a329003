import type { ClientDescription } from './describe-client.js';

/**
 * Step 4: requests that are not a person's browser are dropped and only counted by reason; the
 * user agent and headers of a bot are never kept. Besides the user-agent list, browsers are checked
 * against what real browsers of that family always send.
 */
export type BotReason =
  | 'no_user_agent'
  | 'bot_user_agent'
  | 'headless'
  | 'webdriver'
  | 'no_accept_language'
  | 'client_hints_mismatch'
  | 'missing_fetch_metadata';

export interface BotSignals {
  userAgent: string;
  acceptLanguage: string | undefined;
  secChUa: string | undefined;
  secFetchMode: string | undefined;
  /** The tracker reports navigator.webdriver (set by automation tools). */
  webdriver: boolean;
}

/** Versions from which each engine sends Sec-Fetch-* metadata on every request. */
const FETCH_METADATA_SINCE: Record<ClientDescription['engine'], number> = {
  chromium: 80,
  firefox: 90,
  safari: 17,
  other: Number.POSITIVE_INFINITY,
};

export function detectBot(signals: BotSignals, client: ClientDescription | undefined): BotReason | undefined {
  if (!signals.userAgent.trim() || !client) return 'no_user_agent';
  if (client.bot) return client.bot;
  if (signals.webdriver) return 'webdriver';
  if (!signals.acceptLanguage?.trim()) return 'no_accept_language';
  if (signals.secChUa !== undefined) {
    // Only Chromium-based browsers send client hints; a Firefox or Safari that does is lying.
    if (client.engine !== 'chromium') return 'client_hints_mismatch';
    if (/HeadlessChrome/i.test(signals.secChUa)) return 'headless';
  }
  if (signals.secFetchMode === undefined && client.major >= FETCH_METADATA_SINCE[client.engine]) {
    return 'missing_fetch_metadata';
  }
  return undefined;
}
