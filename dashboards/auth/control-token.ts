import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';

/**
 * The control token lets the CLIs (`npm run user`, `npm run sql`) reach a running Kanon over
 * loopback HTTP when they cannot open the embedded store themselves (chDB's file lock: the running
 * process holds it). It is an admin's key, so it never touches the disk: the running process keeps
 * it in memory and hands it, with the dashboards' address, to whoever connects to a Unix socket,
 * `<KANON_DATA_DIR>/control/token.sock`, in a directory only its OS user may enter (0700; the
 * socket is 0600). The address comes with it so that a CLI finds the running Kanon from the data
 * directory alone, whatever ports it was started with. A file can be
 * read by anything that runs as that user, the embedded engine included (its file() function reads
 * any path: chDB ignores user_files_path), so a token in a file would be one allowlist mistake
 * away from an analyst; a socket has nothing to read, it must be connected to (invariant 9).
 */
export const CONTROL_DIRECTORY = 'control';
export const CONTROL_SOCKET = 'token.sock';
/** Where versions before the socket wrote the token; removed at start so no old copy lingers. */
const OLD_TOKEN_FILE = 'control-token';
/** Linux keeps a socket's path in 108 bytes, the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = 107;

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, CONTROL_DIRECTORY, CONTROL_SOCKET);
}

export interface ControlTokenServer {
  token: string;
  close(): Promise<void>;
}

/** What the control socket hands out: the token and, once the dashboards listen, their address. */
export interface ControlAnnouncement {
  token: string;
  url?: string;
}

export function createControlToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Serves the token (a new one unless given) and the dashboards' address on the control socket; call
 * once the dashboards listen, so that whoever finds the socket finds them answering. Undefined when
 * the socket's path is too long for the system (the CLIs then cannot reach this process).
 */
export async function serveControlToken(
  dataDir: string,
  options: { token?: string; url?: string } = {},
): Promise<ControlTokenServer | undefined> {
  const path = controlSocketPath(dataDir);
  const directory = join(dataDir, CONTROL_DIRECTORY);
  // Bound under a name of its own, then renamed into place: the system removes a socket by the
  // name it was bound to when its server closes, which must not be a later server's socket.
  const bound = join(directory, `t-${randomBytes(4).toString('hex')}.sock`);
  if (Buffer.byteLength(bound) > MAX_SOCKET_PATH_BYTES) return undefined;
  rmSync(join(dataDir, OLD_TOKEN_FILE), { force: true });
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  // Before the socket exists: no one else may connect in the moment between listen and chmod.
  chmodSync(directory, 0o700);
  const token = options.token ?? createControlToken();
  const announcement: ControlAnnouncement = { token, ...(options.url ? { url: options.url } : {}) };
  const server: Server = createServer((socket) => socket.end(`${JSON.stringify(announcement)}\n`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bound, () => resolve());
  });
  chmodSync(bound, 0o600);
  // Only one process holds a data directory (chDB's lock), so a socket found here is a leftover.
  renameSync(bound, path);
  const inode = lstatSync(path).ino;
  return {
    token,
    close: () =>
      new Promise<void>((resolve) => {
        // Removed only by its own server: a later start may already have put a new one there.
        if (lstatSync(path, { throwIfNoEntry: false })?.ino === inode) rmSync(path, { force: true });
        server.close(() => resolve());
      }),
  };
}

/** The running process's token, or undefined when no process serves one for this data directory. */
export async function readControlToken(dataDir: string, timeoutMs = 1000): Promise<string | undefined> {
  return (await readControlSocket(dataDir, timeoutMs))?.token;
}

/** What the running process announces, or undefined when none serves this data directory. */
export async function readControlSocket(
  dataDir: string,
  timeoutMs = 1000,
): Promise<ControlAnnouncement | undefined> {
  const text = await readSocket(controlSocketPath(dataDir), timeoutMs);
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<ControlAnnouncement>;
    if (typeof parsed.token !== 'string' || !parsed.token) return undefined;
    return { token: parsed.token, ...(typeof parsed.url === 'string' ? { url: parsed.url } : {}) };
  } catch {
    // Versions before the address was announced sent the bare token.
    return { token: text };
  }
}

function readSocket(path: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const socket = createConnection(path);
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('end', () => resolve(text.trim() || undefined));
    // Without an end (no socket, a refused or timed-out connection) there is no whole token.
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => resolve(undefined));
  });
}
