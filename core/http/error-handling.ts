import type { FastifyError, FastifyInstance } from 'fastify';
import { KanonError, toErrorBody } from '../errors.js';
import { RepeatedErrors } from './repeated-errors.js';

/**
 * One error shape for every HTTP surface: `{ "error": { "code", "message" } }` (invariant 6).
 * Fastify's own errors are translated to Kanon codes; anything unexpected becomes a 500 `internal`
 * with a generic message, and its cause is logged (through the redacting logger) for operators.
 */
const FASTIFY_ERRORS: Record<string, () => KanonError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new KanonError('body_too_large', 413, 'The request body is larger than allowed.'),
  FST_ERR_CTP_INVALID_JSON_BODY: () =>
    new KanonError('invalid_json', 400, 'The request body is not valid JSON.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new KanonError('empty_body', 400, 'The request body is empty.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new KanonError('unsupported_media_type', 415, 'Send the body as application/json or text/plain.'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new KanonError('invalid_content_length', 400, 'The Content-Length header does not match the body.'),
  FST_ERR_CTP_INVALID_TYPE: () =>
    new KanonError('invalid_content_type', 400, 'The Content-Type header is invalid.'),
  FST_ERR_VALIDATION: () => new KanonError('invalid_request', 400, 'The request does not match the API.'),
  FST_ERR_BAD_URL: () => new KanonError('bad_url', 400, 'The request URL is malformed.'),
  FST_ERR_ASYNC_CONSTRAINT: () => new KanonError('bad_request', 400, 'The request cannot be routed.'),
};

export function toKanonError(error: unknown): KanonError | undefined {
  if (error instanceof KanonError) return error;
  const fastifyError = error as Partial<FastifyError> & { type?: string };
  if (typeof fastifyError.code === 'string') {
    const translate = FASTIFY_ERRORS[fastifyError.code];
    if (translate) return translate();
  }
  // Errors raised while reading the body (aborted uploads, bad encodings) carry a 4xx status.
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    if (fastifyError.statusCode === 413) return FASTIFY_ERRORS.FST_ERR_CTP_BODY_TOO_LARGE!();
    if (fastifyError.statusCode === 415) return FASTIFY_ERRORS.FST_ERR_CTP_INVALID_MEDIA_TYPE!();
    return new KanonError('bad_request', fastifyError.statusCode, 'The request could not be read.');
  }
  return undefined;
}

export function installErrorHandling(app: FastifyInstance): void {
  const repeated = new RepeatedErrors();
  app.setErrorHandler((error, request, reply) => {
    const known = toKanonError(error);
    if (known) {
      if (known.status >= 500) {
        const unlogged = repeated.note(known.code, Date.now());
        if (unlogged !== undefined)
          request.log.warn(
            { err: known, reqId: request.id, sameErrorsSinceLastLine: unlogged },
            'request failed',
          );
      }
      return reply.code(known.status).send(toErrorBody(known));
    }
    request.log.error({ err: error, reqId: request.id }, 'unexpected error');
    return reply
      .code(500)
      .send(toErrorBody(new KanonError('internal', 500, 'Something went wrong on our side.')));
  });
  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send(toErrorBody(new KanonError('not_found', 404, 'There is nothing at this address.')));
  });
}
