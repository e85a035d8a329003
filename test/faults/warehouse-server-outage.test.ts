import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChdbConnection } from 'chdb/connection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseServerWarehouse } from '../../core/warehouse/clickhouse-server.js';
import { migrate } from '../../schema/migrate.js';
import { metricValue, stagedEvents } from '../fixtures/counts.js';
import { pageviewSender, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';
import { TEST_SCHEMA } from '../fixtures/warehouse.js';

/**
 * ClickHouse unreachable in server mode: the server stops while events keep coming, then comes
 * back. No ClickHouse server can run where Kanon is developed, so the server adapter (clickhouse-js,
 * its settings, its error mapping) talks to the real engine through chDB's clickhouse-js
 * Connection, as in test/warehouse/server-adapter-over-chdb.test.ts, behind a switch that fails
 * the way a stopped server's socket does:
 * - the insert in flight when the server stops is committed, but its answer is lost (ECONNRESET):
 *   the worst case for exactly once, since the worker cannot know the insert got through;
 * - every later request is refused (ECONNREFUSED) until the server is back.
 */
interface ServerSwitch {
  connection: object;
  /** Stops the server; the next insert is committed but answered with a reset connection. */
  stop(): void;
  start(): void;
  refused: number;
  lostAnswers: number;
}

function connectionError(code: 'ECONNREFUSED' | 'ECONNRESET'): Error {
  const message = code === 'ECONNREFUSED' ? 'connect ECONNREFUSED 127.0.0.1:8123' : 'socket hang up';
  return Object.assign(new Error(message), { code, syscall: code === 'ECONNREFUSED' ? 'connect' : 'read' });
}

function serverSwitch(inner: object): ServerSwitch {
  let down = false;
  let cutNextInsert = false;
  const control: ServerSwitch = {
    connection: new Proxy(inner, {
      get(target, name) {
        const value: unknown = Reflect.get(target, name);
        if (typeof value !== 'function' || name === 'close') return value;
        return async (...args: unknown[]) => {
          if (down && cutNextInsert && name === 'insert') {
            cutNextInsert = false;
            await value.apply(target, args);
            control.lostAnswers += 1;
            throw connectionError('ECONNRESET');
          }
          if (down) {
            control.refused += 1;
            throw connectionError('ECONNREFUSED');
          }
          return value.apply(target, args);
        };
      },
    }),
    stop() {
      down = true;
      cutNextInsert = true;
    },
    start() {
      down = false;
      cutNextInsert = false;
    },
    refused: 0,
    lostAnswers: 0,
  };
  return control;
}

describe('fault: the ClickHouse server stops while events keep coming (server mode)', () => {
  let pipeline: TestPipeline;
  let warehouse: ClickHouseServerWarehouse;
  const server = serverSwitch(
    createChdbConnection({ path: mkdtempSync(join(tmpdir(), 'kanon-server-outage-')) }),
  );

  beforeAll(async () => {
    // chDB's Connection does not apply clickhouse-js's `database` option: the adapter uses `default`.
    warehouse = await ClickHouseServerWarehouse.open({
      url: 'http://clickhouse.invalid:8123',
      user: 'default',
      password: '',
      database: 'default',
      connection: () => server.connection,
    });
    await migrate(warehouse, TEST_SCHEMA);
    pipeline = await startTestPipeline({ KANON_TRUST_PROXY: 'true' }, { warehouse });
  });
  afterAll(async () => {
    server.start();
    await pipeline?.close();
    await warehouse?.close();
  });

  const stagedBatches = () => metricValue(pipeline.metrics, 'kanon_workers_batches_total');

  it('retries through the outage and stages every acknowledged event once when the server is back', async () => {
    const sender = pageviewSender(pipeline, { path: '/s', lane: 9 });
    for (let n = 0; n < 50; n += 1) await sender.send(n);
    await pipeline.drain();
    expect(await stagedEvents(pipeline.warehouse)).toBe(50);
    const before = await stagedBatches();

    server.stop();
    // The worker sees what any caller sees: a retryable "unreachable", not a refusal of the data.
    await expect(warehouse.ping()).rejects.toMatchObject({ code: 'warehouse_unavailable' });
    for (let n = 50; n < 150; n += 1) await sender.send(n);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // a few failed attempts and backoffs
    expect(server.lostAnswers).toBe(1); // one insert got through, and its answer was lost
    expect(server.refused).toBeGreaterThan(1); // and retries met the stopped server
    expect(await stagedBatches()).toBe(before); // no batch was taken as staged meanwhile

    server.start();
    await pipeline.drain();
    expect(sender.acknowledged).toBe(150);
    expect(await stagedEvents(pipeline.warehouse)).toBe(150);
  });
});
