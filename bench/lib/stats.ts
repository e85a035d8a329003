/** Percentiles and a growable sample buffer: latency figures computed from every sample, not a histogram. */

export class Samples {
  private values = new Float64Array(1024);
  private count = 0;

  add(value: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = value;
  }

  get size(): number {
    return this.count;
  }

  sorted(): Float64Array {
    return this.values.slice(0, this.count).sort();
  }
}

/** The q-quantile (0..1) of sorted values, nearest-rank; NaN when empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarise(values: ArrayLike<number> | Samples): {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
} {
  const sorted =
    values instanceof Samples ? values.sorted() : Float64Array.from(values as ArrayLike<number>).sort();
  return {
    n: sorted.length,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

export const median = (values: readonly number[]) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );

export const round = (value: number, digits = 1) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};
