import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The control token lets the CLIs (`npm run user`, `npm run sql`) reach a running Kanon over
 * loopback HTTP when they cannot open the embedded store themselves (chDB's file lock: the running
 * process holds it). The running process writes a fresh token at start-up to
 * `<KANON_DATA_DIR>/control-token`, readable by its owner only (0600); whoever can read it could
 * open the data directory anyway.
 */
export const CONTROL_TOKEN_FILE = 'control-token';

export function controlTokenPath(dataDir: string): string {
  return join(dataDir, CONTROL_TOKEN_FILE);
}

/** Writes a new token (atomically, mode 0600) and returns it; call once at start-up. */
export function createControlToken(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  const path = controlTokenPath(dataDir);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${token}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  return token;
}

export function readControlToken(dataDir: string): string | undefined {
  try {
    return readFileSync(controlTokenPath(dataDir), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Removes the token file if it still holds `token` (another process may have replaced it). */
export function removeControlToken(dataDir: string, token: string): void {
  if (readControlToken(dataDir) === token) rmSync(controlTokenPath(dataDir), { force: true });
}
