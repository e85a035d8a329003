import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../core/config.js';

/**
 * deploy/cluster/: the cluster deployment docs/scaling.md describes. Docker does not run where
 * Kanon is developed, so its files are checked by reading them: the compose file parses, names
 * every service the guide lists, and its ClickHouse, Keeper and Redis settings agree with each other
 * and with Kanon's configuration.
 */
interface Service {
  image?: string;
  build?: unknown;
  hostname?: string;
  command?: string[];
  volumes?: string[];
  tmpfs?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
}
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const compose = parse(read('deploy/cluster/docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const clusterXml = read('deploy/cluster/clickhouse/cluster.xml');
const keeperXml = read('deploy/cluster/keeper/keeper.xml');
const guide = read('docs/scaling.md');
const byPrefix = (prefix: string) => Object.keys(services).filter((name) => name.startsWith(prefix));

describe('deploy/cluster/docker-compose.yml', () => {
  it('defines every service docs/scaling.md lists, and only those', () => {
    const table = guide.slice(guide.indexOf('## The cluster deployment'));
    const listed = [...table.matchAll(/^\| `([a-z0-9-]+)`/gm)].map((match) => match[1]!);
    expect(listed.length).toBeGreaterThan(10);
    expect([...listed].sort()).toEqual(Object.keys(services).sort());
  });

  it('runs 2 shards of 2 replicas, each node with its own macros and the cluster config', () => {
    const nodes = byPrefix('clickhouse-');
    expect(nodes).toHaveLength(4);
    const macros = nodes.map(
      (name) => `${services[name]?.environment?.KANON_SHARD}/${services[name]?.environment?.KANON_REPLICA}`,
    );
    expect(new Set(macros).size).toBe(4);
    expect(nodes.map((name) => services[name]?.environment?.KANON_SHARD).sort()).toEqual([
      '1',
      '1',
      '2',
      '2',
    ]);
    for (const name of nodes) {
      const mounts = services[name]?.volumes ?? [];
      for (const file of ['cluster.xml', 'no-logs.xml', 'no-query-log.xml']) {
        expect(
          mounts.some((mount) => mount.includes(file)),
          `${name} mounts ${file}`,
        ).toBe(true);
      }
      const [major, minor] = (/:(\d+)\.(\d+)$/.exec(services[name]?.image ?? '') ?? []).slice(1).map(Number);
      expect(major! > 25 || (major === 25 && minor! >= 12), name).toBe(true);
    }
    // remote_servers: the same four hosts, two a shard, replicated by the tables themselves.
    const shards = [...clusterXml.matchAll(/<shard>([\s\S]*?)<\/shard>/g)].map((shard) =>
      [...shard[1]!.matchAll(/<host>([^<]+)<\/host>/g)].map((host) => host[1]),
    );
    expect(shards).toHaveLength(2);
    expect(shards.flat().sort()).toEqual([...nodes].sort());
    for (const shard of shards) {
      const shardNumbers = shard.map((host) => services[host!]?.environment?.KANON_SHARD);
      expect(new Set(shardNumbers).size, "a shard's replicas share their shard macro").toBe(1);
    }
    expect(clusterXml.match(/<internal_replication>true<\/internal_replication>/g)).toHaveLength(2);
    expect(clusterXml).toContain('<shard from_env="KANON_SHARD"/>');
    expect(clusterXml).toContain('<replica from_env="KANON_REPLICA"/>');
  });

  it('names the cluster Kanon is configured with, and Kanon accepts that configuration', () => {
    const name = /<remote_servers>\s*<(\w+)>/.exec(clusterXml)?.[1];
    for (const service of [...byPrefix('worker-'), ...byPrefix('collector-'), 'migrate', 'dashboards']) {
      const env = services[service]?.environment ?? {};
      if (service === 'collector-lb') continue;
      expect(env.KANON_CLICKHOUSE_CLUSTER, service).toBe(name);
      // The ClickHouse settings as written (the others take ${...} from the operator's shell).
      const keys = ['CLICKHOUSE_URL', 'CLICKHOUSE_USER', 'CLICKHOUSE_DATABASE', 'KANON_CLICKHOUSE_CLUSTER'];
      const config = loadConfig({
        ...Object.fromEntries(keys.map((key) => [key, String(env[key])])),
        KANON_SITES: 'shop=https://shop.example',
      });
      expect(config.warehouse).toMatchObject({ kind: 'server', cluster: name });
    }
  });

  it('coordinates through 3 Keepers, which every node and every Keeper knows', () => {
    const keepers = byPrefix('keeper-');
    expect(keepers).toHaveLength(3);
    const zookeeper = /<zookeeper>([\s\S]*?)<\/zookeeper>/.exec(clusterXml)?.[1] ?? '';
    expect([...zookeeper.matchAll(/<host>([^<]+)<\/host>/g)].map((match) => match[1]).sort()).toEqual(
      keepers,
    );
    const raft = [...keeperXml.matchAll(/<hostname>([^<]+)<\/hostname>/g)].map((match) => match[1]).sort();
    expect(raft).toEqual(keepers);
    expect(new Set(keepers.map((name) => services[name]?.environment?.KEEPER_SERVER_ID)).size).toBe(3);
  });

  it('queues in a Redis Cluster of 3 primaries with a replica each and keeps the salts in a Redis that never writes to disk', () => {
    const nodes = byPrefix('redis-').filter((name) => /^redis-\d$/.test(name));
    expect(nodes).toHaveLength(6);
    for (const name of nodes) expect(services[name]?.command?.join(' ')).toContain('--cluster-enabled yes');
    const init = services['redis-cluster-init']?.command?.join(' ') ?? '';
    expect(init).toContain(`for node in ${nodes.join(' ')};`);
    // The collector's 202 waits for a replica (WAIT 1): without replicas a lost primary loses batches.
    expect(init).toContain('--cluster-replicas 1');
    const salts = services['redis-salts'];
    expect(salts?.command?.join(' ')).toContain('--appendonly no');
    expect(salts?.tmpfs).toEqual(['/data']);
    for (const service of byPrefix('worker-')) {
      expect(String(services[service]?.environment?.REDIS_URL)).toMatch(
        /^redis-cluster:\/\/redis-1:6379,redis-2:6379,redis-3:6379$/,
      );
      expect(services[service]?.environment?.KANON_SALT_REDIS_URL).toBe('redis://redis-salts:6379');
    }
  });

  it('runs 2 collectors behind the load balancer, trusting exactly its one hop, and 2 workers', () => {
    const collectors = byPrefix('collector-').filter((name) => name !== 'collector-lb');
    expect(collectors).toHaveLength(2);
    const nginx = read('deploy/cluster/nginx.conf');
    for (const name of collectors) {
      expect(nginx).toContain(`server ${name}:8080;`);
      expect(services[name]?.environment?.KANON_TRUST_PROXY).toBe('1');
    }
    expect(nginx).toContain('access_log off;');
    expect(byPrefix('worker-')).toHaveLength(2);
    for (const name of [...collectors, ...byPrefix('worker-'), 'dashboards', 'migrate']) {
      expect(services[name]?.build, name).toBe('../..');
    }
  });
});
