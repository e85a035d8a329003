import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChdbConnection } from 'chdb/connection';
import { ClickHouseServerWarehouse } from '../../core/warehouse/clickhouse-server.js';
import type { WarehouseAdapter } from '../fixtures/warehouse.js';
import { analystSqlConformance } from './analyst-sql-suite.js';
import { warehouseConformance } from './conformance-suite.js';

/**
 * No ClickHouse server can run where Kanon is developed, so the server adapter's own code
 * (clickhouse-js calls, settings, bound parameters, formats, error mapping) also runs here over
 * chDB's clickhouse-js Connection: the real engine behind the real client, without HTTP. With
 * CLICKHOUSE_URL or Docker, conformance.test.ts runs the same suites against a real server.
 */
const path = mkdtempSync(join(tmpdir(), 'kanon-server-over-chdb-'));
// chDB's Connection does not apply clickhouse-js's `database` option, so unqualified names
// resolve to `default`; the adapter is pointed at that database to keep names consistent.
const adapter: WarehouseAdapter = {
  name: 'server',
  open: () =>
    ClickHouseServerWarehouse.open({
      url: 'http://chdb.invalid:8123',
      user: 'default',
      password: '',
      database: 'default',
      connection: () => createChdbConnection({ path }),
    }),
};

warehouseConformance({ ...adapter, name: 'server (clickhouse-js over chDB)' as 'server' });
analystSqlConformance({ ...adapter, name: 'server (clickhouse-js over chDB)' as 'server' });
