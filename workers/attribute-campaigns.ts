import type { RedisClient } from '../core/redis/connect.js';
import type { KeyLayout } from '../core/redis/key-layout.js';
import { dayOfMs } from '../core/time.js';
import type { AnonymousEvent } from '../schema/event.js';
import { isEntry } from '../schema/reports.js';

/**
 * First-touch campaign attribution within a UTC day, so the campaigns report can show the add-to-
 * carts and orders a campaign brought, not only its visits. The tracker keeps no state between
 * pages (no cookies, no storage), so the worker remembers, per visitor token and day, the campaign
 * of the visit's landing page in Redis: `<prefix>:visit:<site>:<day>:<token>` (on a Redis Cluster
 * with the site in a hash tag, core/redis/key-layout.ts), set once (NX) and
 * expiring an hour after the day ends (a backfilled past day's, an hour after it is set), with the
 * day's salt. Like the token itself it cannot be
 * linked to a person and is gone with its day (docs/privacy.md).
 *
 * Two Redis round trips per batch and site, never per event: a site's records share a hash slot,
 * so on a cluster each site's SETs and MGET go to one primary. Best effort: a cart event staged before its
 * landing page (two workers racing) stays unattributed.
 */
const SEPARATOR = '\u001f';
const COMMERCE = new Set<AnonymousEvent['type']>(['add_to_cart', 'checkout', 'purchase']);

const hasCampaign = (event: AnonymousEvent) =>
  Boolean(event.utm_source || event.utm_medium || event.utm_campaign);

function bySite(events: AnonymousEvent[]): AnonymousEvent[][] {
  const groups = new Map<string, AnonymousEvent[]>();
  for (const event of events) {
    const group = groups.get(event.site);
    if (group) group.push(event);
    else groups.set(event.site, [event]);
  }
  return [...groups.values()];
}

export function createCampaignAttribution(
  redis: RedisClient,
  keys: Pick<KeyLayout, 'visitKey'>,
  clock: () => number = Date.now,
) {
  const key = (event: AnonymousEvent) => keys.visitKey(event.site, dayOfMs(event.ts), event.visitor);
  // An hour after the visit's day ends, for the visit's late events. A backfilled past day's record
  // lives an hour from now instead: its day has already ended, and a time in the past would have
  // expired it at once, leaving every backfilled order unattributed.
  const expiresAt = (event: AnonymousEvent) =>
    Math.max(
      Math.floor(Date.parse(`${dayOfMs(event.ts)}T00:00:00Z`) / 1000) + 86_400,
      Math.floor(clock() / 1000),
    ) + 3600;

  return async function attribute(events: AnonymousEvent[]): Promise<AnonymousEvent[]> {
    const landings = events.filter((event) => isEntry(event) && hasCampaign(event));
    await Promise.all(
      bySite(landings).map(async (ofSite) => {
        const pipeline = redis.pipeline();
        for (const event of ofSite) {
          const value = [event.utm_source, event.utm_medium, event.utm_campaign].join(SEPARATOR);
          pipeline.set(key(event), value, 'EXAT', expiresAt(event), 'NX');
        }
        await pipeline.exec();
      }),
    );
    const unattributed = events.filter((event) => COMMERCE.has(event.type) && !hasCampaign(event));
    if (unattributed.length === 0) return events;
    const byEvent = new Map<AnonymousEvent, string | null>();
    await Promise.all(
      bySite(unattributed).map(async (ofSite) => {
        const campaigns = await redis.mget(...ofSite.map(key));
        for (const [index, event] of ofSite.entries()) byEvent.set(event, campaigns[index] ?? null);
      }),
    );
    return events.map((event) => {
      const campaign = byEvent.get(event);
      if (!campaign) return event;
      const [utm_source = '', utm_medium = '', utm_campaign = ''] = campaign.split(SEPARATOR);
      return { ...event, utm_source, utm_medium, utm_campaign };
    });
  };
}
