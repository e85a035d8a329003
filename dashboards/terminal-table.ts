import type { AnalystResult } from '../core/warehouse/analyst-sql.js';

/**
 * What `npm run sql` prints to a terminal. Released labels are text shoppers once typed, and a
 * terminal obeys some characters instead of showing them: C0 and C1 controls start escape
 * sequences (`ESC ] 0 ;` retitles the window, `ESC [ 2 J` clears it, U+009B is a one-byte CSI),
 * line breaks and tabs break the table's rows, and bidirectional controls (overrides, embeddings,
 * isolates, direction marks) reorder what follows them on screen. Each one is shown as an escape
 * (`\x1b`, `\u202E`), so a data engineer sees that the label holds it. The ingest side removes
 * them from new labels (collector/scrub); this covers what is already stored, and any other text.
 */
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const hex = (char: string, digits: number) =>
  char.codePointAt(0)!.toString(16).toUpperCase().padStart(digits, '0');

/** Text with every character a terminal would obey shown as an escape instead. */
function visible(text: string): string {
  return text.replace(UNSAFE, (char) => {
    if (NAMED[char]) return NAMED[char];
    return char <= '\u00ff' ? `\\x${hex(char, 2).toLowerCase()}` : `\\u${hex(char, 4)}`;
  });
}

/**
 * JSON with the same characters written as `\uXXXX`: the text parses to the same values, and the
 * terminal sees no control (JSON.stringify escapes C0 controls but not C1 or bidi controls).
 */
function json(text: string): string {
  return text.replace(UNSAFE, (char) => `\\u${hex(char, 4).toLowerCase()}`);
}

export const forTerminal = { text: visible, json };

function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return visible(typeof value === 'string' ? value : JSON.stringify(value));
}

/** A result as aligned columns, numbers right-aligned, long cells cut at 60 characters. */
export function formatTable(result: AnalystResult): string {
  const header = result.columns.map((column) => visible(column.name));
  const rows = result.rows.map((row) => row.map(cellText));
  const widths = header.map((name, index) =>
    Math.min(60, Math.max(name.length, ...rows.map((row) => row[index]!.length))),
  );
  const numeric = result.columns.map((column) => /^(Nullable\()?(U?Int|Float|Decimal)/.test(column.type));
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => {
        const text = cell.length > widths[index]! ? `${cell.slice(0, widths[index]! - 1)}…` : cell;
        return numeric[index] ? text.padStart(widths[index]!) : text.padEnd(widths[index]!);
      })
      .join('  ');
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
