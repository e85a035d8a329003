import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChdbConnection } from 'chdb/connection';
import { ClickHouseServerWarehouse } from '../../core/warehouse/clickhouse-server.js';
import { releaseTokensSuite } from './release-window-tokens-suite.js';

/**
 * The release's statements through the server adapter (clickhouse-js: bound arrays, INSERT SELECT
 * as a command), over chDB's clickhouse-js Connection as in test/warehouse/server-adapter-over-chdb.test.ts.
 * chDB's Connection ignores the `database` option, so the adapter uses `default`.
 */
const path = mkdtempSync(join(tmpdir(), 'kanon-release-tokens-server-'));
releaseTokensSuite({
  name: 'server',
  open: () =>
    ClickHouseServerWarehouse.open({
      url: 'http://chdb.invalid:8123',
      user: 'default',
      password: '',
      database: 'default',
      connection: () => createChdbConnection({ path }),
    }),
});
