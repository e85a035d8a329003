import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** Docker does not run where Kanon is developed, so the deployment files are checked by reading them. */
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  healthcheck?: { test: string[] };
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8')) as {
  services: Record<string, Service>;
};
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const deployment = readme.slice(readme.indexOf('### Deployment'), readme.indexOf('## Configuration'));

describe('docker-compose.yml', () => {
  it('defines every service the README names', () => {
    const named = [...deployment.matchAll(/`([a-z-]+)`/g)].map((match) => match[1]!);
    const services = ['clickhouse', 'redis', 'redis-salts', 'migrate', 'collector', 'worker', 'dashboards'];
    for (const service of services) {
      expect(named, `README names ${service}`).toContain(service);
      expect(compose.services[service], `compose defines ${service}`).toBeDefined();
    }
  });

  it('pins the ClickHouse server image to a release line new enough for Kanon', () => {
    const image = compose.services.clickhouse?.image ?? '';
    const match = /^clickhouse\/clickhouse-server:(\d+)\.(\d+)/.exec(image);
    expect(match, image).not.toBeNull();
    const [major, minor] = [Number(match![1]), Number(match![2])];
    expect(major > 25 || (major === 25 && minor >= 12)).toBe(true);
  });

  it("switches off ClickHouse's query and trace logs", () => {
    const mounts = compose.services.clickhouse?.volumes ?? [];
    const config = readFileSync(new URL('../../deploy/clickhouse/no-logs.xml', import.meta.url), 'utf8');
    expect(mounts.some((mount) => mount.includes('no-logs.xml'))).toBe(true);
    expect(mounts.some((mount) => mount.includes('no-query-log.xml'))).toBe(true);
    for (const log of ['query_log', 'trace_log', 'query_thread_log', 'text_log']) {
      expect(config).toContain(`<${log} remove="1"/>`);
    }
  });

  it('builds collector, worker and dashboards from the one Dockerfile, each with a health check', () => {
    for (const name of ['collector', 'worker', 'dashboards']) {
      const service = compose.services[name]!;
      expect(service.build).toBe('.');
      expect(service.healthcheck?.test.join(' ')).toMatch(/healthz|readyz/);
    }
  });

  it('keeps the salts Redis off disk and the queue Redis on it', () => {
    const salts = (compose.services['redis-salts']?.command ?? []).join(' ');
    expect(salts).toContain('--appendonly no');
    expect(salts).toContain('--save');
    expect(salts).not.toContain('--appendonly yes');
    expect((compose.services.redis?.command ?? []).join(' ')).toMatch(/--appendonly yes/);
    expect(compose.services.collector?.environment?.KANON_SALT_REDIS_URL).toBe('redis://redis-salts:6379');
  });
});
