import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

/** Where the embedded engine keeps its files inside KANON_DATA_DIR. */
export function embeddedStorePath(dataDir: string): string {
  return resolve(dataDir, 'clickhouse');
}

/**
 * The process that holds the embedded store, or undefined when none does. chDB refuses a second
 * process a directory that another holds, but only after printing its own raw line to stderr
 * ("Code: 76. DB::Exception: Cannot lock file ..."), which a CLI cannot take back; asking first lets
 * it say what to do instead. The engine holds an flock on `status`, a file that names its PID and
 * that it removes when it closes. On Linux /proc/locks says whether that lock is held; elsewhere a
 * live PID is the sign (a crash leaves the file behind with a PID that no longer runs).
 */
export function embeddedStoreHolder(dataDir: string): { pid: number } | undefined {
  const status = `${embeddedStorePath(dataDir)}/status`;
  let text: string;
  let inode: number;
  try {
    text = readFileSync(status, 'utf8');
    inode = statSync(status).ino;
  } catch {
    return undefined;
  }
  const pid = Number(/^PID:\s*(\d+)/m.exec(text)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  const locks = readLocks();
  if (locks !== undefined) {
    // A line reads "1: FLOCK  ADVISORY  WRITE 1426 fe:00:5218800 0 EOF": major:minor:inode last.
    const held = locks.split('\n').some((line) => line.split(/\s+/)[5]?.endsWith(`:${inode}`));
    return held ? { pid } : undefined;
  }
  return processRuns(pid) ? { pid } : undefined;
}

function readLocks(): string | undefined {
  try {
    return readFileSync('/proc/locks', 'utf8');
  } catch {
    return undefined;
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
