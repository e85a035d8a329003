import { mkdirSync, writeFileSync } from 'node:fs';

/**
 * Figures, the table and the JSON file. Every timing sits next to the baseline measured in the
 * same run on the same machine, and a target is checked either on the value or on the ratio.
 */
export interface Target {
  /** `min`: at least; `max`: below. */
  kind: 'min' | 'max';
  value: number;
  /** What the target is about: the figure itself or its ratio to the baseline. */
  on: 'value' | 'ratio';
}

export interface Figure {
  section: string;
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit?: string };
  /** value / baseline.value */
  ratio?: number;
  target?: Target;
  pass?: boolean;
  note?: string;
}

export function figure(input: Omit<Figure, 'ratio' | 'pass'>): Figure {
  const ratio =
    input.baseline && input.baseline.value !== 0 && Number.isFinite(input.baseline.value)
      ? input.value / input.baseline.value
      : undefined;
  let pass: boolean | undefined;
  if (input.target) {
    const measured = input.target.on === 'ratio' ? ratio : input.value;
    if (measured === undefined || !Number.isFinite(measured)) pass = false;
    else pass = input.target.kind === 'min' ? measured >= input.target.value : measured < input.target.value;
  }
  return { ...input, ...(ratio !== undefined ? { ratio } : {}), ...(pass !== undefined ? { pass } : {}) };
}

export function formatNumber(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${text} ${unit}` : text;
}

function formatTarget(figure: Figure): string {
  const target = figure.target;
  if (!target) return '';
  const sign = target.kind === 'min' ? '≥' : '<';
  return target.on === 'ratio'
    ? `${sign} ${Math.round(target.value * 100)}% of baseline`
    : `${sign} ${formatNumber(target.value, figure.unit)}`;
}

export function formatTable(figures: readonly Figure[]): string {
  const header = ['Section', 'Figure', 'Value', 'Baseline (same run)', 'Ratio', 'Target', 'Result'];
  const rows = figures.map((f) => [
    f.section,
    f.name,
    formatNumber(f.value, f.unit),
    f.baseline ? `${formatNumber(f.baseline.value, f.baseline.unit ?? f.unit)} ${f.baseline.name}` : '',
    f.ratio !== undefined ? `${(f.ratio * 100).toFixed(0)}%` : '',
    formatTarget(f),
    f.pass === undefined ? '' : f.pass ? 'pass' : 'MISS',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: Record<string, unknown>;
  options: Record<string, unknown>;
  figures: Figure[];
  sections: Record<string, unknown>;
  notes: string[];
}

export function writeReport(report: BenchReport, dir: URL): { file: string; latest: string } {
  mkdirSync(dir, { recursive: true });
  const name = `${report.startedAt.replace(/[:.]/g, '-')}.json`;
  const text = `${JSON.stringify(report, null, 2)}\n`;
  const file = new URL(name, dir).pathname;
  const latest = new URL('latest.json', dir).pathname;
  writeFileSync(file, text);
  writeFileSync(latest, text);
  return { file, latest };
}
