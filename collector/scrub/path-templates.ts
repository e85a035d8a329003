import type { PathTemplate } from '../../core/path-templates.js';
import { PLACEHOLDERS } from './placeholders.js';

/**
 * Pages of an account area that follow a keyword in shop paths (`/account/login`,
 * `/users/me`, `/orders/history`, Magento's `/customer/account/edit`) and are never a person's name
 * or an order's number. They stay, so merchandisers still see which account pages are used; any
 * other segment after a keyword becomes the placeholder, since a name cannot be told from a word.
 */
const ACCOUNT_PAGES = new Set([
  'login',
  'logout',
  'signin',
  'signout',
  'sign-in',
  'sign-out',
  'signup',
  'sign-up',
  'register',
  'registration',
  'create',
  'new',
  'edit',
  'settings',
  'preferences',
  'details',
  'overview',
  'dashboard',
  'index',
  'history',
  'address',
  'addresses',
  'payment',
  'payments',
  'payment-methods',
  'wallet',
  'wishlist',
  'favorites',
  'favourites',
  'returns',
  'password',
  'forgot-password',
  'reset-password',
  'security',
  'notifications',
  'subscriptions',
  'newsletter',
  'loyalty',
  'rewards',
  'reviews',
  'messages',
  'track',
  'tracking',
  'view',
  'confirmation',
  'success',
  'status',
  'invoices',
  'downloads',
  'me',
]);

const PLACEHOLDER_SEGMENTS: ReadonlySet<string> = new Set(Object.values(PLACEHOLDERS));

/**
 * Path templates ready to apply (KANON_PATH_TEMPLATES). Built once from the configured list, whose
 * entries it copies: applying them runs on every page URL the collector has not seen yet, and a
 * matcher that cannot change is what lets the page cache keep its answers (page-cache.ts).
 */
export class PathTemplates {
  private readonly placeholders: ReadonlyMap<string, PathTemplate['placeholder']>;
  /** A keyword segment with a segment after it. Most paths have none and need no split (~90 ns). */
  private readonly mayApply: RegExp | undefined;

  constructor(templates: readonly PathTemplate[]) {
    this.placeholders = new Map(templates.map((template) => [template.keyword, template.placeholder]));
    const keywords = [...this.placeholders.keys()].map((keyword) =>
      keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    );
    this.mayApply =
      keywords.length === 0 ? undefined : new RegExp(`(?:^|/)(?:${keywords.join('|')})/[^/]`, 'i');
    Object.freeze(this);
  }

  /**
   * Replaces the segment after each keyword with its placeholder: `/account/john.smith/orders`
   * becomes `/account/:name/orders`, `/orders/A-1001` becomes `/orders/:id`. Runs on a scrubbed
   * path, so a segment a detector already replaced (`/account/:email`) keeps its more telling
   * placeholder. Applying it twice changes nothing: what it writes is a placeholder, which it keeps.
   */
  apply(path: string): string {
    if (this.mayApply === undefined || !this.mayApply.test(path)) return path;
    const segments = path.split('/');
    let changed = false;
    for (let index = 0; index < segments.length - 1; index++) {
      const placeholder = this.placeholders.get(segments[index]!.toLowerCase());
      if (placeholder === undefined || this.keeps(segments[index + 1]!)) continue;
      segments[index + 1] = PLACEHOLDERS[placeholder];
      changed = true;
    }
    return changed ? segments.join('/') : path;
  }

  /** The segment after a keyword stays when empty, another keyword, an account page or a placeholder. */
  private keeps(segment: string): boolean {
    if (segment === '' || PLACEHOLDER_SEGMENTS.has(segment)) return true;
    const lower = segment.toLowerCase();
    return ACCOUNT_PAGES.has(lower) || this.placeholders.has(lower);
  }
}
