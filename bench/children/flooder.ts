import { type LoadOptions, runLoad, stopAllLoad } from '../lib/load.js';
import { serve } from './ipc.js';

/**
 * One abusive client in a process of its own: a load generator sending as fast as the collector
 * answers, on a few connections, all from one address. Apart from the bench process, so that the
 * latencies the bench measures for everyone else are not delayed by this load's own event loop.
 */
serve({}, { flood: (options) => runLoad(options as LoadOptions) }, async () => stopAllLoad());
