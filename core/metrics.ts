import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics for operators. One registry per process (tests build several apps, each with
 * its own). Labels are closed sets chosen by code (reason, step, table), never request data.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter<string>>();
  private readonly gauges = new Map<string, Gauge<string>>();
  private readonly histograms = new Map<string, Histogram<string>>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'kanon_process_' });
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter<string> {
    let metric = this.counters.get(name);
    if (!metric) {
      metric = new Counter({ name, help, labelNames, registers: [this.registry] });
      this.counters.set(name, metric);
    }
    return metric;
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge<string> {
    let metric = this.gauges.get(name);
    if (!metric) {
      metric = new Gauge({ name, help, labelNames, registers: [this.registry] });
      this.gauges.set(name, metric);
    }
    return metric;
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    buckets?: number[],
  ): Histogram<string> {
    let metric = this.histograms.get(name);
    if (!metric) {
      metric = new Histogram({
        name,
        help,
        labelNames,
        registers: [this.registry],
        buckets: buckets ?? [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      });
      this.histograms.set(name, metric);
    }
    return metric;
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
