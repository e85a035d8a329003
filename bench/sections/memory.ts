import { compileForNode } from '../lib/compile.js';
import type { BenchContext } from '../lib/context.js';
import { mb } from '../lib/proc.js';
import { progress } from '../lib/progress.js';
import { figure } from '../lib/report.js';
import { runCollectorSection } from './collector.js';
import { runWorkersSection } from './workers.js';

/**
 * Section 6: peak RSS (the kernel's VmHWM, reset when the load starts) of the collector and
 * worker processes under load, run as production runs them: Kanon compiled to JavaScript, plain
 * node, no tsx loader (which adds about 30 MB). Short versions of sections 1-3 provide the load.
 * Baselines: the bare Fastify route (Node and Fastify without Kanon) for the collector, and the
 * idle worker (engine open, nothing staged) for the worker, where the embedded engine's ~210 MB
 * shows. The peaks of the tsx-run processes of the sections above are kept in the JSON.
 */
export async function runMemorySection(context: BenchContext): Promise<void> {
  progress.line('[memory] compiling Kanon to JavaScript, then short collector and worker loads');
  const compiledRoot = await compileForNode();
  const tsxPeaks = Object.fromEntries(
    [...context.peaks].map(([role, bytes]) => [role, Math.round(mb(bytes))]),
  );
  const peaks = new Map<string, number>();
  const compiled: BenchContext = {
    ...context,
    figures: [],
    sections: {},
    options: { ...context.options, quick: true },
    peaks,
    notePeak(role, bytes) {
      if (bytes !== undefined) peaks.set(role, Math.max(peaks.get(role) ?? 0, bytes));
    },
    child: (name, start = {}) => context.child(name, { ...start, compiledRoot }),
  };
  await runCollectorSection(compiled, 'single');
  await runCollectorSection(compiled, 'batch');
  await runWorkersSection(compiled);
  const peak = (role: string) => mb(peaks.get(role));
  context.figures.push(
    figure({
      section: 'memory',
      name: 'collector peak RSS under load (JS)',
      value: peak('collector'),
      unit: 'MB',
      baseline: { name: 'bare route', value: peak('bare') },
      target: { kind: 'max', value: 200, on: 'value' },
    }),
    figure({
      section: 'memory',
      name: 'worker peak RSS under load (JS)',
      value: peak('worker'),
      unit: 'MB',
      baseline: { name: 'idle worker, engine loaded', value: peak('worker-idle') },
      note: 'the embedded engine alone costs about 210 MB',
    }),
  );
  context.sections.memory = {
    compiled: Object.fromEntries([...peaks].map(([role, bytes]) => [role, Math.round(mb(bytes))])),
    underTsx: tsxPeaks,
  };
}
