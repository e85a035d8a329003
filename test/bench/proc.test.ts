import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuMeter, cpuSeconds } from '../../bench/lib/proc.js';

/**
 * The bench reads a server's main-thread CPU from /proc to tell a CPU-bound server from one that
 * waits. A child burns 0.3 s of CPU on its main thread (counted by its own clock, so a loaded
 * machine only makes it take longer), then idles; /proc must show that time on the main thread.
 */
const BURN = `
  while (process.cpuUsage().user < 300000) {}
  process.stdout.write('burnt\\n');
  setInterval(() => {}, 1000);
`;

/**
 * Linux scales a thread's and a process's user/system split separately (cputime_adjust), so the
 * process's figure can trail its main thread's by a clock tick (seen in CI: 0.59 against 0.60 s).
 */
const TICK = 0.01;

let child: ReturnType<typeof spawn> | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

describe.runIf(process.platform === 'linux')('bench CPU accounting from /proc', () => {
  it('counts a busy main thread, and the process at least as much', async () => {
    child = spawn(process.execPath, ['-e', BURN], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = child.pid!;
    const meter = cpuMeter({ process: pid, 'main thread': { pid, thread: pid } });
    await once(child.stdout!, 'data');
    const main = cpuSeconds(pid, pid)!;
    const whole = cpuSeconds(pid)!;
    expect(main).toBeGreaterThanOrEqual(0.25);
    expect(whole).toBeGreaterThanOrEqual(main - TICK);
    const used = meter();
    expect(used['main thread']).toBeGreaterThanOrEqual(0.2);
    expect(used.process).toBeGreaterThanOrEqual(used['main thread']! - TICK);
  });

  it('gives undefined for a thread or process that does not exist', () => {
    expect(cpuSeconds(process.pid, 2 ** 30)).toBeUndefined();
    expect(cpuSeconds(2 ** 30)).toBeUndefined();
    expect(cpuMeter({ gone: 2 ** 30 })()).not.toHaveProperty('gone');
  });
});
