import type { FastifyInstance } from 'fastify';
import { type KanonError, toErrorBody } from '../errors.js';

export interface ClosingRefusal {
  /** The 503 to answer, in the server's own words (the collector's says the tag will retry). */
  error: () => KanonError;
  /** Called once for each request refused, to count it; nothing is logged per request. */
  onRefused?: () => void;
}

/**
 * Once a server starts closing (SIGTERM, Ctrl-C), a request that still arrives on an open
 * keep-alive connection is answered 503 before any work, with `Connection: close` and
 * `Retry-After`, so the client comes back to another instance or to this one restarted. The
 * requests already running finish, as `close()` waits for them.
 *
 * Fastify's own `return503OnClosing` does the same refusal, but with its own body, not Kanon's
 * `{ "error": { "code", "message" } }` that every client of the API reads, and with an info log
 * line for each request refused.
 *
 * Register it after the onRequest hooks whose headers the refusal should carry (the collector's
 * CORS header, the dashboards' security headers) and before those that would refuse for other
 * reasons: it ends the request.
 */
export function refuseWhileClosing(app: FastifyInstance, refusal: ClosingRefusal): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    refusal.onRefused?.();
    reply
      .code(503)
      .header('Connection', 'close')
      .header('Retry-After', '1')
      .send(toErrorBody(refusal.error()));
  });
}
