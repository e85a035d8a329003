import {
  EVENT_HOME,
  REPORT_LIST,
  REPORTS,
  type ReportName,
  type ReportSpec,
} from '../../../schema/reports.js';
import type { ReleasedRow, ReportRelease } from '../generalise.js';
import { publishedSum } from '../link-reports.js';
import { discreteLaplace } from './discrete-laplace.js';

/**
 * Noise mode (KANON_EPSILON): the day's released figures, after the K, networks and linked-reports
 * rules, each carry discrete Laplace noise calibrated to one visitor's bounded contribution
 * (bounded-cells.ts), and are then post-processed so that every report still adds up to the
 * overview's totals. Post-processing uses the noisy figures and public numbers only, so it costs no
 * privacy (docs/privacy.md, "Noise mode").
 *
 * The budget: a visitor-day spends KANON_EPSILON at most. Each of the catalogue's reports gets an
 * equal share, and within a report each of its figures (every measure, and the visitors count) an
 * equal share of that. A visitor counts in at most `rows` cells of a report, with each count
 * measure clamped at `clamp` and each money measure at `moneyCents` per cell (the overview: one
 * row), so a measure's L1 sensitivity over all of a report's rows is rows × clamp (or money), and
 * the visitors count's is rows: its noise scale is that sensitivity over its share of ε.
 */
export interface NoiseSettings {
  /** ε per visitor and day. */
  epsilon: number;
  /** Cells of one report a visitor counts in at most, per day. */
  rows: number;
  /** Each count a visitor adds to one cell, at most. */
  clamp: number;
  /** Each money sum (minor units) a visitor adds to one cell, at most. */
  moneyCents: number;
}

export const isMoney = (measure: string) => measure.endsWith('_cents');
/** Figures the overview derives from the others, which carry no noise of their own. */
const DERIVED = new Set(['events']);

/** Noise scale of each figure of a report: measure name → scale, and `visitors`. */
export function noiseScales(spec: ReportSpec, settings: NoiseSettings): Record<string, number> {
  const rows = spec.name === 'overview' ? 1 : settings.rows;
  const measures = spec.measures.filter((measure) => !DERIVED.has(measure.name));
  const share = settings.epsilon / REPORT_LIST.length / (measures.length + 1);
  const scales: Record<string, number> = { visitors: rows / share };
  for (const measure of measures)
    scales[measure.name] = (rows * (isMoney(measure.name) ? settings.moneyCents : settings.clamp)) / share;
  return scales;
}

const identityOf = (period: string, report: ReportName, row: ReleasedRow) =>
  JSON.stringify([period, report, row.level, ...row.dims]);

/** Adds each figure's noise; a noisy figure below its floor (0, or K for visitors) reads the floor. */
function addNoise(
  spec: ReportSpec,
  release: ReportRelease,
  scales: Record<string, number>,
  secret: Buffer,
  period: string,
  k: number,
): ReportRelease {
  const rows = release.rows.map((row) => {
    const identity = identityOf(period, spec.name, row);
    const measures: Record<string, number> = { ...row.measures };
    for (const [name, scale] of Object.entries(scales)) {
      if (name === 'visitors') continue;
      // A measure the linked-reports rule withheld stays withheld: 0, and no noise.
      if ((row.measures[name] ?? 0) === 0) continue;
      measures[name] = Math.max(
        0,
        (row.measures[name] ?? 0) + discreteLaplace(secret, `${identity}|${name}`, scale),
      );
    }
    const visitors = Math.max(
      k,
      row.visitors + discreteLaplace(secret, `${identity}|visitors`, scales.visitors!),
    );
    return { ...row, measures, visitors };
  });
  return { ...release, rows };
}

/**
 * Changes `values` as little as it can so that they add up to `target`, each at least `floor`:
 * the difference is shared in proportion to the values (by largest remainder, so the result is
 * whole and the same every time), or equally when they are all at the floor.
 */
export function fitToTotal(values: readonly number[], target: number, floor = 0): number[] {
  if (values.length === 0) return [];
  const goal = Math.max(target, floor * values.length);
  const spare = values.map((value) => Math.max(0, value - floor));
  const spareTotal = spare.reduce((sum, value) => sum + value, 0);
  const share = goal - floor * values.length;
  const weights =
    spareTotal > 0 ? spare.map((value) => value / spareTotal) : values.map(() => 1 / values.length);
  const exact = weights.map((weight) => weight * share);
  const whole = exact.map(Math.floor);
  let left = share - whole.reduce((sum, value) => sum + value, 0);
  const order = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of order) {
    if (left <= 0) break;
    whole[index]! += 1;
    left -= 1;
  }
  return whole.map((value) => value + floor);
}

/** Fits one split of a report (its rows matching `where`, one measure) to the overview's figure. */
function fitSplit(
  spec: ReportSpec,
  rows: ReleasedRow[],
  measure: string,
  where: Readonly<Record<string, string>>,
  target: number,
): void {
  const matching = rows.filter((row) =>
    Object.entries(where).every(
      ([dim, value]) => row.dims[spec.dims.findIndex((d) => d.name === dim)] === value,
    ),
  );
  const fitted = fitToTotal(
    matching.map((row) => row.measures[measure] ?? 0),
    target,
  );
  matching.forEach((row, index) => {
    row.measures[measure] = fitted[index]!;
  });
}

/**
 * Noises every report of a day, then makes them agree again: each report's rows that split an
 * overview figure are fitted to the overview's noisy figure, the rows of devices and countries to
 * one visitors total (each row at least K), and `events` is the sum of each kind's figure.
 */
export function noisyRelease(
  releases: ReadonlyMap<ReportName, ReportRelease>,
  options: { settings: NoiseSettings; secret: Buffer; period: string; k: number },
): Map<ReportName, ReportRelease> {
  const noisy = new Map<ReportName, ReportRelease>();
  for (const [name, release] of releases) {
    const spec = REPORTS[name];
    noisy.set(
      name,
      addNoise(spec, release, noiseScales(spec, options.settings), options.secret, options.period, options.k),
    );
  }
  const overview = noisy.get('overview')?.rows[0];
  if (!overview) return noisy;
  // Working copies, so the fits below can write in place.
  for (const [name, release] of noisy)
    noisy.set(name, {
      ...release,
      rows: release.rows.map((row) => ({ ...row, measures: { ...row.measures } })),
    });
  const total = noisy.get('overview')!.rows[0]!;
  for (const spec of REPORT_LIST) {
    const rows = noisy.get(spec.name)?.rows;
    if (!rows || spec.name === 'overview') continue;
    for (const [measure, split] of Object.entries(spec.splits ?? {})) {
      const { measure: own, where } = typeof split === 'string' ? { measure: split, where: {} } : split;
      fitSplit(spec, rows, own, where, total.measures[measure] ?? 0);
    }
  }
  // Visitors: every visitor is in one row of devices and one of countries. One total both fit.
  const partitions = REPORT_LIST.filter((spec) => spec.splitsVisitors).map(
    (spec) => noisy.get(spec.name)!.rows,
  );
  const visitors = Math.max(
    total.visitors,
    ...partitions.map((rows) => rows.reduce((sum, row) => sum + row.visitors, 0)),
    ...partitions.map((rows) => rows.length * options.k),
  );
  for (const rows of partitions) {
    const fitted = fitToTotal(
      rows.map((row) => row.visitors),
      visitors,
      options.k,
    );
    rows.forEach((row, index) => {
      row.visitors = fitted[index]!;
    });
  }
  total.visitors = visitors;
  let events = 0;
  for (const home of Object.values(EVENT_HOME)) {
    const rows = home.report === 'overview' ? [total] : (noisy.get(home.report)?.rows ?? []);
    events += publishedSum(REPORTS[home.report], rows, home.measure);
  }
  total.measures.events = events;
  return noisy;
}
