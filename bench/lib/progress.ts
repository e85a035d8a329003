/**
 * Progress of long sections on stderr: one rewritten line on a terminal, a line every few seconds
 * otherwise (CI logs). Results go to stdout, so `npx tsx bench/run.ts > figures.txt` stays clean.
 */
const tty = process.stderr.isTTY === true;
let drawn = false;
let lastPlain = 0;

export const progress = {
  /** A transient status line (overwritten by the next). */
  status(text: string): void {
    if (tty) {
      process.stderr.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns || 200) - 1)}`);
      drawn = true;
    } else if (Date.now() - lastPlain > 5000) {
      lastPlain = Date.now();
      process.stderr.write(`${text}\n`);
    }
  },
  /** A line that stays. */
  line(text: string): void {
    if (drawn) process.stderr.write('\r\x1b[2K');
    drawn = false;
    process.stderr.write(`${text}\n`);
  },
  clear(): void {
    if (drawn) process.stderr.write('\r\x1b[2K');
    drawn = false;
  },
};
