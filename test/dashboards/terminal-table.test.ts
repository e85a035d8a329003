import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTable, forTerminal } from '../../dashboards/terminal-table.js';
import { runCli } from '../fixtures/run-cli.js';

/**
 * `npm run sql` prints released labels to a data engineer's terminal. A label is text a shopper
 * once typed (a search term), so its control sequences and direction marks must reach the
 * terminal as visible text, never as instructions: `ESC ] 0 ;` retitles the window, `ESC [ 2 J`
 * clears it, U+202E shows what follows backwards.
 */
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;
/** The table's own line breaks aside. */
const obeyed = (text: string) => UNSAFE.test(text.split('\n').join(''));

const RETITLE = '\u001b]0;pwned\u0007';
const CLEAR = '\u001b[2J\u001b[H';
const C1_CSI = '\u009b31m';

function table(header: string, cells: string[]) {
  return formatTable({
    columns: [{ name: header, type: 'String' }],
    rows: cells.map((cell) => [cell]),
    truncated: false,
  });
}

describe('the SQL table for a terminal', () => {
  it.each([
    ['an OSC title sequence', `shoes${RETITLE}`, 'shoes\\x1b]0;pwned\\x07'],
    ['a screen-clearing CSI', `${CLEAR}hats`, '\\x1b[2J\\x1b[Hhats'],
    ['a C1 control', `red${C1_CSI}`, 'red\\x9b31m'],
    ['a right-to-left override', 'invoice\u202egpj.exe', 'invoice\\u202Egpj.exe'],
    ['an isolate and a direction mark', 'a\u2066b\u2069c\u200f', 'a\\u2066b\\u2069c\\u200F'],
    ['a line break and a tab', 'two\nlines\tand a tab', 'two\\nlines\\tand a tab'],
    ['NUL and DEL', 'a\u0000b\u007f', 'a\\x00b\\x7f'],
  ])('shows %s in a cell as visible escapes', (_what, cell, shown) => {
    const text = table('term', [cell]);
    expect(text.split('\n')[2]).toBe(shown);
    expect(obeyed(text)).toBe(false);
  });

  it('escapes the header as it escapes the cells', () => {
    const text = table(`label${RETITLE}`, ['x']);
    expect(text.split('\n')[0]).toBe('label\\x1b]0;pwned\\x07');
    expect(text.split('\n')).toHaveLength(3);
  });

  it('keeps other scripts, emoji and punctuation as they are', () => {
    const cells = ['Schuhe für Kinder', 'ملابس', '靴', '👟 sale', 'a\\b'];
    const text = table('term', cells);
    expect(
      text
        .split('\n')
        .slice(2)
        .map((line) => line.trimEnd()),
    ).toEqual(cells);
  });

  it('leaves one line per row and nothing a terminal would obey, whatever the labels hold', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.array(fc.string({ unit: 'binary' }), { maxLength: 5 }),
        (header, cells) => {
          const text = table(header, cells);
          expect(obeyed(text)).toBe(false);
          expect(text.split('\n')).toHaveLength(2 + cells.length);
        },
      ),
    );
  });

  it('escapes JSON without changing what it parses to', () => {
    const value = { term: `x${RETITLE}\u202e${C1_CSI}` };
    const text = forTerminal.json(JSON.stringify(value));
    expect(obeyed(text)).toBe(false);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('reaches the terminal escaped through npm run sql, as a table and as JSON', async () => {
    const env = { KANON_DATA_DIR: mkdtempSync(join(tmpdir(), 'kanon-sql-terminal-')) };
    expect((await runCli('kanon', ['migrate'], env)).code).toBe(0);
    // The label as a shopper's search could have stored it: a title sequence and an override.
    const sql = "SELECT concat('shoes', char(27), ']0;pwned', char(7), 'x', unhex('E280AE'), 'gpj') AS term";
    const asTable = await runCli('sql', ['--format', 'table', sql], env);
    expect(asTable.stderr).toBe('');
    expect(asTable.stdout).toContain('shoes\\x1b]0;pwned\\x07x\\u202Egpj');
    expect(obeyed(asTable.stdout)).toBe(false);
    const asJson = await runCli('sql', ['--format', 'json', sql], env);
    expect(obeyed(asJson.stdout)).toBe(false);
    expect(JSON.parse(asJson.stdout)).toEqual({ term: 'shoes\u001b]0;pwned\u0007x\u202egpj' });
  }, 60_000);
});
