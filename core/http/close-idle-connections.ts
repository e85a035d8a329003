import type { FastifyInstance } from 'fastify';

/**
 * While the server closes, closes each keep-alive connection as soon as it is idle.
 *
 * Fastify closes the connections that are idle when `close()` starts, then waits for the rest to
 * end. A connection busy at that moment becomes idle once its answer is sent, and then stays open
 * until its keep-alive timeout (72 s in Fastify), which clients honour: a browser or an HTTP
 * client pool holding one delayed the collector's shutdown, and with it the flush of its
 * micro-batches into Redis, past what an orchestrator waits before SIGKILL (10 s for docker stop).
 */
export function closeIdleConnectionsWhileClosing(app: FastifyInstance, everyMs = 50): void {
  let timer: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    timer = setInterval(() => app.server.closeIdleConnections(), everyMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
  });
}
