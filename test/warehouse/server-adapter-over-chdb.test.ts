import { serverAdapterOverChdb } from '../fixtures/warehouse.js';
import { analystSqlConformance } from './analyst-sql-suite.js';
import { warehouseConformance } from './conformance-suite.js';

/**
 * No ClickHouse server can run where Kanon is developed, so the server adapter's own code
 * (clickhouse-js calls, settings, bound parameters, formats, error mapping) also runs here over
 * chDB's clickhouse-js Connection: the real engine behind the real client, without HTTP. With
 * CLICKHOUSE_URL or Docker, conformance.test.ts runs the same suites against a real server.
 */
const adapter = serverAdapterOverChdb();

warehouseConformance({ ...adapter, name: 'server (clickhouse-js over chDB)' as 'server' });
analystSqlConformance({ ...adapter, name: 'server (clickhouse-js over chDB)' as 'server' });
