import { PLACEHOLDERS } from '../placeholders.js';

/**
 * JSON Web Tokens: base64url segments joined by dots, the first starting with `eyJ` because every
 * JOSE header is a JSON object (`{"` encodes to `eyJ`). A JWS has three segments (the signature may
 * be empty, `alg: none`); a JWE, whose header names an `enc`, has five.
 *
 * Candidates are whole dot-joined runs of base64url characters; the header may start the run, a
 * later segment (`v1.eyJ…`) or follow a `-` or `_` (`auth_eyJ…`). Scanning whole runs once keeps a
 * hostile `eyJ-eyJ-eyJ…` linear, where a pattern starting at every `eyJ` would rescan the run from
 * each one.
 */
const DOTTED_RUN = /(?<![A-Za-z0-9_.-])[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)+/g;
const HEADER_START = /(?:^|[-_])eyJ/;

function segmentCount(header: string): number {
  return Buffer.from(header, 'base64url').toString('latin1').includes('"enc"') ? 5 : 3;
}

function replaceInRun(run: string): string {
  const segments = run.split('.');
  const out: string[] = [];
  let index = 0;
  while (index < segments.length) {
    const segment = segments[index] ?? '';
    const header = HEADER_START.exec(segment);
    if (!header || index + 2 >= segments.length) {
      out.push(segment);
      index++;
      continue;
    }
    const start = header.index + header[0].length - 3;
    const count = Math.min(segmentCount(segment.slice(start)), segments.length - index);
    out.push(segment.slice(0, start) + PLACEHOLDERS.jwt);
    index += count;
  }
  return out.join('.');
}

export function replaceJwts(text: string): string {
  if (!text.includes('eyJ')) return text;
  return text.replace(DOTTED_RUN, (run) => (run.includes('eyJ') ? replaceInRun(run) : run));
}
