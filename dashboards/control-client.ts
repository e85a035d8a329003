import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Config } from '../core/config.js';
import { KanonError } from '../core/errors.js';
import { embeddedStoreHolder, embeddedStorePath } from '../core/warehouse/embedded-lock.js';
import { controlSocketPath, readControlSocket } from './auth/control-token.js';

/**
 * How the CLIs (`npm run user`, `npm run sql`) reach a running Kanon: over loopback HTTP with the
 * control token and the address that the running process serves on its control socket
 * (auth/control-token.ts), so the data directory alone finds it, whatever its ports. Used when the
 * embedded store is held by that process (chDB's file lock); when no process holds it, the CLIs
 * open the store themselves.
 */
export interface ControlClient {
  url: string;
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Like `call`, with a body streamed as it is read (a product feed file), not sent as JSON. */
  upload<T>(method: string, path: string, body: AsyncIterable<Uint8Array>): Promise<T>;
  /** A GET whose answer is a file (an export): its bytes as sent, with the answer's headers. */
  download(path: string): Promise<{ bytes: Uint8Array; headers: Headers }>;
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

/** Where the dashboards answer on this machine: a wildcard bind address through 127.0.0.1. */
export function reachableUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === '0.0.0.0' || parsed.hostname === '[::]') parsed.hostname = '127.0.0.1';
  return parsed.origin;
}

/** The dashboards' address from the configuration, for a process that announces none. */
export function controlUrl(config: Config): string {
  const host = config.server.host;
  const bracketed = host.includes(':') ? `[${host}]` : host;
  return reachableUrl(`http://${bracketed || '0.0.0.0'}:${config.server.dashboardsPort}`);
}

/**
 * A client for the Kanon that holds this data directory, or undefined when none holds it (or the
 * store is a ClickHouse server), so the CLI opens the store itself. The ping waits up to 5 s: a busy
 * host (a release, a CI run) can hold a healthy Kanon's answer for more than a second, and a CLI
 * that gave up then would wrongly call it unreachable. Throws a `KanonError` that says
 * what to do when the store is held but its holder cannot be reached.
 */
export async function connectControl(config: Config, timeoutMs = 5000): Promise<ControlClient | undefined> {
  const dataDir = resolve(config.dataDir);
  const announced = await readControlSocket(dataDir);
  if (announced) {
    const url = reachableUrl(announced.url ?? controlUrl(config));
    const refusal = await ping(url, announced.token, timeoutMs);
    if (refusal === undefined) return httpClient(url, announced.token);
    const holder = embeddedStoreHolder(dataDir);
    if (holder) throw unreachable(dataDir, holder.pid, url, refusal);
  }
  if (config.warehouse.kind !== 'embedded') return undefined;
  const holder = embeddedStoreHolder(dataDir);
  if (holder) throw heldWithoutSocket(dataDir, holder.pid);
  return undefined;
}

/**
 * For a CLI about to open the embedded store itself: a missing store most often means a
 * KANON_DATA_DIR other than the running Kanon's (another working directory), and opening it would
 * create an empty store there, where a listing finds no users and every query no table.
 */
export function requireEmbeddedStore(config: Config): void {
  const dataDir = resolve(config.dataDir);
  if (config.warehouse.kind === 'embedded' && !existsSync(embeddedStorePath(dataDir))) throw noStore(dataDir);
}

/** Who runs this CLI on the machine, for the audit log's entry (`control`, os user ...). */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

function httpClient(url: string, token: string): ControlClient {
  const user = osUser();
  const request = async (
    method: string,
    path: string,
    body?: { data: string | AsyncIterable<Uint8Array>; type: string },
  ): Promise<Response> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(/^[\w.-]{1,64}$/.test(user) ? { 'x-kanon-os-user': user } : {}),
        ...(body === undefined ? {} : { 'content-type': body.type }),
      },
      body: body?.data as BodyInit | undefined,
      // Node's fetch sends a streamed body only when told that it is one.
      ...(typeof body?.data === 'object' ? { duplex: 'half' } : {}),
    } as RequestInit);
    if (!response.ok) {
      const text = await response.text();
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
    return response;
  };
  const send = async <T>(
    method: string,
    path: string,
    body?: { data: string | AsyncIterable<Uint8Array>; type: string },
  ): Promise<T> => {
    const response = await request(method, path, body);
    const text = await response.text();
    return (text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
  };
  const download = async (path: string) => {
    const response = await request('GET', path);
    return { bytes: new Uint8Array(await response.arrayBuffer()), headers: response.headers };
  };
  const call = <T>(method: string, path: string, body?: unknown) =>
    send<T>(
      method,
      path,
      body === undefined ? undefined : { data: JSON.stringify(body), type: 'application/json' },
    );
  const upload = <T>(method: string, path: string, data: AsyncIterable<Uint8Array>) =>
    send<T>(method, path, { data, type: 'application/octet-stream' });
  return { url, call, upload, download };
}

/** Undefined when the running Kanon answers; otherwise why not, in a few words. */
async function ping(url: string, token: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const response = await fetch(`${url}/control/v1/ping`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return response.ok ? undefined : `it answered HTTP ${response.status}`;
  } catch (error) {
    return (error as Error).name === 'TimeoutError'
      ? `no answer within ${timeoutMs} ms`
      : 'the connection was refused';
  }
}

/**
 * The running Kanon's data directory and PID are named because they are what the reader acts on;
 * the messages quote nothing a user typed.
 */
function unreachable(dataDir: string, pid: number, url: string, why: string): KanonError {
  return new KanonError(
    'kanon_unreachable',
    503,
    `the Kanon that holds KANON_DATA_DIR (${dataDir}; pid ${pid}) serves its dashboards at ${url}, but ${why} there. If it is stopping, wait until it has stopped and run this again.`,
  );
}

function heldWithoutSocket(dataDir: string, pid: number): KanonError {
  return new KanonError(
    'store_held',
    409,
    `KANON_DATA_DIR (${dataDir}) is held by another process (pid ${pid}) that serves no control socket (${controlSocketPath(dataDir)}): a Kanon without its dashboards (npm run workers), or one still starting. Run this command while npm start or npm run dashboards runs on this directory (a starting one is ready once it logs "dashboards listening"), or stop pid ${pid} first.`,
  );
}

function noStore(dataDir: string): KanonError {
  return new KanonError(
    'no_store',
    404,
    `there is no Kanon store in ${dataDir} (KANON_DATA_DIR). Set KANON_DATA_DIR to the directory your Kanon uses, or create the store there with npm run migrate (npm start creates it too).`,
  );
}
