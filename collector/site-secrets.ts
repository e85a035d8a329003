import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { tokensMatch } from '../core/http/tokens-match.js';
import type { Warehouse } from '../core/warehouse/warehouse.js';
import { SITE_SECRETS_TABLE } from '../schema/tables.js';

/**
 * The per-site secrets of server-side events (POST /api/event, docs/integrations/server-side.md),
 * in app_site_secrets (011_app_site_secrets.sql). A secret is 256 random bits, shown once; only
 * its SHA-256 is stored, and a rotation makes the previous one useless at once for this process
 * (the cache is dropped) and within `cacheMs` for other collectors.
 */
export interface SiteSecretVerifier {
  verify(site: string, secret: string): Promise<boolean>;
}

/** `ks_` and 43 base64url characters: recognisable in a leaked-secret scan, never a valid path or id. */
const SECRET = /^ks_[A-Za-z0-9_-]{43}$/;

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export class SiteSecretStore implements SiteSecretVerifier {
  private readonly cache = new Map<string, { hash: string; until: number }>();

  constructor(
    private readonly warehouse: Warehouse,
    private readonly options: { cacheMs?: number; clock?: () => number } = {},
  ) {}

  /** Creates or replaces the site's secret; returns it (the only time it is seen). */
  async rotate(site: string): Promise<string> {
    const secret = `ks_${randomBytes(32).toString('base64url')}`;
    const now = (this.options.clock ?? Date.now)();
    const version = BigInt(now) * 1000n + BigInt(randomBytes(2).readUInt16BE() % 1000);
    await this.warehouse.insert(
      SITE_SECRETS_TABLE,
      [
        {
          site,
          version: version.toString(),
          secret_sha256: hashSecret(secret),
          created_at: new Date(now).toISOString().slice(0, 19).replace('T', ' '),
        },
      ],
      { dedupToken: `site-secret:${site}:${version}` },
    );
    this.cache.delete(site);
    return secret;
  }

  /** Whether the site has a secret at all (`npm run site-secret -- create` refuses to replace one). */
  async exists(site: string): Promise<boolean> {
    return (await this.currentHash(site)) !== '';
  }

  async verify(site: string, secret: string): Promise<boolean> {
    if (!SECRET.test(secret)) return false;
    const hash = await this.currentHash(site);
    return hash !== '' && tokensMatch(hash, hashSecret(secret));
  }

  private async currentHash(site: string): Promise<string> {
    const now = (this.options.clock ?? Date.now)();
    const cached = this.cache.get(site);
    if (cached && cached.until > now) return cached.hash;
    const [row] = await this.warehouse.query({
      name: 'site_secret',
      sql: `SELECT argMax(secret_sha256, version) AS hash FROM ${SITE_SECRETS_TABLE} WHERE site = {site:String}`,
      params: { site },
      row: z.object({ hash: z.string() }),
    });
    const hash = row?.hash ?? '';
    this.cache.set(site, { hash, until: now + (this.options.cacheMs ?? 30_000) });
    return hash;
  }
}
