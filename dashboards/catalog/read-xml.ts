import sax from 'sax';
import { catalogBadFeed } from '../errors.js';
import { cleanValue, type FeedFields, fieldName } from './feed-item.js';
import type { RawItem } from './read-tsv.js';

/** Merchant Center's namespace: its attributes are `g:id`, `g:price`, ... whatever the prefix. */
export const GOOGLE_NS = 'http://base.google.com/ns/1.0';
const ATOM_NS = 'http://www.w3.org/2005/Atom';

/**
 * The items of an RSS 2.0 (`<item>`) or Atom 1.0 (`<entry>`) feed, as the bytes arrive: sax
 * parses the stream and memory holds the current item only. Attributes are the item's children in
 * Google's namespace; the feed's own `<title>` and `<link>` (RSS text, or Atom's `href`) stand in
 * for `g:title` and `g:link`. Atom's `<id>` is the entry's, not the product's, and is not read.
 *
 * The parser is strict (well-formed XML only) and expands no entity a document declares, so a
 * feed can neither reach a file (external entities) nor blow up (entity expansion).
 */
export async function* readXml(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<RawItem> {
  const parser = sax.parser(true, { xmlns: true, position: true });
  const ready: RawItem[] = [];
  let failedAt: number | undefined;
  /** Open elements' depth; the item's fields are its direct children. */
  let depth = 0;
  let item: { line: number; depth: number; google: FeedFields; plain: FeedFields } | undefined;
  let field: { name: string; google: boolean; text: string } | undefined;

  parser.onopentag = (tag) => {
    depth += 1;
    const node = tag as sax.QualifiedTag;
    if (!item) {
      if (node.local === 'item' || node.local === 'entry')
        item = { line: parser.line + 1, depth, google: {}, plain: {} };
      return;
    }
    if (depth !== item.depth + 1) return;
    if (node.uri === GOOGLE_NS) {
      field = { name: fieldName(node.local), google: true, text: '' };
    } else if (
      (node.uri === '' || node.uri === ATOM_NS) &&
      (node.local === 'title' || node.local === 'link')
    ) {
      field = { name: node.local, google: false, text: '' };
      const href = node.attributes.href;
      if (
        node.local === 'link' &&
        href &&
        (!node.attributes.rel || node.attributes.rel.value === 'alternate')
      )
        item.plain.link ??= cleanValue(href.value);
    }
  };
  const onText = (text: string) => {
    if (field) field.text += text;
  };
  parser.ontext = onText;
  parser.oncdata = onText;
  parser.onclosetag = () => {
    if (item && field && depth === item.depth + 1) {
      const target = field.google ? item.google : item.plain;
      const value = cleanValue(field.text);
      if (value !== '' && target[field.name] === undefined) target[field.name] = value;
      field = undefined;
    } else if (item && depth === item.depth) {
      ready.push({ line: item.line, fields: { ...item.plain, ...item.google } });
      item = undefined;
    }
    depth -= 1;
  };
  // sax's message quotes the offending character; only the line is reported.
  parser.onerror = () => {
    failedAt ??= parser.line + 1;
  };

  const decoder = new TextDecoder('utf-8');
  const write = (text: string | null) => {
    if (failedAt !== undefined) return;
    try {
      if (text === null) parser.close();
      else parser.write(text);
    } catch {
      failedAt ??= parser.line + 1;
    }
  };
  const drain = function* () {
    if (failedAt !== undefined) throw catalogBadFeed(failedAt);
    yield* ready.splice(0);
  };
  for await (const chunk of source) {
    write(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    yield* drain();
  }
  write(decoder.decode());
  write(null);
  yield* drain();
}
