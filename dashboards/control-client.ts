import type { Config } from '../core/config.js';
import { readControlToken } from './auth/control-token.js';

/**
 * How the CLIs (`npm run user`, `npm run sql`) reach a running Kanon: over loopback HTTP with the
 * control token the running process serves on its control socket (auth/control-token.ts). Used when the
 * embedded store is held by that process (chDB's file lock); when nothing answers, the CLIs open
 * the store themselves.
 */
export interface ControlClient {
  url: string;
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
}

export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

/** The dashboards' loopback address: a wildcard bind address is reached through 127.0.0.1. */
export function controlUrl(config: Config): string {
  const host = config.server.host;
  const loopback = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${loopback.includes(':') ? `[${loopback}]` : loopback}:${config.server.dashboardsPort}`;
}

/** A client for the running process, or undefined when none answers with this token. */
export async function connectControl(config: Config, timeoutMs = 1500): Promise<ControlClient | undefined> {
  const token = await readControlToken(config.dataDir);
  if (!token) return undefined;
  const url = controlUrl(config);
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      let error: { code?: string; message?: string } = {};
      try {
        error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
      } catch {
        // Not JSON: keep the status alone.
      }
      throw new ControlError(
        response.status,
        error.code ?? 'error',
        error.message ?? `HTTP ${response.status}`,
      );
    }
    return (text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
  };
  try {
    const controller = AbortSignal.timeout(timeoutMs);
    const response = await fetch(`${url}/control/v1/ping`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller,
    });
    if (!response.ok) return undefined;
  } catch {
    return undefined;
  }
  return { url, call };
}
