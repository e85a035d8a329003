/**
 * Runs a step for every request that arrived in one turn of the event loop back to back, at the
 * end of that turn (setImmediate), instead of once per request in between HTTP parsing and socket
 * writes. The step itself is unchanged and runs once per request, in arrival order; each request
 * gets its own result or its own error.
 *
 * Why: under HTTP load the ingest pipeline ran two to three times slower than the same code in a
 * loop (its steps timed inside the collector against bench/pipeline-micro.ts), because each
 * request's steps started cold after the kernel's socket work. Run back to back, the steps cost
 * about half as much, and the collector's CPU per request fell by a fifth (docs/benchmarks.md).
 * The price is one setImmediate of latency, a few microseconds.
 */
export class TurnBatcher<Input, Output> {
  private pending: { input: Input; resolve(output: Output): void; reject(error: unknown): void }[] = [];

  constructor(private readonly step: (input: Input) => Promise<Output>) {}

  run(input: Input): Promise<Output> {
    return new Promise<Output>((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.runPending());
      this.pending.push({ input, resolve, reject });
    });
  }

  private runPending(): void {
    const pending = this.pending;
    this.pending = [];
    for (const { input, resolve, reject } of pending) {
      // A step that throws instead of rejecting fails its own request only.
      try {
        this.step(input).then(resolve, reject);
      } catch (error) {
        reject(error);
      }
    }
  }
}
