#!/usr/bin/env node
import { SiteSecretStore } from '../collector/site-secrets.js';
import { loadConfig } from '../core/config.js';
import { openWarehouse } from '../core/warehouse/open-warehouse.js';
import { cliAudit } from '../dashboards/audit/cli-audit.js';
import { connectControl, requireEmbeddedStore } from '../dashboards/control-client.js';
import { secretExists } from '../dashboards/routes/site-secrets.js';
import { parseCliArgs } from './runtime/cli-args.js';
import { runCli } from './runtime/run-cli.js';

/**
 * `npm run site-secret -- create|rotate SITE`: the secret a shop's backend sends POST /api/event
 * with (docs/integrations/server-side.md). Printed once on stdout; only its SHA-256 is stored.
 * With Kanon running it goes through the running process (found from KANON_DATA_DIR), otherwise it
 * opens the store itself. A rotation makes the previous secret useless within 30 s.
 */
const USAGE = `usage: npm run site-secret -- <create|rotate> SITE
  create SITE   a first secret for a site of KANON_SITES (refused if it has one)
  rotate SITE   a new secret; the previous one stops working (within 30 s on running collectors)`;

async function main(): Promise<number> {
  const args = parseCliArgs(
    { options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true },
    USAGE,
  );
  if (!args) return 2;
  const [command, site, ...rest] = args.positionals;
  if (args.values.help) {
    console.log(USAGE);
    return 0;
  }
  if ((command !== 'create' && command !== 'rotate') || !site || rest.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  if (!config.collector.sites.some((known) => known.id === site)) {
    console.error(`error: unknown_site: no site of KANON_SITES has this id`);
    return 1;
  }
  const replace = command === 'rotate';
  let secret: string;
  const control = await connectControl(config);
  if (control) {
    ({ secret } = await control.call<{ secret: string }>(
      'POST',
      `/control/v1/sites/${encodeURIComponent(site)}/secret`,
      { replace },
    ));
  } else {
    requireEmbeddedStore(config);
    const warehouse = await openWarehouse(config.warehouse);
    try {
      const store = new SiteSecretStore(warehouse, { cacheMs: 0 });
      if (!replace && (await store.exists(site))) throw secretExists();
      secret = await store.rotate(site);
      await cliAudit(warehouse)({
        action: 'setting_changed',
        target: `site-secret:${site}`,
        detail: replace ? 'rotated' : 'created',
      });
    } finally {
      await warehouse.close();
    }
  }
  console.log(secret);
  console.error(
    `The secret of ${site} is above: it is shown once. Give it to the shop's backend as Authorization: Bearer <secret> (never in a URL).`,
  );
  return 0;
}

runCli(main);
