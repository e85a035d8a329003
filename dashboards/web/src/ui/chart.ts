/// <reference lib="dom" />
import uPlot from 'uplot';
import { h } from '../dom.js';

const ACCENT = '#4f46e5';
const GRID = 'rgba(15, 23, 42, 0.06)';
const AXIS = '#64748b';

function sized(container: HTMLElement, height: number, build: (width: number) => uPlot): void {
  let plot: uPlot | undefined;
  const width = () => Math.max(240, Math.floor(container.clientWidth));
  const start = () => {
    plot = build(width());
  };
  // The container may not be laid out yet when the view is first built.
  requestAnimationFrame(start);
  const observer = new ResizeObserver(() => {
    if (plot && Math.abs(plot.width - width()) > 2) plot.setSize({ width: width(), height });
  });
  observer.observe(container);
}

export interface LineSeries {
  label: string;
  values: (number | null)[];
  /** Noise mode: each value's ± margin (95 %), shown beside it in the legend on hover. */
  margins?: (number | undefined)[];
  color?: string;
  dashed?: boolean;
  fill?: boolean;
  /** Set false to draw the line without dots (a comparison, so no dot of it reads as a figure). */
  points?: boolean;
  /** The last point is a period still in progress (today): drawn dashed, apart from the rest. */
  partialLast?: boolean;
  partialLabel?: string;
}

/** Splits a series whose last point is incomplete into a solid part and a dashed last step. */
function splitPartial(series: LineSeries[]): LineSeries[] {
  return series.flatMap((item) => {
    if (!item.partialLast || item.values.length < 2) return [item];
    const last = item.values.length - 1;
    const solid = { ...item, partialLast: false, values: item.values.map((v, i) => (i === last ? null : v)) };
    const partial: LineSeries = {
      label: item.partialLabel ?? 'So far',
      color: item.color,
      dashed: true,
      values: item.values.map((v, i) => (i >= last - 1 ? v : null)),
      margins: item.margins,
    };
    return [solid, partial];
  });
}

/** A time-series chart (x in unix seconds) with a current and an optional comparison series. */
export function lineChart(options: {
  x: number[];
  series: LineSeries[];
  /** A value in the legend (on hover). */
  format: (value: number) => string;
  /** A tick on the value axis; the legend's format when not given. */
  axis?: (value: number) => string;
  grain: 'day' | 'window';
  height?: number;
}): HTMLElement {
  const height = options.height ?? 260;
  const container = h('div', { class: 'chart', dataset: { chart: 'line' } });
  const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const hourFormat = new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
  });
  const label = (t: number) => (options.grain === 'day' ? dayFormat : hourFormat).format(new Date(t * 1000));
  sized(container, height, (width) => {
    const series = splitPartial(options.series);
    const data: uPlot.AlignedData = [options.x, ...series.map((item) => item.values)];
    return new uPlot(
      {
        width,
        height,
        padding: [12, 22, 0, 0],
        legend: { show: true, live: true },
        cursor: { points: { size: 7 }, drag: { x: false, y: false } },
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.12 : 1] } },
        axes: [
          {
            stroke: AXIS,
            grid: { show: false },
            ticks: { show: false },
            font: '12px system-ui, sans-serif',
            values: (_u, ticks) => ticks.map((tick) => label(tick)),
            // Ticks on whole days (or whole windows), never between two.
            incrs:
              options.grain === 'day'
                ? [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 28 * 86_400]
                : [3600, 7200, 10_800, 21_600, 43_200],
            space: 64,
          },
          {
            stroke: AXIS,
            grid: { stroke: GRID, width: 1 },
            ticks: { show: false },
            font: '12px system-ui, sans-serif',
            size: 56,
            values: (_u, ticks) => ticks.map((tick) => (options.axis ?? options.format)(tick)),
          },
        ],
        series: [
          { label: '', value: (_u, t) => (t == null ? '' : label(t)) },
          ...series.map(
            (item): uPlot.Series => ({
              label: item.label,
              stroke: item.color ?? ACCENT,
              width: item.dashed ? 1.75 : 2.25,
              dash: item.dashed ? [5, 5] : undefined,
              fill: item.fill ? 'rgba(79, 70, 229, 0.09)' : undefined,
              points: { show: item.points !== false && options.x.length <= 31, size: 5 },
              spanGaps: false,
              value: (_u, v, _series, index) => {
                if (v == null) return '';
                const margin = index == null ? undefined : item.margins?.[index];
                return margin === undefined
                  ? options.format(v)
                  : `${options.format(v)} ± ${options.format(margin)}`;
              },
            }),
          ),
        ],
      },
      data,
      container,
    );
  });
  return container;
}

/** Vertical bars for a few categories (scroll depth, click-through by slot). */
export function barChart(options: {
  labels: string[];
  values: (number | null)[];
  format: (value: number) => string;
  seriesLabel: string;
  height?: number;
  max?: number;
}): HTMLElement {
  const height = options.height ?? 220;
  const container = h('div', { class: 'chart', dataset: { chart: 'bar' } });
  const x = options.labels.map((_, index) => index);
  sized(container, height, (width) => {
    const bars = uPlot.paths.bars?.({ size: [0.55, 72], radius: 0.15 });
    return new uPlot(
      {
        width,
        height,
        padding: [14, 12, 0, 4],
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: false, range: [-0.6, options.labels.length - 0.4] },
          y: { range: [0, options.max ?? (Math.max(...options.values.map((v) => v ?? 0), 0) * 1.15 || 1)] },
        },
        axes: [
          {
            stroke: AXIS,
            grid: { show: false },
            ticks: { show: false },
            font: '12px system-ui, sans-serif',
            splits: () => x,
            values: (_u, ticks) => ticks.map((tick) => options.labels[tick] ?? ''),
          },
          {
            stroke: AXIS,
            grid: { stroke: GRID },
            ticks: { show: false },
            font: '12px system-ui, sans-serif',
            size: 52,
            values: (_u, ticks) => ticks.map((tick) => options.format(tick)),
          },
        ],
        series: [
          {},
          {
            label: options.seriesLabel,
            stroke: ACCENT,
            fill: 'rgba(79, 70, 229, 0.75)',
            paths: bars,
            points: { show: false },
          },
        ],
        hooks: {
          draw: [
            (u) => {
              // Value labels on top of each bar.
              const ctx = u.ctx;
              ctx.save();
              ctx.fillStyle = '#1e293b';
              ctx.font = `${Math.round(12 * devicePixelRatio)}px system-ui, sans-serif`;
              ctx.textAlign = 'center';
              options.values.forEach((value, index) => {
                if (value == null) return;
                const left = u.valToPos(index, 'x', true);
                const top = u.valToPos(value, 'y', true);
                ctx.fillText(options.format(value), left, top - 6 * devicePixelRatio);
              });
              ctx.restore();
            },
          ],
        },
      },
      [x, options.values],
      container,
    );
  });
  return container;
}
