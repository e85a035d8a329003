import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { progress } from './progress.js';

/**
 * Servers under test run in child processes, so the load generator (this process) never shares
 * their event loop. Each child is `node --import tsx bench/children/<name>.ts` with an IPC channel:
 * it sends `ready` once listening, answers `call` messages, prints progress through the parent,
 * and exits on `stop` (or at once when the parent goes away). Every child started here is tracked
 * so Ctrl-C can stop them all.
 */
export interface ChildOptions {
  env?: Record<string, string>;
  /** Write a V8 CPU profile of this child into the directory (written when the child exits). */
  cpuProfileDir?: string;
  /** Extra Node flags, e.g. another --import (experiments with a patched module). */
  nodeArgs?: string[];
  /** Run the child from Kanon compiled to JavaScript under this root (bench/lib/compile.ts), without tsx. */
  compiledRoot?: string;
}

export interface Child<Ready = Record<string, unknown>> {
  name: string;
  pid: number;
  ready: Ready;
  call<T = unknown>(method: string, args?: unknown): Promise<T>;
  /** Asks the child to close cleanly (flushing a CPU profile), killing it after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

interface Message {
  type: string;
  id?: number;
  ok?: boolean;
  value?: unknown;
  error?: string;
  text?: string;
  [key: string]: unknown;
}

const live = new Set<ChildProcess>();
const scriptOf = (name: string) => new URL(`../children/${name}.ts`, import.meta.url).pathname;

export async function startChild<Ready = Record<string, unknown>>(
  name: string,
  options: ChildOptions = {},
): Promise<Child<Ready>> {
  const nodeArgs = [...(options.compiledRoot ? [] : ['--import', 'tsx']), ...(options.nodeArgs ?? [])];
  if (options.cpuProfileDir) {
    // Default file names (CPU.<date>.<time>.<pid>.<thread>.<n>): the loader thread writes one too.
    mkdirSync(options.cpuProfileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  }
  const script = options.compiledRoot
    ? join(options.compiledRoot, 'bench/children', `${name}.js`)
    : scriptOf(name);
  const child = spawn(process.execPath, [...nodeArgs, script], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...options.env },
  });
  live.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  const ready = new Promise<Ready>((resolve, reject) => {
    child.on('message', (raw) => {
      const message = raw as Message;
      if (message.type === 'ready') resolve(message as unknown as Ready);
      else if (message.type === 'progress') progress.status(`${name}: ${message.text ?? ''}`);
      else if (message.type === 'reply' && message.id !== undefined) {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.ok) waiter?.resolve(message.value);
        else waiter?.reject(new Error(`${name}: ${message.error ?? 'failed'}`));
      }
    });
    void exited.then((code) => {
      const error = new Error(`bench child ${name} exited with code ${code}`);
      reject(error);
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    });
  });
  const info = await ready;
  return {
    name,
    pid: child.pid ?? -1,
    ready: info,
    call<T>(method: string, args?: unknown) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ type: 'call', id, method, args });
      });
    },
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'stop' });
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Ctrl-C and failures: every child still running gets SIGTERM, then SIGKILL. */
export async function killAllChildren(): Promise<void> {
  const running = [...live];
  for (const child of running) child.kill('SIGTERM');
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
}

export const profileDirFor = (root: string, section: string) => join(root, section);
