/// <reference lib="dom" />

export interface SessionInfo {
  user: { name: string; role: 'viewer' | 'analyst' | 'admin' };
  csrfToken: string;
  k: number;
  windowSeconds: number;
  today: string;
  sites: string[];
  devices: string[];
  currency?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Calls the JSON API. A lost session sends the person to the sign-in page. */
export async function api<T>(
  path: string,
  init: {
    method?: string;
    body?: unknown;
    /** Sent as it is instead of a JSON body (a product feed file). */
    file?: Blob;
    signal?: AbortSignal;
    redirectOn401?: boolean;
  } = {},
): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.file) headers['content-type'] = init.file.type || 'application/octet-stream';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: init.file ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
    signal: init.signal,
  });
  if (response.status === 401 && init.redirectOn401 !== false) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, 'unauthenticated', 'Signed out');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? 'error',
      error?.message ?? `The server answered ${response.status}.`,
    );
  }
  return body as T;
}
