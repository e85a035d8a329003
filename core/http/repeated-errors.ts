/**
 * Keeps a flood of identical errors out of the logs. While Redis is down, every beacon is refused
 * with the same 503: at a shop's 2,000 requests a second, one warning each buried the first one,
 * the line that says what went wrong, under thousands a second. The first error of a code is
 * logged, then at most one line per code every `intervalMs`, carrying how many of that code came
 * since the last line. The metrics (`kanon_collector_rejected_total{code}`) still count each one.
 */
export class RepeatedErrors {
  private readonly lastLogged = new Map<string, { at: number; unlogged: number }>();

  constructor(private readonly intervalMs = 10_000) {}

  /**
   * Notes one error of `code` at `now` (ms). Returns undefined when it should not be logged, or
   * the number of errors of that code that were not logged since the last line (0 for the first).
   */
  note(code: string, now: number): number | undefined {
    const last = this.lastLogged.get(code);
    if (last && now - last.at < this.intervalMs) {
      last.unlogged += 1;
      return undefined;
    }
    const unlogged = last?.unlogged ?? 0;
    this.lastLogged.set(code, { at: now, unlogged: 0 });
    return unlogged;
  }
}
