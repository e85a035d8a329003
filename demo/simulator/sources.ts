import type { Catalogue } from './catalogue.js';
import type { Place } from './places.js';
import type { Random } from './random.js';

/**
 * How visits arrive: typed in, search engines, social networks, a newsletter, paid search and
 * partner sites, with the campaign parameters (utm_*) marketing puts on its links. Referrers are
 * what browsers send under the default policy (strict-origin-when-cross-origin): the origin only.
 * Partner sites are fictional (.example).
 */
export interface Arrival {
  source: string;
  /** document.referrer of the landing page ('' for typed-in and mail apps). */
  referrer: string;
  place: Place;
  /** Query parameters on the landing URL. */
  params: Record<string, string>;
}

interface Source {
  name: string;
  /** First visits; returning visits lean towards typed-in and the newsletter. */
  weight: number;
  returningWeight: number;
  arrive(random: Random, catalogue: Catalogue, country: string): Omit<Arrival, 'source'>;
}

const GOOGLE_TLD: Record<string, string> = {
  DE: 'de',
  AT: 'at',
  CH: 'ch',
  FR: 'fr',
  GB: 'co.uk',
  NL: 'nl',
  IT: 'it',
  ES: 'es',
};
const google = (country: string) => `https://www.google.${GOOGLE_TLD[country] ?? 'com'}/`;
const utm = (source: string, medium: string, campaign: string) => ({
  utm_source: source,
  utm_medium: medium,
  utm_campaign: campaign,
});

function popularProduct(random: Random, catalogue: Catalogue, category?: string): Place {
  const ranked = catalogue.byPopularity.filter((product) => !category || product.category === category);
  return { kind: 'product', product: random.zipf(ranked.length ? ranked : catalogue.byPopularity) };
}

function organicLanding(random: Random, catalogue: Catalogue): Place {
  const roll = random.next();
  if (roll < 0.55) return popularProduct(random, catalogue);
  if (roll < 0.85) return { kind: 'category', category: random.zipf(catalogue.categories) };
  return { kind: 'home' };
}

const SOURCES: readonly Source[] = [
  {
    name: 'direct',
    weight: 26,
    returningWeight: 60,
    arrive: (random, catalogue) => {
      const roll = random.next();
      const place: Place =
        roll < 0.7
          ? { kind: 'home' }
          : roll < 0.9
            ? popularProduct(random, catalogue)
            : { kind: 'category', category: random.zipf(catalogue.categories) };
      return { referrer: '', place, params: {} };
    },
  },
  {
    name: 'google',
    weight: 24,
    returningWeight: 10,
    arrive: (random, catalogue, country) => ({
      referrer: google(country),
      place: organicLanding(random, catalogue),
      params: {},
    }),
  },
  {
    name: 'other search engines',
    weight: 6,
    returningWeight: 2,
    arrive: (random, catalogue) => ({
      referrer: random.weighted(
        ['https://www.bing.com/', 'https://duckduckgo.com/', 'https://www.ecosia.org/'],
        (_host, i) => [3, 2, 1][i] ?? 1,
      ),
      place: organicLanding(random, catalogue),
      params: {},
    }),
  },
  {
    name: 'newsletter',
    weight: 8,
    returningWeight: 20,
    arrive: (random, catalogue) => ({
      referrer: random.chance(0.3) ? 'https://mail.google.com/' : '',
      place: random.chance(0.7)
        ? { kind: 'category', category: 'brewing' }
        : popularProduct(random, catalogue),
      params: utm('newsletter', 'email', 'summer-sale'),
    }),
  },
  {
    name: 'instagram',
    weight: 7,
    returningWeight: 2,
    arrive: (random, catalogue) => ({
      referrer: 'https://l.instagram.com/',
      place: popularProduct(random, catalogue, random.chance(0.6) ? 'coffee' : 'brewing'),
      params: utm('instagram', 'social', 'cold-brew-reels'),
    }),
  },
  {
    name: 'google ads',
    weight: 9,
    returningWeight: 3,
    arrive: (random, catalogue, country) => {
      const brand = random.chance(0.35);
      return {
        referrer: google(country),
        place: brand
          ? { kind: 'home' }
          : random.chance(0.6)
            ? { kind: 'category', category: 'coffee' }
            : popularProduct(random, catalogue, 'coffee'),
        // The click id is on the URL as Google Ads puts it there; the collector drops it.
        params: {
          ...utm('google', 'cpc', brand ? 'brand' : 'coffee-beans'),
          gclid: `Cj0KCQ${random.int(1e8, 9e8)}`,
        },
      };
    },
  },
  {
    name: 'facebook',
    weight: 4,
    returningWeight: 1,
    arrive: (random, catalogue) => ({
      referrer: 'https://lm.facebook.com/',
      place: random.chance(0.6)
        ? { kind: 'category', category: 'tea' }
        : popularProduct(random, catalogue, 'tea'),
      params: utm('facebook', 'social', 'spring-teas'),
    }),
  },
  {
    name: 'partner sites',
    weight: 8,
    returningWeight: 2,
    arrive: (random, catalogue) => {
      const partner = random.weighted(
        [
          'https://brewing-guide.example/',
          'https://teatime-magazine.example/',
          'https://coffee-compass.example/',
        ],
        (_host, i) => [3, 2, 2][i] ?? 1,
      );
      const affiliate = partner.includes('brewing-guide') && random.chance(0.7);
      return {
        referrer: partner,
        place: popularProduct(
          random,
          catalogue,
          partner.includes('tea') ? 'tea' : affiliate ? 'brewing' : undefined,
        ),
        params: affiliate ? utm('brewing-guide', 'referral', 'gear-guide') : {},
      };
    },
  },
  {
    name: 'pinterest',
    weight: 2,
    returningWeight: 0,
    arrive: (random, catalogue) => ({
      referrer: 'https://www.pinterest.com/',
      place: popularProduct(random, catalogue),
      params: {},
    }),
  },
];

export function arrive(random: Random, catalogue: Catalogue, country: string, returning: boolean): Arrival {
  const source = random.weighted(SOURCES, (s) => (returning ? s.returningWeight : s.weight));
  return { source: source.name, ...source.arrive(random, catalogue, country) };
}
