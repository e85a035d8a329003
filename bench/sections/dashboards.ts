import { DAY_SECONDS, toClickHouseDate } from '../../core/time.js';
import type { Child } from '../lib/children.js';
import type { BenchContext } from '../lib/context.js';
import { peakRssBytes } from '../lib/proc.js';
import { progress } from '../lib/progress.js';
import { figure, formatNumber } from '../lib/report.js';
import { summarise } from '../lib/stats.js';

/**
 * Section 5: 30 days of published data at a million events a day, then every GET endpoint of the
 * dashboards' OpenAPI description, signed in as an admin, with the UI's default 28-day range and
 * with each dimension filter; and POST /api/v1/query with a typical analyst query.
 *
 * Generation is coarse to keep it in minutes: three distinct days of synthetic traffic are folded
 * per window (realistic cells and visitor sets, what background merges leave of many batches),
 * then laid onto the 30 days in turn and released day by day by the real release code.
 * The baseline is GET /api/v1/session: sign-in check and JSON, no warehouse query.
 */
type Ready = { url: string; user: string; password: string };

interface OpenApi {
  paths: Record<string, { get?: { parameters?: { name: string; required?: boolean }[] } }>;
}

/** Values for the required parameters an endpoint has besides its range (the export's table). */
const REQUIRED_VALUES: Record<string, string> = { table: 'pub_products_by_day' };

const ANALYST_QUERY = `SELECT product_id, category, sum(views) AS views, sum(add_to_carts) AS carts,
  sum(purchased_units) AS units, round(sum(item_revenue_cents) / 100, 2) AS revenue
FROM pub_products_by_day
WHERE site = 'shop' AND day >= today() - 28 AND level = 0
GROUP BY product_id, category
ORDER BY views DESC
LIMIT 50`;

async function signIn(url: string, user: string, password: string) {
  const response = await fetch(`${url}/api/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ username: user, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { cookie, csrfToken };
}

export async function runDashboardsSection(context: BenchContext): Promise<void> {
  const { quick } = context.options;
  const days = quick ? 3 : 30;
  const eventsPerDay = quick ? 50_000 : 1_000_000;
  const templates = quick ? 1 : 3;
  const reps = quick ? 3 : 20;
  progress.line(
    `[dashboards] ${days} days × ${eventsPerDay.toLocaleString('en')} events staged and released, then ${reps} calls per endpoint and filter`,
  );
  const dataDir = context.dataDir('dashboards');
  const now = Date.now();
  const staging = await context.child('staging', { env: { KANON_DATA_DIR: dataDir }, as: 'staging-month' });
  let month: Record<string, unknown> & { releaseMs: number[]; ms: number; publishedRows: number };
  try {
    month = await staging.call('month', { days, eventsPerDay, templates, now });
  } finally {
    await staging.stop();
  }
  progress.line(
    `  generated and released ${days} days in ${(month.ms / 1000).toFixed(0)} s: ${month.publishedRows.toLocaleString('en')} published rows`,
  );

  let dashboards: Child<Ready> | undefined;
  try {
    dashboards = await context.child<Ready>('dashboards', { env: { KANON_DATA_DIR: dataDir } });
    const { url, user, password } = dashboards.ready;
    const session = await signIn(url, user, password);
    const get = async (path: string) => {
      const started = performance.now();
      const response = await fetch(`${url}${path}`, { headers: { cookie: session.cookie } });
      const body = await response.text();
      const ms = performance.now() - started;
      if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${body.slice(0, 200)}`);
      return ms;
    };
    const openApi = JSON.parse(
      await (await fetch(`${url}/api/v1/openapi.json`, { headers: { cookie: session.cookie } })).text(),
    ) as OpenApi;
    const todaySeconds = Math.floor(now / 1000);
    const to = toClickHouseDate(todaySeconds);
    const from = toClickHouseDate(todaySeconds - 27 * DAY_SECONDS);
    const range = `from=${from}&to=${to}`;
    const variants: { endpoint: string; variant: string; path: string }[] = [];
    for (const [path, item] of Object.entries(openApi.paths)) {
      if (!item.get || path.includes('{')) continue;
      const filtered = item.get.parameters?.some((parameter) => parameter.name === 'from');
      if (!filtered) {
        variants.push({ endpoint: path, variant: '-', path });
        continue;
      }
      const required = (item.get.parameters ?? [])
        .filter((parameter) => parameter.required && parameter.name !== 'from' && parameter.name !== 'to')
        .map((parameter) => {
          const value = REQUIRED_VALUES[parameter.name];
          if (value === undefined)
            throw new Error(`${path}: no bench value for its parameter ${parameter.name}`);
          return `&${parameter.name}=${value}`;
        })
        .join('');
      variants.push({ endpoint: path, variant: '28 days', path: `${path}?${range}${required}` });
      for (const filter of ['device=mobile', 'country=DE', 'campaign=spring-roast'])
        variants.push({
          endpoint: path,
          variant: `28 days, ${filter}`,
          path: `${path}?${range}${required}&${filter}`,
        });
    }
    // One untimed call each (first-use costs), then rounds over all variants so drift hits all alike.
    for (const variant of variants) await get(variant.path);
    const times = new Map(variants.map((variant) => [variant, [] as number[]]));
    for (let rep = 0; rep < reps; rep++) {
      for (const variant of variants) times.get(variant)!.push(await get(variant.path));
      progress.status(`  dashboards: round ${rep + 1}/${reps} over ${variants.length} calls`);
    }
    const queryTimes: number[] = [];
    for (let rep = 0; rep <= reps; rep++) {
      const started = performance.now();
      const response = await fetch(`${url}/api/v1/query`, {
        method: 'POST',
        headers: {
          cookie: session.cookie,
          'x-csrf-token': session.csrfToken,
          origin: url,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ sql: ANALYST_QUERY }),
      });
      const body = await response.text();
      if (response.status !== 200)
        throw new Error(`POST /api/v1/query: ${response.status} ${body.slice(0, 300)}`);
      if (rep > 0) queryTimes.push(performance.now() - started);
    }
    progress.clear();
    context.notePeak('dashboards', peakRssBytes(dashboards.pid));

    const rows = variants.map((variant) => ({ ...variant, ms: summarise(times.get(variant)!) }));
    const baseline = rows.find((row) => row.endpoint === '/api/v1/session')!.ms;
    const reports = rows.filter((row) => row.variant !== '-');
    const plain = reports.filter((row) => row.variant === '28 days');
    const withFilters = reports.filter((row) => row.variant !== '28 days');
    const worst = (list: typeof rows) => list.reduce((a, b) => (b.ms.p95 > a.ms.p95 ? b : a));
    const query = summarise(queryTimes);
    const over = rows.filter((row) => row.ms.p95 >= 150);
    console.log(
      `\ndashboards: ms per call over ${reps} calls (${days} days at ${eventsPerDay.toLocaleString('en')} events a day)`,
    );
    for (const row of rows)
      console.log(
        `  ${`${row.endpoint} ${row.variant === '-' ? '' : `(${row.variant})`}`.padEnd(72)} p50 ${formatNumber(row.ms.p50, '').padStart(6)}  p95 ${formatNumber(row.ms.p95, '').padStart(6)}${row.ms.p95 >= 150 ? '  over 150 ms' : ''}`,
      );
    console.log(
      `  ${'POST /api/v1/query (top products, 28 days)'.padEnd(72)} p50 ${formatNumber(query.p50, '').padStart(6)}  p95 ${formatNumber(query.p95, '').padStart(6)}`,
    );
    const worstPlain = worst(plain);
    const worstFiltered = worst(withFilters);
    context.figures.push(
      figure({
        section: 'dashboards',
        name: `slowest GET p95, 28 days (${worstPlain.endpoint.replace('/api/v1/', '')})`,
        value: worstPlain.ms.p95,
        unit: 'ms',
        baseline: { name: 'GET session p95', value: baseline.p95 },
        target: { kind: 'max', value: 150, on: 'value' },
      }),
      figure({
        section: 'dashboards',
        name: `slowest GET p95, filtered (${worstFiltered.endpoint.replace('/api/v1/', '')})`,
        value: worstFiltered.ms.p95,
        unit: 'ms',
        baseline: { name: 'GET session p95', value: baseline.p95 },
        target: { kind: 'max', value: 150, on: 'value' },
      }),
      figure({
        section: 'dashboards',
        name: `median GET p50 (${reports.length} report calls)`,
        value: summarise(reports.map((row) => row.ms.p50)).p50,
        unit: 'ms',
        baseline: { name: 'GET session p50', value: baseline.p50 },
      }),
      figure({
        section: 'dashboards',
        name: 'POST /api/v1/query p95 (analyst)',
        value: query.p95,
        unit: 'ms',
        baseline: { name: 'GET session p95', value: baseline.p95 },
      }),
    );
    if (over.length > 0)
      context.notes.push(
        `dashboards: ${over.length} of ${rows.length} calls have p95 ≥ 150 ms: ${over.map((row) => `${row.endpoint} (${row.variant})`).join(', ')}`,
      );
    context.sections.dashboards = {
      data: month,
      reps,
      calls: rows,
      query: { sql: ANALYST_QUERY, ms: query },
    };
  } finally {
    await dashboards?.stop();
  }
}
