import type { Config } from '../../core/config.js';
import { openWarehouse } from '../../core/warehouse/open-warehouse.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { type ControlClient, connectControl, requireEmbeddedStore } from '../../dashboards/control-client.js';

/** What a CLI does with each way in; each way's value is the caller's, and so is closing the warehouse. */
export interface ControlOrStoreWays<T> {
  viaControl(control: ControlClient): T | Promise<T>;
  viaStore(warehouse: Warehouse): T | Promise<T>;
}

/**
 * How the data CLIs (`npm run sql`, `audit`, `export`) start. The embedded store has one owner
 * (chDB's file lock), so while a Kanon holds the data directory they must go through its control
 * connection; only when none runs do they open the store themselves, and then only a store that
 * exists, so that a KANON_DATA_DIR other than Kanon's is refused instead of given an empty store.
 * Kept in one place so the three commands cannot drift apart in that order or in its errors,
 * which are connectControl's and requireEmbeddedStore's as they throw them.
 */
export async function openControlOrStore<T>(config: Config, ways: ControlOrStoreWays<T>): Promise<T> {
  const control = await connectControl(config);
  if (control) return ways.viaControl(control);
  requireEmbeddedStore(config);
  return ways.viaStore(await openWarehouse(config.warehouse));
}
