import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Warehouse } from '../../../core/warehouse/warehouse.js';
import { SECRETS_TABLE } from '../../../schema/tables.js';

/**
 * The secret every noisy figure's noise is drawn from (discrete-laplace.ts). Created once, at the
 * first release in noise mode, as 32 random bytes in app_secrets, where no analyst reads it; from
 * then on every release draws the same noise for the same figure, so a retried or repeated
 * release publishes the same numbers. Whoever learns it can take the noise away: it never leaves
 * the warehouse, and a backup that holds it must be kept like one.
 */
const Secret = z.object({ value: z.string() });
const NAME = 'noise';
const cache = new WeakMap<Warehouse, Buffer>();

async function read(warehouse: Warehouse): Promise<Buffer | undefined> {
  const [row] = await warehouse.query({
    name: 'noise_secret',
    sql: `SELECT value FROM ${SECRETS_TABLE} WHERE name = {name:String} ORDER BY created_at LIMIT 1`,
    params: { name: NAME },
    row: Secret,
  });
  return row ? Buffer.from(row.value, 'base64') : undefined;
}

export async function noiseSecret(warehouse: Warehouse): Promise<Buffer> {
  const cached = cache.get(warehouse);
  if (cached) return cached;
  let secret = await read(warehouse);
  if (!secret) {
    // Two workers at once insert under one token: the engine keeps the first, and both read it.
    await warehouse.insert(
      SECRETS_TABLE,
      [
        {
          name: NAME,
          value: randomBytes(32).toString('base64'),
          created_at: new Date().toISOString().replace('T', ' ').replace('Z', ''),
        },
      ],
      { dedupToken: `secret:${NAME}` },
    );
    secret = await read(warehouse);
    if (!secret) throw new Error('the noise secret was written but cannot be read');
  }
  cache.set(warehouse, secret);
  return secret;
}
