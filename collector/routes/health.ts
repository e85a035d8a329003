import type { FastifyInstance } from 'fastify';
import { KanonError, toErrorBody } from '../../core/errors.js';

/** /healthz: the process answers. /readyz: Redis answers too (503 otherwise). */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { queue: { isReady(): Promise<boolean> }; salts: { isReady?(): Promise<boolean> } },
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const [queue, salts] = await Promise.all([
      deps.queue.isReady(),
      deps.salts.isReady?.() ?? Promise.resolve(true),
    ]);
    if (queue && salts) return { status: 'ready' };
    const which = !queue ? 'the queue' : 'the salt store';
    return reply
      .code(503)
      .send(toErrorBody(new KanonError('not_ready', 503, `Redis for ${which} is unreachable.`)));
  });
}
