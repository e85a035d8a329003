import { type RawItem, readTsv } from './read-tsv.js';
import { readXml } from './read-xml.js';

export type FeedFormat = 'tsv' | 'xml';

/**
 * Merchant Center feeds come as XML (RSS or Atom) or as tab-separated text; which one is told by
 * the first character that is not a byte-order mark or white space, so an upload needs no file
 * name or content type to be read right.
 */
export async function readFeed(
  source: AsyncIterable<Uint8Array | string>,
): Promise<{ format: FeedFormat; items: AsyncGenerator<RawItem> }> {
  const iterator = source[Symbol.asyncIterator]();
  const head: (Uint8Array | string)[] = [];
  let format: FeedFormat = 'tsv';
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    const text = (typeof next.value === 'string' ? next.value : Buffer.from(next.value).toString('utf8'))
      .replace(/^\uFEFF/, '')
      .trimStart();
    if (text.length > 0) {
      format = text.startsWith('<') ? 'xml' : 'tsv';
      break;
    }
  }
  async function* whole(): AsyncGenerator<Uint8Array | string> {
    yield* head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { format, items: format === 'xml' ? readXml(whole()) : readTsv(whole()) };
}
