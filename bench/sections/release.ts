import { DAY_SECONDS } from '../../core/time.js';
import type { BenchContext } from '../lib/context.js';
import { peakRssBytes } from '../lib/proc.js';
import { progress } from '../lib/progress.js';
import { figure } from '../lib/report.js';

/**
 * Section 4: one day of shop traffic (a million events by default) staged into stg_cells batch by
 * batch as workers would have, then one `releaseDue` tick with the clock five minutes past the
 * day: 24 windows' site totals, and the day's every report through the ladder, suppression and
 * linking. The baseline is the engine alone reading the day's cells (the day release's main read).
 */
export async function runReleaseSection(context: BenchContext): Promise<void> {
  const { quick } = context.options;
  const eventsPerDay = quick ? 50_000 : 1_000_000;
  const batchEvents = 500;
  const nowSeconds = Math.floor(Date.now() / 1000);
  const dayStart = nowSeconds - (nowSeconds % DAY_SECONDS) - DAY_SECONDS;
  progress.line(
    `[release] one day of ${eventsPerDay.toLocaleString('en')} events staged in batches of ${batchEvents}, then released`,
  );
  const staging = await context.child<{ windowSeconds: number }>('staging', {
    env: { KANON_DATA_DIR: context.dataDir('release') },
  });
  try {
    const staged = await staging.call<{
      events: number;
      rows: number;
      inserts: number;
      visitors: number;
      ms: number;
    }>('stageDay', { dayStart, eventsPerDay, batchEvents, seed: 7 });
    progress.line(
      `  staged ${staged.events.toLocaleString('en')} events of ${staged.visitors.toLocaleString('en')} visitors as ${staged.rows.toLocaleString('en')} rows in ${(staged.ms / 1000).toFixed(0)} s`,
    );
    const released = await staging.call<{ windows: number; days: number; ms: number }>('release', {
      clock: (dayStart + DAY_SECONDS + 300) * 1000,
    });
    progress.line(
      `  released ${released.windows} windows and ${released.days} day in ${(released.ms / 1000).toFixed(1)} s`,
    );
    const read = await staging.call<{ cells: number; ms: number }>('readDay', { dayStart });
    const published = await staging.call<number>('publishedRows');
    context.notePeak('staging', peakRssBytes(staging.pid));
    if (released.windows !== DAY_SECONDS / staging.ready.windowSeconds || released.days !== 1)
      context.notes.push(
        `release: expected ${DAY_SECONDS / staging.ready.windowSeconds} windows and 1 day, got ${released.windows} and ${released.days}`,
      );
    context.figures.push(
      figure({
        section: 'release',
        name: `release one day (${released.windows} windows + the day)`,
        value: released.ms / 1000,
        unit: 's',
        baseline: { name: 'reading its staged cells', value: read.ms / 1000 },
      }),
    );
    // Noise mode: the same day staged with each visitor's contributions and released with noise,
    // beside the plain release of this run.
    const noisy = await context.child<{ windowSeconds: number }>('staging', {
      env: { KANON_DATA_DIR: context.dataDir('release-noise'), KANON_EPSILON: '8' },
      as: 'staging-noise',
    });
    let noisyReleased: { windows: number; days: number; ms: number };
    try {
      await noisy.call('stageDay', { dayStart, eventsPerDay, batchEvents, seed: 7 });
      noisyReleased = await noisy.call('release', { clock: (dayStart + DAY_SECONDS + 300) * 1000 });
      context.notePeak('staging-noise', peakRssBytes(noisy.pid));
    } finally {
      await noisy.stop();
    }
    progress.line(`  in noise mode: released the day in ${(noisyReleased.ms / 1000).toFixed(1)} s`);
    context.figures.push(
      figure({
        section: 'release',
        name: 'release one day in noise mode',
        value: noisyReleased.ms / 1000,
        unit: 's',
        baseline: { name: 'the plain release', value: released.ms / 1000 },
      }),
    );
    context.sections.release = {
      eventsPerDay,
      batchEvents,
      staged,
      released,
      readBaseline: read,
      publishedRows: published,
    };
  } finally {
    await staging.stop();
  }
}
