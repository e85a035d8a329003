import type { Table } from './presenters/table.js';

/**
 * CSV (RFC 4180, CRLF) for spreadsheets. Text that a spreadsheet would run as a formula (leading
 * =, +, -, @, tab or CR: a shop's search term could be "=HYPERLINK(...)") gets a leading
 * apostrophe; numbers are written as numbers.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * A dashboard table as CSV: money in major units, rates as fractions, a level column last. In
 * noise mode a noisy figure's column is followed by its ± margin (95 %), "Views ± (95 %)", in the
 * same unit; a table without margins (plain mode) gets no such column.
 */
export function tableToCsv(table: Table): string {
  const columns = table.columns.flatMap((column) => {
    const margin = `${column.key}_margin`;
    const noisy = table.rows.some((row) => typeof row[margin] === 'number');
    return noisy ? [column, { ...column, key: margin, label: `${column.label} ± (95 %)` }] : [column];
  });
  const header = [...columns.map((column) => column.label), 'Generalised level'];
  const rows = table.rows.map((row) => [
    ...columns.map((column) => {
      const value = row[column.key];
      return column.kind === 'money' && typeof value === 'number' ? (value / 100).toFixed(2) : value;
    }),
    row.level,
  ]);
  return toCsv(header, rows);
}

export function csvFileName(view: string, filters: { site: string; from: string; to: string }): string {
  return `kanon-${filters.site}-${view}-${filters.from}-to-${filters.to}.csv`;
}
