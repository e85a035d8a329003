import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { catalogBadHeader } from '../errors.js';
import { cleanValue, FEED_FIELDS, type FeedFields, fieldName } from './feed-item.js';

export interface RawItem {
  /** 1-based line of the item in the file: what the import reports a bad item by. */
  line: number;
  fields: FeedFields;
}

const KNOWN = new Set<string>(FEED_FIELDS);

/**
 * A field as Merchant Center's TSV writes it: plain, or in double quotes with "" for a quote
 * (spreadsheets quote a value that holds a quote or a tab). Values spanning lines are not read:
 * Merchant Center asks feeds not to have them.
 */
function unquote(field: string): string {
  const trimmed = field.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"'))
    return trimmed.slice(1, -1).replace(/""/g, '"');
  return trimmed;
}

/**
 * The items of a tab-separated feed, line by line as the bytes arrive (memory holds one line): its
 * first non-empty line names the columns, each further line is an item. Columns Kanon does not
 * read are skipped.
 */
export async function* readTsv(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<RawItem> {
  const lines = createInterface({ input: Readable.from(source), crlfDelay: Number.POSITIVE_INFINITY });
  let columns: (string | undefined)[] | undefined;
  let number = 0;
  for await (const text of lines) {
    number += 1;
    const line = number === 1 ? text.replace(/^\uFEFF/, '') : text;
    if (line.trim() === '') continue;
    const cells = line.split('\t');
    if (!columns) {
      columns = cells.map((cell) => {
        const name = fieldName(unquote(cell));
        return KNOWN.has(name) ? name : undefined;
      });
      for (const required of ['id', 'title'])
        if (!columns.includes(required)) throw catalogBadHeader(required);
      continue;
    }
    const fields: FeedFields = {};
    columns.forEach((name, index) => {
      if (name !== undefined && fields[name] === undefined)
        fields[name] = cleanValue(unquote(cells[index] ?? ''));
    });
    yield { line: number, fields };
  }
  if (!columns) throw catalogBadHeader('id');
}
