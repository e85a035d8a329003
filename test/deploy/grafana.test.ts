import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type AnalystSql, openAnalystSql } from '../../core/warehouse/analyst-sql.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { PUBLISHED_TABLES } from '../../schema/tables.js';
import { seedPublishedData } from '../dashboards/fixtures/published-data.js';
import { openMigratedWarehouse } from '../fixtures/warehouse.js';

/**
 * deploy/grafana/: the provisioning example of docs/integrations/bi-tools.md. Every SQL the
 * dashboard sends is run, with Grafana's macros expanded as the ClickHouse plugin expands them,
 * as an analyst's query (published tables and allowed functions only, engine-enforced) on a
 * migrated store with released data: a column or table that does not exist, or one an analyst
 * cannot read, fails the test.
 */
const read = (path: string) => readFileSync(new URL(`../../deploy/grafana/${path}`, import.meta.url), 'utf8');

interface Target {
  rawSql: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  title: string;
  targets: Target[];
  datasource: { uid: string };
}
const dashboard = JSON.parse(read('dashboards/kanon-overview.json')) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; query: string; datasource: { uid: string } }[] };
};

const FROM = '2000-01-01 00:00:00';
const TO = '2100-01-01 00:00:00';

/** The ClickHouse plugin's macros and the dashboard's variable, as the plugin sends them. */
function expand(sql: string, site: string): string {
  return sql
    .replace(
      /\$__timeFilter\((\w+)\)/g,
      (_all, column: string) =>
        `${column} >= toDateTime('${FROM}', 'UTC') AND ${column} <= toDateTime('${TO}', 'UTC')`,
    )
    .replaceAll(`\${site}`, site);
}

const queries = [
  ...dashboard.templating.list.map((variable) => ({
    title: `variable ${variable.name}`,
    sql: variable.query,
  })),
  ...dashboard.panels.flatMap((panel) =>
    panel.targets.map((target) => ({ title: panel.title, sql: target.rawSql })),
  ),
];

describe('the Grafana provisioning example', () => {
  it('provisions a ClickHouse data source as an analyst user, with no secret in the file', () => {
    const file = parse(read('provisioning/datasources/kanon.yaml')) as {
      datasources: {
        uid: string;
        type: string;
        jsonData: Record<string, unknown>;
        secureJsonData: Record<string, string>;
      }[];
    };
    const [source] = file.datasources;
    expect(source?.type).toBe('grafana-clickhouse-datasource');
    expect(source?.jsonData.defaultDatabase).toBe('kanon');
    expect(source?.jsonData.username).toMatch(/^\$\{\w+\}$/);
    expect(source?.secureJsonData.password).toMatch(/^\$\{\w+\}$/);
    // Every panel and the variable read through this data source.
    for (const panel of dashboard.panels) expect(panel.datasource.uid, panel.title).toBe(source?.uid);
    const provider = parse(read('provisioning/dashboards/kanon.yaml')) as { providers: { type: string }[] };
    expect(provider.providers[0]?.type).toBe('file');
  });

  it('names published tables only', () => {
    expect(queries.length).toBeGreaterThan(5);
    for (const { title, sql } of queries) {
      const tables = [...sql.matchAll(/\b(?:FROM|JOIN)\s+([\w.]+)/gi)].map((match) => match[1]);
      expect(tables.length, title).toBeGreaterThan(0);
      for (const table of tables) expect(PUBLISHED_TABLES, title).toContain(table);
    }
  });

  describe('on a store with released data, as an analyst', () => {
    let warehouse: Warehouse;
    let sql: AnalystSql;

    beforeAll(async () => {
      warehouse = await openMigratedWarehouse('kanon_grafana');
      await seedPublishedData(warehouse, {
        site: 'demo',
        now: Date.now(),
        k: 5,
        windowSeconds: 6 * 3600,
        days: 10,
      });
      sql = await openAnalystSql(warehouse, { maxSeconds: 10, maxMemoryBytes: 512 * 1024 * 1024 });
    }, 120_000);

    afterAll(async () => {
      await sql?.close();
      await warehouse?.close();
    });

    it('runs every query of the dashboard and gets figures', async () => {
      for (const { title, sql: text } of queries) {
        const result = await sql.run(expand(text, 'demo'), { maxRows: 1000, timeoutSeconds: 10 });
        expect(result.rows.length, title).toBeGreaterThan(0);
      }
    }, 120_000);

    it('would fail on a column the published tables lack (the check can fail)', async () => {
      const broken = expand(queries[1]!.sql, 'demo').replace(/\bvisitors\b/, 'visitorz');
      expect(broken).toContain('visitorz');
      await expect(sql.run(broken, { maxRows: 10, timeoutSeconds: 10 })).rejects.toThrow();
    });
  });
});
