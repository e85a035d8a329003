import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { describe, expect } from 'vitest';
import { Metrics } from '../../core/metrics.js';
import { connectRedis, waitUntilConnected } from '../../core/redis/connect.js';
import { DAY_SECONDS, toClickHouseDate } from '../../core/time.js';
import { redisMailClaims } from '../../dashboards/mail/mail-claims.js';
import { lastReportPeriod } from '../../dashboards/mail/report-period.js';
import {
  createSmtpTransport,
  type ScheduledReportDeps,
  sendScheduledReports,
} from '../../dashboards/mail/send-scheduled-reports.js';
import { ReportSubscriptionStore } from '../../dashboards/mail/subscription-store.js';
import { captureLogs } from '../fixtures/log-sink.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';
import { dashboardsTest, GRACE_SECONDS, K, SITE, WINDOW_SECONDS } from './fixtures/dashboards-app.js';

/**
 * Scheduled report e-mails through a real SMTP server (the smtp-server package, on loopback): a
 * user who asks for them gets the overview's figures, the top insights and a link, once per
 * period, also across restarts; a removed user or one who turned them off gets none.
 */
interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A mail server on a free loopback port that keeps what it receives. */
async function startMailServer() {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((to) => to.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The decoded text/plain part and subject of a raw message (quoted-printable or base64). */
function readMail(raw: string): { subject: string; text: string; html: string } {
  const unfold = raw.replace(/\r\n[ \t]+/g, ' ');
  const words = (value: string) =>
    value.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_, kind: string, data: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : qp(data.replace(/_/g, ' ')),
    );
  const subject = words(/^Subject: (.*)$/im.exec(unfold)?.[1] ?? '').trim();
  const part = (type: string) => {
    const match = new RegExp(
      `Content-Type: ${type}[^\\r\\n]*\\r\\nContent-Transfer-Encoding: ([\\w-]+)\\r\\n\\r\\n([\\s\\S]*?)\\r\\n--`,
      'i',
    ).exec(raw);
    if (!match) return '';
    const [, encoding, body] = match as unknown as [string, string, string];
    if (encoding.toLowerCase() === 'base64') return Buffer.from(body, 'base64').toString('utf8');
    if (encoding.toLowerCase() === 'quoted-printable') return qp(body.replace(/=\r\n/g, ''));
    return body;
  };
  return { subject, text: part('text/plain').replace(/\r\n/g, '\n'), html: part('text/html') };
}

function qp(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

const test = dashboardsTest.extend('mail', { scope: 'file' }, async ({ dash }, { onCleanup }) => {
  const server = await startMailServer();
  onCleanup(() => server.close());
  const logs = captureLogs();
  const metrics = new Metrics();
  const deps = (
    clock: number,
    subscriptions = new ReportSubscriptionStore(dash.warehouse),
  ): ScheduledReportDeps => ({
    warehouse: dash.warehouse,
    sites: [SITE],
    k: K,
    windowSeconds: WINDOW_SECONDS,
    graceSeconds: GRACE_SECONDS,
    currency: 'EUR',
    baseUrl: 'https://stats.shop.example',
    subscriptions,
    users: dash.users,
    transport: createSmtpTransport(server.url),
    from: 'Kanon <kanon@shop.example>',
    log: logs.log,
    metrics,
    clock: () => clock,
  });
  return { server, deps, logs };
});

const DAY_MS = DAY_SECONDS * 1000;
const count = new Intl.NumberFormat('en');

interface Overview {
  kpis: { key: string; label: string; value: number | null }[];
}
interface Insights {
  cards: { action: string; subject: string }[];
}

describe('scheduled report e-mails', () => {
  test('a viewer who asks for a daily report gets one mail with the figures, the top insights and a link, once, also after a restart', async ({
    dash,
    mail,
    analyst,
  }) => {
    const viewer = await dash.signIn('viewer', 'ann');
    const choice = await viewer.fetch('/api/v1/me/report-mail', {
      method: 'PUT',
      json: { frequency: 'daily', email: 'ann@shop.example' },
    });
    expect(choice.status, await choice.clone().text()).toBe(200);
    expect(await viewer.json('/api/v1/me/report-mail')).toMatchObject({
      frequency: 'daily',
      email: 'ann@shop.example',
      site: SITE,
    });
    // Someone else who never asked gets nothing.
    await dash.signIn('viewer', 'carl');

    // A day the fixture has released: the day before yesterday, mailed on yesterday afternoon.
    const clock = dash.now - DAY_MS;
    const day = toClickHouseDate(Math.floor(clock / 1000) - DAY_SECONDS);
    expect(await sendScheduledReports(mail.deps(clock))).toEqual({ sent: 1, failed: 0 });
    expect(mail.server.received).toHaveLength(1);
    const [message] = mail.server.received;
    expect(message!.to).toEqual(['ann@shop.example']);
    expect(message!.from).toBe('kanon@shop.example');
    const { subject, text, html } = readMail(message!.raw);
    expect(subject).toMatch(new RegExp(`^Kanon daily report for ${SITE}: `));

    // The figures are the overview's of that day, the insights the Insights view's top ones.
    const range = `site=${SITE}&from=${day}&to=${day}`;
    const overview = await analyst.json<Overview>(`/api/v1/overview?${range}`);
    for (const key of ['visitors', 'pageviews', 'orders']) {
      const kpi = overview.kpis.find((item) => item.key === key)!;
      expect(text).toContain(`${kpi.label}: ${count.format(kpi.value!)}`);
    }
    const revenue = overview.kpis.find((item) => item.key === 'revenue')!.value!;
    expect(text).toContain(
      `Revenue: ${new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' }).format(revenue / 100)}`,
    );
    const insights = await analyst.json<Insights>(`/api/v1/insights?${range}`);
    expect(insights.cards.length).toBeGreaterThan(0);
    for (const card of insights.cards.slice(0, 3)) expect(text).toContain(`${card.action}: ${card.subject}.`);
    expect(text).toContain(`https://stats.shop.example/?${range}`);
    expect(text).toContain(`https://stats.shop.example/insights?${range}`);
    expect(text).toContain(`at least K = ${K} visitors`);
    expect(html).toContain('<a href="https://stats.shop.example/?');

    // Once per period: another tick, and a restart (a new store over the same tables), send nothing.
    expect(await sendScheduledReports(mail.deps(clock + 60_000))).toEqual({ sent: 0, failed: 0 });
    expect(
      await sendScheduledReports(mail.deps(clock + 120_000, new ReportSubscriptionStore(dash.warehouse))),
    ).toEqual({ sent: 0, failed: 0 });
    expect(mail.server.received).toHaveLength(1);
    // Logs name the user and the choice, never the address.
    expect(mail.logs.text()).not.toContain('ann@shop.example');
    expect(dash.logs()).not.toContain('ann@shop.example');

    // Turned off, no mail the next day.
    await viewer.fetch('/api/v1/me/report-mail', { method: 'PUT', json: { frequency: 'off' } });
    expect(await sendScheduledReports(mail.deps(clock + DAY_MS))).toEqual({ sent: 0, failed: 0 });
    expect(mail.server.received).toHaveLength(1);
  });

  test('a weekly report covers the last whole week, Monday to Sunday; a removed user gets none', async ({
    dash,
    mail,
  }) => {
    const before = mail.server.received.length;
    const wendy = await dash.signIn('analyst', 'wendy');
    await wendy.fetch('/api/v1/me/report-mail', {
      method: 'PUT',
      json: { frequency: 'weekly', email: 'wendy@shop.example', site: SITE },
    });
    const bob = await dash.signIn('viewer', 'bob');
    await bob.fetch('/api/v1/me/report-mail', {
      method: 'PUT',
      json: { frequency: 'weekly', email: 'bob@shop.example' },
    });
    await dash.users.remove('bob');

    // A Monday afternoon two weeks back: the week before it is released in full.
    const today = dash.now - (dash.now % DAY_MS);
    const monday = today - (((today / DAY_MS + 3) % 7) + 7) * DAY_MS;
    const clock = monday + 15 * 3600 * 1000;
    expect(await sendScheduledReports(mail.deps(clock))).toEqual({ sent: 1, failed: 0 });
    const mails = mail.server.received.slice(before);
    expect(mails.map((item) => item.to)).toEqual([['wendy@shop.example']]);
    const { subject, text } = readMail(mails[0]!.raw);
    expect(subject).toMatch(new RegExp(`^Kanon weekly report for ${SITE}: `));
    const from = toClickHouseDate((monday - 7 * DAY_MS) / 1000);
    const to = toClickHouseDate((monday - DAY_MS) / 1000);
    expect(text).toContain(`https://stats.shop.example/?site=${SITE}&from=${from}&to=${to}`);
  });

  test('two dashboards processes at the same tick send each mail once: the one that claims it', async ({
    dash,
    mail,
  }) => {
    const viewer = await dash.signIn('viewer', 'zoe');
    await viewer.fetch('/api/v1/me/report-mail', {
      method: 'PUT',
      json: { frequency: 'daily', email: 'zoe@shop.example' },
    });
    const before = mail.server.received.filter((message) => message.to.includes('zoe@shop.example')).length;
    const redis = connectRedis(testRedisUrl(), 'producer');
    try {
      await waitUntilConnected(redis);
      const prefix = uniquePrefix('mail-claims');
      // Two processes: each its own stores and mail connection, one Redis for the claims.
      const processes = [0, 1].map(() => ({
        ...mail.deps(dash.now - DAY_MS, new ReportSubscriptionStore(dash.warehouse)),
        claims: redisMailClaims(redis, prefix),
      }));
      const results = await Promise.all(processes.map((deps) => sendScheduledReports(deps)));
      const zoe = mail.server.received.filter((message) => message.to.includes('zoe@shop.example'));
      expect(zoe.length - before).toBe(1);
      expect(results.reduce((sum, result) => sum + result.failed, 0)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  test('the period is yesterday or the last whole week, due once its last day is released', () => {
    const release = { windowSeconds: 3600, graceSeconds: 600 };
    // Wednesday 9 December 2026, 00:30 UTC.
    const now = Date.parse('2026-12-09T00:30:00Z');
    expect(lastReportPeriod('daily', now, release)).toEqual({
      from: '2026-12-08',
      to: '2026-12-08',
      dueAt: Date.parse('2026-12-09T01:10:00Z'),
    });
    expect(lastReportPeriod('weekly', now, release)).toEqual({
      from: '2026-11-30',
      to: '2026-12-06',
      dueAt: Date.parse('2026-12-07T01:10:00Z'),
    });
    // On a Monday, the week that ended last night.
    expect(lastReportPeriod('weekly', Date.parse('2026-12-07T09:00:00Z'), release).from).toBe('2026-11-30');
  });

  test('a choice without an address, with a bad one or for an unknown site is refused, naming the field only', async ({
    dash,
  }) => {
    const viewer = await dash.signIn('viewer', 'dora');
    const cases: [unknown, number, string][] = [
      [{ frequency: 'weekly' }, 400, 'invalid_body'],
      [{ frequency: 'daily', email: 'not an address<script>' }, 400, 'invalid_body'],
      [{ frequency: 'hourly', email: 'dora@shop.example' }, 400, 'invalid_body'],
      [{ frequency: 'daily', email: 'dora@shop.example', site: 'nowhere' }, 404, 'unknown_site'],
    ];
    for (const [json, status, code] of cases) {
      const response = await viewer.fetch('/api/v1/me/report-mail', { method: 'PUT', json });
      expect(response.status, JSON.stringify(json)).toBe(status);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message).not.toContain('<script>');
    }
    expect(await viewer.json('/api/v1/me/report-mail')).toMatchObject({ frequency: 'off', email: null });
    // Without the CSRF token, no change.
    const forged = await fetch(`${dash.url}/api/v1/me/report-mail`, {
      method: 'PUT',
      headers: { cookie: viewer.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ frequency: 'daily', email: 'eve@evil.example' }),
    });
    expect(forged.status).toBe(403);
  });
});
