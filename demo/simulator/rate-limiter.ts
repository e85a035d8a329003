/**
 * Paces requests to at most `perSecond`, evenly spaced (no bursts beyond one slot), so a `--rate`
 * cap holds over any second, not just on average. Without a rate it never waits.
 */
export class RateLimiter {
  private nextSlot = 0;
  private readonly interval: number;

  constructor(
    perSecond: number | undefined,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.interval = perSecond && perSecond > 0 ? 1000 / perSecond : 0;
  }

  /** Books the next slot and says how many milliseconds until it (0: go now). */
  reserve(): number {
    if (this.interval === 0) return 0;
    const now = this.clock();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.interval;
    return slot - now;
  }

  /** Resolves when the caller may send; callers are served in call order. */
  async take(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0.5) await sleep(wait, signal);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
