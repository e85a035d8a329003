import { openEmbeddedWarehouse } from '../fixtures/warehouse.js';
import { releaseTokensSuite } from './release-window-tokens-suite.js';

releaseTokensSuite({ name: 'embedded', open: (database) => openEmbeddedWarehouse(database) });
