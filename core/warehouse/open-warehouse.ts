import type { WarehouseConfig } from '../config.js';
import type { Warehouse } from './warehouse.js';

/**
 * Opens the configured engine. Each adapter is imported only when chosen, so a server-mode process
 * never loads the embedded engine (and the reverse).
 */
export async function openWarehouse(config: WarehouseConfig): Promise<Warehouse> {
  if (config.kind === 'server') {
    const { ClickHouseServerWarehouse } = await import('./clickhouse-server.js');
    return ClickHouseServerWarehouse.open(config);
  }
  const { ChdbWarehouse } = await import('./chdb-embedded.js');
  return ChdbWarehouse.open(config);
}
