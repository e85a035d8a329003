import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/**
 * Prints the top frames of a V8 CPU profile (`node --cpu-prof`, or `npx tsx bench/run.ts
 * --profile collector`): self time per function, and total time (self plus callees) per function.
 * With --by-package, the sampled time of one or more profiles side by side, per package (a
 * node_modules package, a Kanon folder, Node's internals; a native function counts for the code
 * that called it), so two configurations can be compared (the scale-out section's 1 and 4 workers).
 *
 *   npx tsx bench/profile-top.ts <file.cpuprofile> [--top 25] [--filter text]
 *   npx tsx bench/profile-top.ts --by-package <a.cpuprofile> [<b.cpuprofile> ...]
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FrameTime {
  frame: string;
  selfMs: number;
  totalMs: number;
}

const root = new URL('../', import.meta.url).pathname;

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url ? relative(root, url.replace(/^file:\/\//, '')) : '';
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

export function topFrames(path: string): { frames: FrameTime[]; totalMs: number } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    totalMs += ms;
    const node = byId.get(id);
    if (!node) return;
    const name = frameName(node);
    self.set(name, (self.get(name) ?? 0) + ms);
    // Each function once per sample, however deep it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = frameName(byId.get(at)!);
      if (seen.has(frame)) continue;
      seen.add(frame);
      total.set(frame, (total.get(frame) ?? 0) + ms);
    }
  });
  const frames = [...total.entries()].map(([frame, totalTime]) => ({
    frame,
    selfMs: self.get(frame) ?? 0,
    totalMs: totalTime,
  }));
  return { frames, totalMs };
}

/** Where a frame's code lives: `bullmq`, `@clickhouse/client`, `core/queue`, `node:internal`; '' for natives. */
function packageOf(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (!url) return /^\(.*\)$/.test(functionName) ? functionName : '';
  if (url.startsWith('node:')) return 'node:internal';
  const path = url.replace(/^file:\/\//, '');
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inModules) return inModules[1]!;
  const file = relative(root, path);
  if (file.startsWith('..')) return 'other';
  const parts = file.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : (parts[0] ?? file);
}

/** Sampled milliseconds per package; a native frame (JSON.parse, a Buffer copy) counts for its nearest JavaScript caller's package. */
export function packageTimes(path: string): { byPackage: Map<string, number>; totalMs: number } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byPackage = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    totalMs += ms;
    let name = '(native, no JavaScript caller)';
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const found = packageOf(byId.get(at)!);
      if (found) {
        name = found;
        break;
      }
    }
    byPackage.set(name, (byPackage.get(name) ?? 0) + ms);
  });
  return { byPackage, totalMs };
}

/** Several profiles side by side: milliseconds per package, and the share of each profile's busy (non-idle) time. */
export function formatByPackage(paths: readonly string[]): string {
  const runs = paths.map((path) => packageTimes(path));
  const names = new Set<string>();
  for (const run of runs) for (const name of run.byPackage.keys()) names.add(name);
  const busy = runs.map((run) => run.totalMs - (run.byPackage.get('(idle)') ?? 0));
  const rows = [...names].sort(
    (a, b) =>
      Math.max(...runs.map((run) => run.byPackage.get(b) ?? 0)) -
      Math.max(...runs.map((run) => run.byPackage.get(a) ?? 0)),
  );
  const cell = (ms: number, of: number) =>
    `${ms.toFixed(0).padStart(8)} ms ${`${((ms / of) * 100).toFixed(1)}%`.padStart(6)}`;
  const lines = paths.map(
    (path, n) =>
      `[${n + 1}] ${path}: ${(runs[n]!.totalMs / 1000).toFixed(1)} s sampled, ${(busy[n]! / 1000).toFixed(1)} s not idle`,
  );
  lines.push(
    '',
    `${'package (share of the time not idle)'.padEnd(44)}${paths.map((_, n) => `[${n + 1}]`.padStart(19)).join('')}`,
  );
  for (const name of rows)
    lines.push(
      `${name.slice(0, 43).padEnd(44)}${runs.map((run, n) => cell(run.byPackage.get(name) ?? 0, busy[n]!).padStart(19)).join('')}`,
    );
  return lines.join('\n');
}

export function formatTop(path: string, top = 25, filter?: string): string {
  const { frames, totalMs } = topFrames(path);
  const pct = (ms: number) => `${((ms / totalMs) * 100).toFixed(1).padStart(5)}%`;
  const keep = (frame: FrameTime) => !filter || frame.frame.includes(filter);
  const lines = [`${path}: ${(totalMs / 1000).toFixed(1)} s sampled`, '', 'self time:'];
  for (const frame of [...frames]
    .filter(keep)
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top))
    lines.push(`  ${pct(frame.selfMs)}  ${frame.frame}`);
  lines.push('', 'total time (self + callees):');
  for (const frame of [...frames]
    .filter((frame) => keep(frame) && !/^\((root|program|idle|garbage collector)\)/.test(frame.frame))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top))
    lines.push(`  ${pct(frame.totalMs)}  ${frame.frame}`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/bench\//, '/bench/'))) {
  const args = process.argv.slice(2);
  if (args.includes('--by-package')) {
    console.log(formatByPackage(args.filter((arg) => !arg.startsWith('--'))));
    process.exit(0);
  }
  const file = args.find((arg) => !arg.startsWith('--') && !/^\d+$/.test(arg));
  const topIndex = args.indexOf('--top');
  const filterIndex = args.indexOf('--filter');
  if (!file) {
    console.error(
      'usage: npx tsx bench/profile-top.ts <file.cpuprofile> [--top 25] [--filter text]\n       npx tsx bench/profile-top.ts --by-package <a.cpuprofile> [<b.cpuprofile> ...]',
    );
    process.exit(2);
  }
  console.log(
    formatTop(
      file,
      topIndex >= 0 ? Number(args[topIndex + 1]) : 25,
      filterIndex >= 0 ? args[filterIndex + 1] : undefined,
    ),
  );
}
