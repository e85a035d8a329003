import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openControlOrStore } from '../../bin/runtime/open-control-or-store.js';
import { loadConfig } from '../../core/config.js';
import { serveControlToken } from '../../dashboards/auth/control-token.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kanon-control-or-store-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A stand-in for a running Kanon's dashboards: answers the control ping, announced on the socket. */
async function announceRunningKanon(dataDir: string): Promise<string> {
  const server = createServer((request, response) => {
    response.statusCode = request.url === '/control/v1/ping' ? 200 : 404;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const socket = await serveControlToken(dataDir, { url });
  if (!socket) throw new Error(`the control socket path under ${dataDir} is too long for this system`);
  cleanups.push(() => socket.close());
  return url;
}

const neverTheStore = () => {
  throw new Error('opened the store');
};

describe('openControlOrStore', () => {
  it('goes through the running Kanon announced for the data directory and never opens the store', async () => {
    const dataDir = tempDataDir();
    const url = await announceRunningKanon(dataDir);
    const via = await openControlOrStore(loadConfig({ KANON_DATA_DIR: dataDir }), {
      viaControl: (control) => control.url,
      viaStore: neverTheStore,
    });
    expect(via).toBe(url);
    expect(existsSync(join(dataDir, 'clickhouse'))).toBe(false);
  });

  it('refuses a data directory without a store with no_store, and creates none there', async () => {
    const dataDir = tempDataDir();
    const opened = openControlOrStore(loadConfig({ KANON_DATA_DIR: dataDir }), {
      viaControl: () => {
        throw new Error('found a Kanon where none runs');
      },
      viaStore: neverTheStore,
    });
    await expect(opened).rejects.toMatchObject({
      code: 'no_store',
      message: expect.stringContaining(`there is no Kanon store in ${dataDir} (KANON_DATA_DIR)`),
    });
    expect(existsSync(join(dataDir, 'clickhouse'))).toBe(false);
  });
});
