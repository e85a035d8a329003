import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ClickHouseServerWarehouse } from '../../core/warehouse/clickhouse-server.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { AnonymousEvent } from '../../schema/event.js';
import { migrate } from '../../schema/migrate.js';
import { anonymousEvent, visitorOn } from '../fixtures/anonymous-event.js';
import { dumpWarehouse } from '../fixtures/inspect-stores.js';
import { createTestStager } from '../fixtures/stager.js';
import { TEST_SCHEMA } from '../fixtures/warehouse.js';

/**
 * Many workers, one ClickHouse: two worker processes run the release at the same instant through
 * the server adapter against one shared engine (test/fixtures/chdb-http-server.ts: no ClickHouse
 * server runs here, and chDB locks a store to one process). Every window and day is published
 * once, with the same figures as one worker publishing the same staging alone.
 */
const front = new URL('../fixtures/chdb-http-server.ts', import.meta.url).pathname;
const releaser = new URL('../fixtures/release-worker-process.ts', import.meta.url).pathname;
const children: ChildProcess[] = [];

interface Process {
  child: ChildProcess;
  next(): Promise<string>;
}

function start(script: string, arg: string): Process {
  const child = spawn(process.execPath, ['--import', 'tsx', script, arg], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    child,
    next: async () => {
      const line = await lines.next();
      if (line.done) throw new Error(`${script} exited`);
      return line.value;
    },
  };
}

async function startStore(): Promise<{ url: string; warehouse: Warehouse }> {
  const server = start(front, mkdtempSync(join(tmpdir(), 'kanon-shared-engine-')));
  const port = /^listening (\d+)$/.exec(await server.next())?.[1];
  const url = `http://127.0.0.1:${port}`;
  const warehouse = await ClickHouseServerWarehouse.open({
    url,
    user: 'default',
    password: '',
    database: 'default',
  });
  await migrate(warehouse, TEST_SCHEMA);
  return { url, warehouse };
}

async function startReleaser(url: string): Promise<Process> {
  const worker = start(releaser, url);
  expect(await worker.next()).toBe('ready');
  return worker;
}

const Summary = z.object({ windows: z.number(), days: z.number() });
async function release(worker: Process, at: number) {
  worker.child.stdin!.write(`release ${at}\n`);
  const line = await worker.next();
  if (!line.startsWith('released ')) throw new Error(line);
  return Summary.parse(JSON.parse(line.slice('released '.length)));
}

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
/** Yesterday, 10:00 to 10:03 UTC: three one-minute windows, two sites, visitors on many networks. */
function yesterdaysEvents(): AnonymousEvent[] {
  const events: AnonymousEvent[] = [];
  for (let n = 0; n < 450; n += 1) {
    events.push(
      anonymousEvent({
        ts: today - DAY + 10 * 3_600_000 + (n % 3) * 60_000 + (n % 7) * 1000,
        site: n % 2 === 0 ? 'other' : 'shop',
        visitor: visitorOn(n % 11, n % 40),
        path: `/p${n % 5}`,
        device: n % 2 === 0 ? 'mobile' : 'desktop',
      }),
    );
  }
  return events;
}

async function stage(warehouse: Warehouse, events: AnonymousEvent[]) {
  const stager = createTestStager(warehouse);
  for (let i = 0; i < events.length; i += 100) {
    const id = `shared-${String(i).padStart(6, '0')}`;
    await stager({ id, batches: [{ id, events: events.slice(i, i + 100) }], retry: false });
  }
}

/** The published tables, rows sorted, release times left out (they are each run's own clock). */
async function published(warehouse: Warehouse): Promise<string> {
  return (await dumpWarehouse(warehouse))
    .split(/\n(?=[a-z_]+\n)/)
    .filter((section) => section.startsWith('pub_'))
    .map((section) =>
      section
        .replace(/"released_at":"[^"]+",?/g, '')
        .split('\n')
        .sort()
        .join('\n'),
    )
    .join('\n');
}

describe('two worker processes releasing against one ClickHouse at the same time', () => {
  let shared: { url: string; warehouse: Warehouse };
  let alone: { url: string; warehouse: Warehouse };
  let together: { windows: number; days: number }[];
  let single: { windows: number; days: number };

  beforeAll(async () => {
    [shared, alone] = await Promise.all([startStore(), startStore()]);
    const events = yesterdaysEvents();
    await stage(shared.warehouse, events);
    await stage(alone.warehouse, events);
    const [a, b, c] = await Promise.all([
      startReleaser(shared.url),
      startReleaser(shared.url),
      startReleaser(alone.url),
    ]);
    const at = today + 5 * 60_000;
    together = await Promise.all([release(a!, at), release(b!, at)]);
    // And again, both at once: nothing is left to release, nothing changes.
    together.push(...(await Promise.all([release(a!, at), release(b!, at)])));
    single = await release(c!, at);
  }, 300_000);

  afterAll(async () => {
    await shared?.warehouse.close();
    await alone?.warehouse.close();
    for (const child of children) child.kill('SIGTERM');
  });

  it('releases every window and day of the staging', () => {
    // 3 windows of each of two sites, and yesterday for each.
    expect(single).toEqual({ windows: 6, days: 2 });
    expect(together.slice(2)).toEqual([
      { windows: 0, days: 0 },
      { windows: 0, days: 0 },
    ]);
  });

  it('publishes each window and day once: one manifest row per period and report', async () => {
    const [manifest] = await shared.warehouse.query({
      name: 'manifest',
      sql: `SELECT toUInt64(count()) AS rows, toUInt64(uniqExact(site, grain, period_start, report)) AS periods,
                   toUInt64(countIf(grain = 'window' AND report = 'overview')) AS windows
            FROM pub_releases`,
      row: z.object({ rows: z.number(), periods: z.number(), windows: z.number() }),
    });
    expect(manifest?.windows).toBe(6);
    expect(manifest?.rows).toBe(manifest?.periods);
  });

  it('publishes the same figures as one worker releasing alone', async () => {
    const two = await published(shared.warehouse);
    expect(two).toContain('pub_overview_by_window');
    expect(two).toBe(await published(alone.warehouse));
    const [totals] = await shared.warehouse.query({
      name: 'totals',
      sql: 'SELECT toUInt64(sum(pageviews)) AS pageviews FROM pub_overview_by_day',
      row: z.object({ pageviews: z.number() }),
    });
    expect(totals?.pageviews).toBe(450);
  });
});
