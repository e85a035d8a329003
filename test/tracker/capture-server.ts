import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import Fastify from 'fastify';
import { BeaconBatch, BeaconEvent } from '../../schema/event.js';

export interface CapturedRequest {
  body: string;
  origin: string | undefined;
  cookie: string | undefined;
  contentType: string | undefined;
  /** What the server answered: a status, or 'dropped' when it cut the connection instead. */
  answer: number | 'dropped';
}

export interface CaptureServer {
  /** Where test pages are served: http://localhost:port, a different origin from the collector. */
  pageOrigin: string;
  /** Where tracker.js and POST /e live: http://127.0.0.1:port, the same server. */
  collectorOrigin: string;
  /** Every POST /e, in arrival order. */
  requests: CapturedRequest[];
  /** The POST /e requests whose events came from pages under `pathPrefix`, in arrival order. */
  requestsFrom(pathPrefix: string): CapturedRequest[];
  /**
   * The next POST /e requests are answered with these statuses in turn (each with a Kanon error
   * body and the CORS header, as the collector answers), or dropped without an answer; then 202.
   */
  answerNext(...answers: Array<number | 'drop'>): void;
  /** Serves `html` at `path` (with {{COLLECTOR_URL}} replaced) and returns its URL on `origin`. */
  page(path: string, html: string, origin?: string): string;
  /**
   * Every event received so far from pages under `pathPrefix`, each parsed with BeaconBatch and
   * BeaconEvent; it throws if a body or an event does not parse, or if parsing would drop a field.
   */
  events(pathPrefix: string): BeaconEvent[];
  /**
   * Waits until `done(events(pathPrefix))` holds, then returns those events; `poke` runs before
   * each look (to flush the page's queue rather than wait for its timer).
   */
  waitForEvents(
    pathPrefix: string,
    done: (events: BeaconEvent[]) => boolean,
    poke?: () => Promise<unknown>,
  ): Promise<BeaconEvent[]>;
  close(): Promise<void>;
}

/** A path of its own for each test, so late beacons from an earlier test never mix in. */
export const uniquePath = (label: string): string => `/t/${label}-${randomBytes(4).toString('hex')}`;

/** Parses a recorded body strictly: the schema must accept it and keep every field sent. */
export function parseBody(body: string): { site: string | undefined; events: BeaconEvent[] } {
  const raw: unknown = JSON.parse(body);
  const batch = BeaconBatch.parse(raw);
  const events = batch.events.map((event) => {
    const parsed = BeaconEvent.parse(event);
    if (!isDeepStrictEqual(parsed, event)) {
      throw new Error(`the schema changes or drops fields of ${JSON.stringify(event)}`);
    }
    return parsed;
  });
  return { site: batch.site, events };
}

/**
 * A stand-in collector: serves test pages and the built tracker (and any other script given, e.g.
 * `{ '/datalayer.js': code }`) and records every POST /e body. It answers CORS the way the real
 * collector does for a registered origin.
 */
export async function startCaptureServer(
  trackerCode: string,
  scripts: Record<string, string> = {},
): Promise<CaptureServer> {
  const app = Fastify({ logger: false });
  const pages = new Map<string, string>();
  const requests: CapturedRequest[] = [];
  let answers: Array<number | 'drop'> = [];
  let collectorOrigin = '';

  for (const [path, code] of Object.entries({ '/tracker.js': trackerCode, ...scripts })) {
    app.get(path, async (_request, reply) => reply.type('application/javascript; charset=utf-8').send(code));
  }
  app.get('/t/*', async (request, reply) => {
    const html = pages.get(request.url.split('?')[0] ?? '');
    if (html === undefined) return reply.code(404).type('text/plain').send('no such test page');
    return reply.type('text/html; charset=utf-8').send(html.replaceAll('{{COLLECTOR_URL}}', collectorOrigin));
  });
  app.post('/e', async (request, reply) => {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const answer = answers.shift() ?? 202;
    requests.push({
      body: typeof request.body === 'string' ? request.body : JSON.stringify(request.body),
      origin: header('origin'),
      cookie: header('cookie'),
      contentType: header('content-type'),
      answer: answer === 'drop' ? 'dropped' : answer,
    });
    if (answer === 'drop') {
      request.raw.socket.destroy();
      return reply.hijack();
    }
    if (request.headers.origin)
      reply.header('Access-Control-Allow-Origin', request.headers.origin).header('Vary', 'Origin');
    if (answer !== 202)
      return reply.code(answer).send({ error: { code: 'refused_by_test', message: 'refused' } });
    return reply.code(202).send({ accepted: true });
  });
  app.options('/e', async (request, reply) => {
    if (request.headers.origin)
      reply.header('Access-Control-Allow-Origin', request.headers.origin).header('Vary', 'Origin');
    reply
      .header('Access-Control-Allow-Methods', 'POST')
      .header('Access-Control-Allow-Headers', 'Content-Type');
    return reply.code(204).send();
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('capture server has no port');
  collectorOrigin = `http://127.0.0.1:${address.port}`;
  const pageOrigin = `http://localhost:${address.port}`;

  const events = (pathPrefix: string) =>
    requests
      .flatMap((request) => parseBody(request.body).events)
      .filter((event) => new URL(event.url).pathname.startsWith(pathPrefix));

  return {
    pageOrigin,
    collectorOrigin,
    requests,
    requestsFrom: (pathPrefix) =>
      requests.filter((request) =>
        parseBody(request.body).events.some((event) => new URL(event.url).pathname.startsWith(pathPrefix)),
      ),
    answerNext(...next) {
      answers = next;
    },
    page(path, html, origin = pageOrigin) {
      pages.set(path, html);
      return `${origin}${path}`;
    },
    events,
    async waitForEvents(pathPrefix, done, poke) {
      const deadline = Date.now() + 5000;
      for (;;) {
        await poke?.();
        const found = events(pathPrefix);
        if (done(found)) return found;
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for events under ${pathPrefix}; got ${JSON.stringify(found)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: () => app.close(),
  };
}
