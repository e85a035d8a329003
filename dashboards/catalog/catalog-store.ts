import { z } from 'zod';
import { toClickHouseDateTime } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { CATALOG_TABLE, CATALOG_VERSIONS_TABLE } from '../../schema/tables.js';
import { catalogImportRunning, catalogNoItems, catalogTooLarge } from '../errors.js';
import { type BadLine, type FeedItem, parseFeedItem } from './feed-item.js';
import { type FeedFormat, readFeed } from './read-feed.js';

/**
 * Each site's product catalogue (schema/sql/007_app_catalog.sql): imported from the shop's
 * Merchant Center feed, read by the dashboards to name products. Shop data only; nothing here
 * reads or writes a table the release uses.
 */

/** Rows per insert: about 15 ms of engine time, and a few MB of memory whatever the feed's size. */
const ITEMS_PER_INSERT = 5000;
/** Bad lines listed in an import's answer; the rest are counted. */
const BAD_LINES_LISTED = 50;
/**
 * Image hosts a feed may use: the shop and a CDN or two. Each is allowed in the dashboards'
 * Content-Security-Policy; an image on a further host is not shown (nothing is proxied).
 */
export const MAX_IMAGE_ORIGINS = 4;

export interface ImportProgress {
  bytes: number;
  items: number;
}

export interface ImportOptions {
  /** The import is refused (413) past this many bytes; nothing of it is kept. */
  maxBytes: number;
  /** What to tell someone whose feed is too large. */
  tooLargeHint?: string;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportResult {
  site: string;
  format: FeedFormat;
  items: number;
  badLines: number;
  /** The first bad lines, by line, field and rule (never a value). */
  errors: BadLine[];
  /** Items whose image is on a host beyond the first MAX_IMAGE_ORIGINS: they show no picture. */
  imagesDropped: number;
  imageOrigins: string[];
  importedAt: string;
}

export interface CatalogSummary {
  site: string;
  items: number;
  badLines: number;
  format: string;
  imageOrigins: string[];
  importedAt: string;
}

const Summary = z.object({
  version: z.number(),
  items: z.number(),
  bad_lines: z.number(),
  format: z.string(),
  image_origins: z.array(z.string()),
  imported_at: z.string(),
});

/** The site's catalogue version that readers take: the highest recorded one. */
export const CURRENT_VERSION = `(SELECT max(version) FROM ${CATALOG_VERSIONS_TABLE} WHERE site = {site:String})`;

async function* counted(
  source: AsyncIterable<Uint8Array | string>,
  options: ImportOptions,
  progress: ImportProgress,
): AsyncGenerator<Uint8Array | string> {
  for await (const chunk of source) {
    progress.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (progress.bytes > options.maxBytes)
      throw catalogTooLarge(options.maxBytes, options.tooLargeHint ?? '');
    yield chunk;
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export class CatalogStore {
  private readonly running = new Set<string>();
  private lastVersion = 0;
  private origins: { at: number; list: readonly string[] } = { at: Number.NEGATIVE_INFINITY, list: [] };
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly clock: () => number = Date.now,
    /** How long the image hosts for the Content-Security-Policy are remembered. */
    private readonly originsTtlMs = 15_000,
  ) {}

  /** The site's current catalogue, or undefined before its first import. */
  async current(site: string): Promise<CatalogSummary | undefined> {
    const [row] = await this.warehouse.query({
      name: 'catalog_current',
      sql: `SELECT version, items, bad_lines, format, image_origins, toString(imported_at) AS imported_at
            FROM ${CATALOG_VERSIONS_TABLE} WHERE site = {site:String} ORDER BY version DESC LIMIT 1`,
      params: { site },
      row: Summary,
    });
    if (!row) return undefined;
    return {
      site,
      items: row.items,
      badLines: row.bad_lines,
      format: row.format,
      imageOrigins: row.image_origins,
      importedAt: row.imported_at,
    };
  }

  /**
   * Replaces the site's catalogue with the feed's valid items, atomically: they are written under
   * a new version, which becomes the current one only once every item is in. Bad lines are skipped
   * and reported; a feed that is not well-formed, too large or without a valid item changes nothing.
   */
  async importFeed(
    site: string,
    source: AsyncIterable<Uint8Array | string>,
    options: ImportOptions,
  ): Promise<ImportResult> {
    if (this.running.has(site)) throw catalogImportRunning();
    this.running.add(site);
    try {
      return await this.importLocked(site, source, options);
    } finally {
      this.running.delete(site);
    }
  }

  private async importLocked(
    site: string,
    source: AsyncIterable<Uint8Array | string>,
    options: ImportOptions,
  ): Promise<ImportResult> {
    const version = await this.nextVersion(site);
    const progress: ImportProgress = { bytes: 0, items: 0 };
    const errors: BadLine[] = [];
    const seen = new Map<string, number>();
    const origins = new Set<string>();
    let badLines = 0;
    let imagesDropped = 0;
    let batch: object[] = [];
    let batches = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await this.warehouse.insert(CATALOG_TABLE, batch, {
        dedupToken: `catalog:${site}:${version}:${batches}`,
      });
      batches += 1;
      batch = [];
    };
    const bad = (line: BadLine) => {
      badLines += 1;
      if (errors.length < BAD_LINES_LISTED) errors.push(line);
    };
    try {
      const feed = await readFeed(counted(source, options, progress));
      for await (const raw of feed.items) {
        const item = parseFeedItem(raw.fields, raw.line);
        if ('line' in item) {
          bad(item);
          continue;
        }
        const first = seen.get(item.productId);
        if (first !== undefined) {
          bad({ line: raw.line, field: 'id', rule: `already on line ${first}` });
          continue;
        }
        seen.set(item.productId, raw.line);
        batch.push(this.row(site, version, item, origins, () => (imagesDropped += 1)));
        progress.items += 1;
        if (batch.length >= ITEMS_PER_INSERT) {
          await flush();
          options.onProgress?.({ ...progress });
        }
      }
      await flush();
      options.onProgress?.({ ...progress });
      if (progress.items === 0) throw catalogNoItems(badLines, errors[0]);
      const importedAt = toClickHouseDateTime(Math.floor(this.clock() / 1000));
      // The switch: from this insert on, readers take the new version.
      await this.warehouse.insert(
        CATALOG_VERSIONS_TABLE,
        [
          {
            site,
            version,
            items: progress.items,
            bad_lines: badLines,
            format: feed.format,
            image_origins: [...origins],
            imported_at: importedAt,
          },
        ],
        { dedupToken: `catalog_version:${site}:${version}` },
      );
      await this.dropVersions(site, `version < {version:UInt64}`, version);
      await this.refreshImageOrigins();
      return {
        site,
        format: feed.format,
        items: progress.items,
        badLines,
        errors,
        imagesDropped,
        imageOrigins: [...origins],
        importedAt,
      };
    } catch (error) {
      // Nobody reads an unrecorded version; its rows go now rather than at the next import.
      await this.dropVersions(site, `version = {version:UInt64}`, version).catch(() => undefined);
      throw error;
    }
  }

  private row(site: string, version: number, item: FeedItem, origins: Set<string>, dropped: () => void) {
    let image = item.imageLink;
    const origin = image ? originOf(image) : undefined;
    if (origin && !origins.has(origin)) {
      if (origins.size < MAX_IMAGE_ORIGINS) origins.add(origin);
      else {
        image = '';
        dropped();
      }
    }
    return {
      site,
      version,
      product_id: item.productId,
      title: item.title,
      link: item.link,
      image_link: image,
      price_cents: item.priceCents,
      currency: item.currency,
      product_type: item.productType,
      availability: item.availability,
    };
  }

  /** Microseconds of the clock, above the site's current version and rising within this process. */
  private async nextVersion(site: string): Promise<number> {
    const [row] = await this.warehouse.query({
      name: 'catalog_version',
      sql: `SELECT toUInt64(${CURRENT_VERSION}) AS version`,
      params: { site },
      row: z.object({ version: z.number() }),
    });
    this.lastVersion = Math.max(this.clock() * 1000, this.lastVersion + 1, (row?.version ?? 0) + 1);
    return this.lastVersion;
  }

  /** Drops the site's versions that match, a partition each (instant, whatever their size). */
  private async dropVersions(site: string, where: string, version: number): Promise<void> {
    const rows = await this.warehouse.query({
      name: 'catalog_versions_to_drop',
      sql: `SELECT DISTINCT version FROM ${CATALOG_TABLE} WHERE site = {site:String} AND ${where}`,
      params: { site, version },
      row: z.object({ version: z.number() }),
    });
    for (const row of rows) {
      await this.warehouse.exec(
        `ALTER TABLE ${CATALOG_TABLE} DROP PARTITION tuple({site:String}, {version:UInt64})`,
        { site, version: row.version },
      );
    }
  }

  /**
   * Every image host of the sites' current catalogues, for the dashboards' Content-Security-Policy
   * (img-src). Synchronous, as a header is built: answers what it last read and reads again in the
   * background once that is older than the TTL; an import through this store refreshes it at once.
   */
  imageOrigins(): readonly string[] {
    if (this.clock() - this.origins.at >= this.originsTtlMs) void this.refreshImageOrigins();
    return this.origins.list;
  }

  async refreshImageOrigins(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const rows = await this.warehouse.query({
          name: 'catalog_image_origins',
          sql: `SELECT DISTINCT arrayJoin(image_origins) AS origin
                FROM (SELECT argMax(image_origins, version) AS image_origins FROM ${CATALOG_VERSIONS_TABLE} GROUP BY site)
                ORDER BY origin`,
          row: z.object({ origin: z.string() }),
        });
        this.origins = { at: this.clock(), list: rows.map((row) => row.origin) };
      } catch {
        // A store without the catalogue tables yet (not migrated): no image host, try again later.
        this.origins = { at: this.clock(), list: this.origins.list };
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}
