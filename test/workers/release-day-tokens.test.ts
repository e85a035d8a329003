import { openEmbeddedWarehouse } from '../fixtures/warehouse.js';
import { releaseTokensSuite } from './release-day-tokens-suite.js';

releaseTokensSuite({ name: 'embedded', open: (database) => openEmbeddedWarehouse(database) });
