import { serverAdapterOverChdb } from '../fixtures/warehouse.js';
import { releaseTokensSuite } from './release-window-tokens-suite.js';

/**
 * The release's statements through the server adapter (clickhouse-js: bound arrays, INSERT SELECT
 * as a command), over chDB's clickhouse-js Connection (test/fixtures/warehouse.ts).
 */
releaseTokensSuite(serverAdapterOverChdb());
