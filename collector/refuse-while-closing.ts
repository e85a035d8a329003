import type { FastifyInstance } from 'fastify';
import { toErrorBody } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import { shuttingDown } from './errors.js';
import { rejectedRequests } from './routes/beacon.js';

/**
 * Once the collector starts closing (SIGTERM), a request that still arrives on an open keep-alive
 * connection is answered 503 `shutting_down` before any work, with `Connection: close` and
 * `Retry-After`, so the client comes back to another collector or to this one restarted. Nothing
 * of it reaches the pipeline, and the micro-batches already open are flushed by the close.
 *
 * Fastify's own `return503OnClosing` does the same refusal, but with its own body (not Kanon's
 * `{ "error": { "code", "message" } }`), without the CORS header a shop page needs to read the
 * status (the tag retries a 503), and with an info log line for each request refused.
 *
 * Register it after every other onRequest hook: it ends the request, and the hooks before it
 * (the CORS header) still apply to the answer.
 */
export function refuseWhileClosing(app: FastifyInstance, metrics: Metrics): void {
  const rejected = rejectedRequests(metrics);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    rejected.inc({ code: 'shutting_down' });
    reply
      .code(503)
      .header('Connection', 'close')
      .header('Retry-After', '1')
      .send(toErrorBody(shuttingDown()));
  });
}
