/**
 * Replaces the matches of `pattern` that `accept` confirms (a checksum, a length table, a shape
 * check). `accept` returns how many characters from the match start to replace, or 0 to reject.
 *
 * A rejected match is retried one character further on rather than skipped as a whole, because a
 * real value may start inside it: `XX12 DE89 3704 …` fails as an IBAN at `XX12` and succeeds at
 * `DE89`. Patterns stay bounded ({n,m} quantifiers, anchoring lookbehinds), so the retries keep the
 * scan linear in the text length.
 */
export function replaceAccepted(
  text: string,
  pattern: RegExp,
  placeholder: string,
  accept: (match: RegExpExecArray, text: string) => number,
): string {
  if (!pattern.global) throw new TypeError('replaceAccepted needs a global pattern');
  let out = '';
  let copied = 0;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const length = accept(match, text);
    if (length > 0) {
      out += text.slice(copied, match.index) + placeholder;
      copied = match.index + length;
      pattern.lastIndex = copied;
    } else {
      pattern.lastIndex = match.index + 1;
    }
  }
  pattern.lastIndex = 0;
  return copied === 0 ? text : out + text.slice(copied);
}
