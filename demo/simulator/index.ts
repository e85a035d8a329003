export { SimulationError, type SimulationErrorCode } from './errors.js';
export { MAX_PAST_DAYS, type SimulateOptions } from './options.js';
export type { Progress } from './progress.js';
export { simulate } from './simulate.js';
export type { SimulationSummary } from './tally.js';
