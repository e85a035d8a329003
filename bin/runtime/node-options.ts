/**
 * Node flags a deployed collector runs with (docker-compose.yml sets them as NODE_OPTIONS; the
 * bench's memory section starts its collector with them, so it measures what is deployed).
 *
 * A young generation of 8 MB semi-spaces instead of V8's 16: under the bench's batched load a
 * collector allocates ~1 kB per event, and the larger young generation let its peak RSS reach
 * 209-226 MB; with 8 MB it peaked at 191 MB (target < 200) for CPU within the run-to-run noise.
 * 4 MB saved no more and cost ~20 % more CPU; --optimize-for-size halved RSS and doubled CPU.
 */
export const COLLECTOR_NODE_OPTIONS = ['--max-semi-space-size=8'] as const;
