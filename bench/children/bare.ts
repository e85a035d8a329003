import Fastify from 'fastify';
import { serve } from './ipc.js';

/**
 * The baseline: a bare Fastify 5 route that parses the same JSON (sent as text/plain, like the
 * tracker) and answers 202 with no work: no validation, no Redis, no logging.
 */
const app = Fastify({ logger: false, bodyLimit: 65_536 });
const json = app.getDefaultJsonParser('error', 'error');
app.addContentTypeParser('text/plain', { parseAs: 'string' }, json);
app.post('/e', async (request, reply) => {
  const body = request.body as { events?: unknown[] } | null;
  const accepted = Array.isArray(body?.events) ? body.events.length : 1;
  return reply.code(202).send({ accepted });
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
serve({ url: `http://127.0.0.1:${port}` }, {}, () => app.close());
