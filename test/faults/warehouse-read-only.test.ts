import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { metricValue, stagedEvents } from '../fixtures/counts.js';
import { pageviewSender, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';

/**
 * The embedded engine's directory turns read-only while events keep coming (a disk remounted
 * read-only after errors, a full or misconfigured volume). Here the staging table's directory is
 * bind-mounted read-only over itself, which refuses writes even to root, while the engine keeps
 * its open files: every staging insert fails (the engine cannot create the part's directory),
 * reads go on, and once the directory is writable again the retried batches are staged, each
 * acknowledged event exactly once.
 *
 * Needs root and mount(8) with the right to mount; where a bind mount fails, the test is skipped
 * and says why.
 */
const mountProblem = (() => {
  // Tried on a scratch directory: root in a container without CAP_SYS_ADMIN cannot mount either.
  const scratch = mkdtempSync(join(tmpdir(), 'kanon-bind-probe-'));
  try {
    execFileSync('mount', ['--bind', scratch, scratch], { stdio: 'pipe' });
    execFileSync('umount', [scratch], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `a bind mount is not allowed here (${String((error as Error).message).split('\n')[0]})`;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
})();
if (mountProblem && !process.env.KANON_QUIET_SKIPS)
  console.info(`[faults] read-only data directory skipped: ${mountProblem}`);

const mount = (...args: string[]) => execFileSync('mount', args, { stdio: 'pipe' });

describe.skipIf(mountProblem !== undefined)('fault: the embedded engine directory turns read-only', () => {
  let pipeline: TestPipeline;
  let readOnly: string | undefined;
  const writable = () => {
    if (readOnly) execFileSync('umount', [readOnly], { stdio: 'pipe' });
    readOnly = undefined;
  };
  beforeAll(async () => {
    pipeline = await startTestPipeline({ KANON_TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    writable();
    await pipeline?.close();
  });

  const sample = (name: string) => metricValue(pipeline.metrics, name);

  it('fails staging inserts, loses nothing, and stages every acknowledged event once it is writable', async () => {
    const sender = pageviewSender(pipeline, { path: '/r', lane: 9 });
    for (let n = 0; n < 50; n += 1) await sender.send(n);
    await pipeline.drain();
    expect(await stagedEvents(pipeline.warehouse)).toBe(50);

    const [table] = await pipeline.warehouse.query({
      name: 'staging_directory',
      sql: "SELECT data_paths[1] AS path FROM system.tables WHERE database = currentDatabase() AND name = 'stg_cells'",
      row: z.object({ path: z.string().min(1) }),
    });
    const directory = table!.path.replace(/\/$/, '');
    mount('--bind', directory, directory);
    readOnly = directory;
    mount('-o', 'remount,bind,ro', directory);

    const inserts = await sample('kanon_workers_inserts_total');
    const attempts = await sample('kanon_workers_insert_seconds_count');
    for (let n = 50; n < 150; n += 1) await sender.send(n);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // a few failed attempts and backoffs
    // The collector kept accepting, the engine refused every insert, and reads still answer.
    expect(sender.acknowledged).toBe(150);
    expect(await sample('kanon_workers_inserts_total')).toBe(inserts);
    expect(await sample('kanon_workers_insert_seconds_count')).toBeGreaterThan(attempts);
    expect(await stagedEvents(pipeline.warehouse)).toBe(50);

    writable();
    await pipeline.drain();
    expect(await stagedEvents(pipeline.warehouse)).toBe(150);
    expect(await sample('kanon_workers_inserts_total')).toBeGreaterThan(inserts);
  });
});
