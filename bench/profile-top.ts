import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/**
 * Prints the top frames of a V8 CPU profile (`node --cpu-prof`, or `npx tsx bench/run.ts
 * --profile collector`): self time per function, and total time (self plus callees) per function.
 *
 *   npx tsx bench/profile-top.ts <file.cpuprofile> [--top 25] [--filter text]
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
  const file = args.find((arg) => !arg.startsWith('--') && !/^\d+$/.test(arg));
  const topIndex = args.indexOf('--top');
  const filterIndex = args.indexOf('--filter');
  if (!file) {
    console.error('usage: npx tsx bench/profile-top.ts <file.cpuprofile> [--top 25] [--filter text]');
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
