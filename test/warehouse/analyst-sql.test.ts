import { warehouseAdapters } from '../fixtures/warehouse.js';
import { analystSqlConformance } from './analyst-sql-suite.js';

for (const adapter of warehouseAdapters()) analystSqlConformance(adapter);
