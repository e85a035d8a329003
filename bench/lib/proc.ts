import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Memory of a child process from /proc (Linux): current RSS and the peak (VmHWM) since start or
 * since the last reset. Writing 5 to /proc/<pid>/clear_refs resets the peak, so a phase's peak can
 * be read on its own.
 */
function statusField(pid: number, field: string): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const rssBytes = (pid: number) => statusField(pid, 'VmRSS');
export const peakRssBytes = (pid: number) => statusField(pid, 'VmHWM');

export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export const mb = (bytes: number | undefined) => (bytes === undefined ? Number.NaN : bytes / 1024 / 1024);

/**
 * CPU seconds (user + system) a process has used so far, or one of its threads (Linux thread id;
 * a process's main thread has the process's id); undefined once it is gone.
 */
export function cpuSeconds(pid: number, thread?: number): number | undefined {
  try {
    const stat = readFileSync(
      thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`,
      'utf8',
    );
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The pid of a running process whose command line contains every given piece. */
export function findPid(...pieces: string[]): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (pieces.every((piece) => command.includes(piece))) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** A process, or one thread of it. */
export type CpuTarget = number | { pid: number; thread: number } | undefined;

function cpuOf(target: CpuTarget): number | undefined {
  if (target === undefined) return undefined;
  return typeof target === 'number' ? cpuSeconds(target) : cpuSeconds(target.pid, target.thread);
}

/**
 * CPU used by a set of processes (or threads) over a span: call the returned function at its end.
 * A JavaScript server's main thread is its bottleneck: its CPU seconds over the span's seconds say
 * whether it was busy all the time (CPU-bound) or waited (for Redis, or for the load generator).
 */
export function cpuMeter(pids: Record<string, CpuTarget>): () => Record<string, number> {
  const start = Object.fromEntries(Object.entries(pids).map(([name, target]) => [name, cpuOf(target)]));
  const self = process.cpuUsage();
  return () => {
    const used: Record<string, number> = {};
    for (const [name, target] of Object.entries(pids)) {
      const before = start[name];
      const after = cpuOf(target);
      if (before !== undefined && after !== undefined) used[name] = after - before;
    }
    const load = process.cpuUsage(self);
    used['load generator'] = (load.user + load.system) / 1e6;
    return used;
  };
}
