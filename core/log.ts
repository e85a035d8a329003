import type { FastifyBaseLogger } from 'fastify';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/**
 * The one pino configuration. Invariant 1: no log line may carry a remote address, a user agent,
 * a header, a query string or a body. Fastify's default request serializer writes the full URL
 * (query string included), remoteAddress and remotePort, so it is replaced, and redaction with
 * `remove: true` is a second net for anything a handler logs by mistake.
 */
export const REDACTED_PATHS = [
  'ip',
  'ips',
  'remoteAddress',
  'remotePort',
  'userAgent',
  'ua',
  'headers',
  'body',
  'query',
  'url',
  'req.headers',
  'req.ip',
  'req.url',
  'req.body',
  'req.query',
  'req.remoteAddress',
  'req.remotePort',
  'request.headers',
  'request.ip',
  'err.request',
];

export interface SafeRequest {
  method?: string;
  routeOptions?: { url?: string };
  id?: string;
}

export const serializers = {
  req(request: SafeRequest) {
    return { method: request.method, route: request.routeOptions?.url, reqId: request.id };
  },
  res(reply: { statusCode?: number }) {
    return { statusCode: reply.statusCode };
  },
  err(error: Error & { code?: unknown; statusCode?: unknown }) {
    // Only type, code and message: stacks are fine, but `cause` chains can quote payloads.
    return { type: error.name, code: error.code, message: error.message, statusCode: error.statusCode };
  },
};

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    serializers,
    redact: { paths: REDACTED_PATHS, remove: true },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}

/** A child logger for one stage, typed for Fastify's `loggerInstance`. */
export function stageLogger(log: Logger, stage: string): FastifyBaseLogger {
  return log.child({ stage }) as unknown as FastifyBaseLogger;
}

export type { Logger };
