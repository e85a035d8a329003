import { warehouseAdapters } from '../fixtures/warehouse.js';
import { warehouseConformance } from './conformance-suite.js';

for (const adapter of warehouseAdapters()) warehouseConformance(adapter);
