import { execFileSync } from 'node:child_process';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { killAllChildren } from './lib/children.js';
import { type BenchContext, type BenchOptions, createContext } from './lib/context.js';
import { stopAllLoad } from './lib/load.js';
import { progress } from './lib/progress.js';
import { formatTable, writeReport } from './lib/report.js';
import { runCollectorSection } from './sections/collector.js';
import { runDashboardsSection } from './sections/dashboards.js';
import { runFloodSection } from './sections/flood.js';
import { runMemorySection } from './sections/memory.js';
import { runReleaseSection } from './sections/release.js';
import { parseConfigurations, runScaleOutSection, type ScaleOutOptions } from './sections/scale-out.js';
import { runWorkersSection } from './sections/workers.js';

/**
 * `npm run bench`: Kanon's performance figures on this machine, each next to a baseline measured in
 * the same run (docs/benchmarks.md). Prints a table and writes the figures as JSON to
 * bench/results/<timestamp>.json and bench/results/latest.json.
 */
const SECTIONS = [
  'collector',
  'batches',
  'flood',
  'workers',
  'scale-out',
  'release',
  'dashboards',
  'memory',
] as const;
type Section = (typeof SECTIONS)[number];

const USAGE = `usage: npx tsx bench/run.ts [options]

  --only LIST         sections to run, comma-separated: ${SECTIONS.join(', ')} (default: all)
  --quick             every section briefly (a smoke check; figures are not comparable)
  --duration S        seconds per load run in the collector sections (default 10)
  --rounds N          alternating bare/collector rounds; the best of each is kept (default 2)
  --profile LIST      run these children under node --cpu-prof: collector, bare, worker,
                      staging, dashboards (profiles and their top frames are printed at the end)
  --redis-persist no  the queue's redis-server without its append-only file (default: with, as npm start)
  --queue-rewrites S  seconds at least between the workers' rewrites of that file (default 20, as
                      npm start; 0: none, to measure what they cost)
  --scale-events N    scale-out: events per measured drain (default 100000; --quick 20000)
  --scale-configurations LIST
                      scale-out: workers x queues to run beside the baseline 1x1 (which runs first
                      and again at the end), e.g. 4x1 or 2x1,4x1 (default: 2x1,4x1,1x2,2x2,4x2)
  --scale-rounds N    scale-out: rounds of the baseline and every configuration, each compared with
                      the baseline runs just before and after it (default 1)
  --scale-warm-up M   scale-out: per-worker (default: each worker process warms up on a fifth of the
                      drain's events) or shared (a fifth in all, shared by the workers)
  (--profile scale-drain: a profile of each scale-out worker over its measured drain only)
  --help              this text`;

/** Flags of the scale-out section alone, passed to it rather than kept in every section's options. */
let scaleOut: ScaleOutOptions = {};

function parseOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      profile: { type: 'string' },
      'redis-persist': { type: 'string', default: 'yes' },
      'queue-rewrites': { type: 'string', default: '20' },
      'scale-events': { type: 'string' },
      'scale-configurations': { type: 'string' },
      'scale-rounds': { type: 'string' },
      'scale-warm-up': { type: 'string', default: 'per-worker' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const list = (text: string | undefined) =>
    new Set(
      (text ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    );
  const only = values.only ? list(values.only) : new Set<string>(SECTIONS);
  for (const name of only) {
    if (!(SECTIONS as readonly string[]).includes(name)) {
      console.error(`bench: unknown section "${name}"\n\n${USAGE}`);
      process.exit(2);
    }
  }
  const number = (text: string | undefined, fallback: number) => {
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(value) || value <= 0) {
      console.error(`bench: ${text} is not a positive number\n\n${USAGE}`);
      process.exit(2);
    }
    return value;
  };
  const configurations =
    values['scale-configurations'] === undefined
      ? undefined
      : parseConfigurations(values['scale-configurations']);
  if (values['scale-configurations'] !== undefined && !configurations) {
    console.error(
      `bench: --scale-configurations ${values['scale-configurations']} is not a list like 2x1,4x1 (1, 2 or 4 workers x 1 or 2 queues)\n\n${USAGE}`,
    );
    process.exit(2);
  }
  const warmUp = values['scale-warm-up'];
  if (warmUp !== 'per-worker' && warmUp !== 'shared') {
    console.error(`bench: --scale-warm-up ${warmUp} is neither per-worker nor shared\n\n${USAGE}`);
    process.exit(2);
  }
  scaleOut = {
    warmUp,
    events: values['scale-events'] === undefined ? undefined : Math.round(number(values['scale-events'], 0)),
    configurations,
    rounds: values['scale-rounds'] === undefined ? undefined : Math.round(number(values['scale-rounds'], 1)),
  };
  return {
    quick: values.quick,
    only,
    profile: list(values.profile),
    profileDir: join(tmpdir(), `kanon-bench-profiles-${process.pid}`),
    redisPersistent: values['redis-persist'] !== 'no',
    queueRewriteEveryMs: queueRewrites(values['queue-rewrites']),
    rounds: Math.round(number(values.rounds, 2)),
    durationS: number(values.duration, 10),
  };
}

function queueRewrites(text: string | undefined): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) {
    console.error(`bench: --queue-rewrites ${text} is not a number of seconds\n\n${USAGE}`);
    process.exit(2);
  }
  return seconds * 1000;
}

function machine(): Record<string, unknown> {
  const version = (command: string, args: string[]) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  };
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: version('redis-server', ['--version'])?.match(/v=(\S+)/)?.[1],
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

const RUNNERS: Record<Section, (context: BenchContext) => Promise<void>> = {
  collector: (context) => runCollectorSection(context, 'single'),
  batches: (context) => runCollectorSection(context, 'batch'),
  flood: runFloodSection,
  workers: runWorkersSection,
  'scale-out': (context) => runScaleOutSection(context, scaleOut),
  release: runReleaseSection,
  dashboards: runDashboardsSection,
  memory: runMemorySection,
};

async function main(): Promise<number> {
  const options = parseOptions();
  const startedAt = new Date().toISOString();
  const info = machine();
  if ((info.loadAverageAtStart as number[])[0]! > cpus().length * 0.5) {
    progress.line(
      `note: load average ${(info.loadAverageAtStart as number[]).join(' ')} on ${cpus().length} cores: others are busy; ratios stay meaningful, absolute figures less so`,
    );
  }
  const context = await createContext(options);
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) return;
    interrupted = true;
    progress.line('\ninterrupted: stopping load, children and redis-servers');
    stopAllLoad();
    void killAllChildren()
      .then(() => context.close())
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  let failed = false;
  try {
    for (const section of SECTIONS) {
      if (!options.only.has(section) || interrupted) continue;
      const started = Date.now();
      try {
        await RUNNERS[section](context);
      } catch (error) {
        if (interrupted) break;
        failed = true;
        progress.line(
          `[${section}] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        context.notes.push(`${section}: failed: ${error instanceof Error ? error.message : String(error)}`);
        await killAllChildren();
      }
      progress.line(`[${section}] done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    if (!interrupted) {
      await killAllChildren();
      await context.close();
    }
  }
  if (interrupted) return 130;
  const finishedAt = new Date().toISOString();
  const report = {
    startedAt,
    finishedAt,
    machine: { ...info, loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100) },
    options: {
      quick: options.quick,
      only: [...options.only],
      redisPersistent: options.redisPersistent,
      queueRewriteEveryMs: options.queueRewriteEveryMs,
      rounds: options.rounds,
      durationS: options.durationS,
    },
    figures: context.figures,
    sections: context.sections,
    notes: context.notes,
  };
  console.log(
    `\nKanon benchmarks, ${startedAt} (${info.cpus} cores, node ${info.node}${options.quick ? ', QUICK' : ''})\n`,
  );
  console.log(formatTable(context.figures));
  for (const note of context.notes) console.log(`note: ${note}`);
  const { file } = writeReport(report, new URL('./results/', import.meta.url));
  console.log(`\nwritten: ${file} (and bench/results/latest.json)`);
  if (options.profile.size > 0) {
    const { printProfiles } = await import('./lib/profiles.js');
    printProfiles(options.profileDir);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await killAllChildren();
    process.exit(1);
  },
);
