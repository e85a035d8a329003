import { NONE, OTHER } from '../../schema/reports.js';

/**
 * Names for generalised groups (level > 0), whose generalised dimensions read `(other)`. The
 * release keeps small groups in these rows so they still count; the UI names them plainly.
 */
export const isOther = (value: string | undefined) => value === OTHER;

export function named(value: string, noneLabel = 'Not set'): string {
  return value === NONE ? noneLabel : value;
}

export function productLabel(productId: string, category: string): string {
  if (!isOther(productId)) return named(productId, 'Unknown product');
  if (!isOther(category)) return `Other products in ${named(category, 'no category')}`;
  return 'All other products';
}

export function categoryLabel(category: string): string {
  return isOther(category) ? 'Other categories' : named(category, 'No category');
}

export function pageLabel(path: string, pageType: string): string {
  if (!isOther(path)) return path;
  if (!isOther(pageType)) return `Other ${pageType} pages`;
  return 'All other pages';
}

export function pageTypeLabel(pageType: string): string {
  return isOther(pageType) ? 'Other page types' : pageType;
}

export function searchLabel(query: string): string {
  if (isOther(query)) return 'Other searches';
  return query === NONE ? '(empty search)' : query;
}

export function slotLabel(slot: string, position: string): string {
  if (isOther(slot)) return 'Other slots';
  if (isOther(position)) return `${named(slot, 'unnamed slot')}: other positions`;
  return `${named(slot, 'unnamed slot')} #${position}`;
}

export function promotionLabel(promo: string, slot: string): string {
  if (!isOther(promo)) return named(promo, 'Unnamed promotion');
  if (!isOther(slot)) return `Other promotions in ${named(slot, 'unnamed slot')}`;
  return 'All other promotions';
}

/** The campaigns report's row of visits, carts and orders no campaign brought (NO_CAMPAIGN). */
export const isNoCampaign = (source: string, medium: string, campaign: string) =>
  source === NONE && medium === NONE && campaign === NONE;

export function campaignLabel(source: string, medium: string, campaign: string): string {
  if (isNoCampaign(source, medium, campaign)) return 'No campaign';
  if (isOther(source)) return 'All other campaigns';
  if (isOther(medium)) return `Other campaigns from ${named(source, 'no source')}`;
  if (isOther(campaign))
    return `Other campaigns from ${named(source, 'no source')} / ${named(medium, 'no medium')}`;
  return named(campaign, 'No campaign name');
}

export function deviceLabel(device: string): string {
  return isOther(device) ? 'Other devices' : device;
}

export function countryLabel(country: string): string {
  if (isOther(country)) return 'Other countries';
  return country === 'ZZ' ? 'Unknown' : country;
}

export function referrerLabel(referrer: string): string {
  return isOther(referrer) ? 'Other sources' : referrer;
}
