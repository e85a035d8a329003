import { serverAdapterOverChdb } from '../fixtures/warehouse.js';
import { releaseTokensSuite } from './release-day-tokens-suite.js';

/**
 * The day release's statements through the server adapter (clickhouse-js: bound arrays), over
 * chDB's clickhouse-js Connection (test/fixtures/warehouse.ts).
 */
releaseTokensSuite(serverAdapterOverChdb());
