/**
 * Every error Kanon reports on purpose carries a stable lower_snake_case code and an HTTP status.
 * Messages name the field and the rule, never the rejected value (invariant 1: a value could be
 * a shopper's e-mail address).
 */
export class KanonError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly retryable = false,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KanonError';
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function toErrorBody(error: KanonError): ErrorBody {
  return { error: { code: error.code, message: error.message } };
}

/**
 * Attaches text that may quote user data (ClickHouse or Redis error text) without making it
 * enumerable, so serialisers and loggers that walk own enumerable properties never print it.
 */
export function withHiddenDetail<T extends Error>(error: T, detail: string): T {
  Object.defineProperty(error, 'rawDetail', { value: detail, enumerable: false });
  return error;
}
