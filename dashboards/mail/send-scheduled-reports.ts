import { createTransport, type Transporter } from 'nodemailer';
import type { Logger } from '../../core/log.js';
import type { Metrics } from '../../core/metrics.js';
import type { UserStore } from '../auth/user-store.js';
import { buildReportMail, type ReportMailContext } from './build-report-mail.js';
import type { MailClaims } from './mail-claims.js';
import { lastReportPeriod } from './report-period.js';
import type { ReportSubscriptionStore } from './subscription-store.js';

/** Sends one message; nodemailer's SMTP transport in production, the same in tests (a real server). */
export interface MailTransport {
  sendMail(message: {
    from: string;
    to: string;
    subject: string;
    text: string;
    html: string;
  }): Promise<unknown>;
  close(): void;
}

export function createSmtpTransport(smtpUrl: string): MailTransport {
  const transport: Transporter = createTransport(smtpUrl);
  return transport;
}

export interface ScheduledReportDeps extends Omit<ReportMailContext, 'now'> {
  subscriptions: ReportSubscriptionStore;
  users: UserStore;
  transport: MailTransport;
  from: string;
  log: Logger;
  metrics: Metrics;
  clock: () => number;
  /** Several dashboards processes: who sends each mail (mail-claims.ts); one process needs none. */
  claims?: MailClaims;
}

/**
 * One scheduler tick: every user who asked for a report and whose period is due gets its mail,
 * once, also with several dashboards processes (each mail is claimed first, mail-claims.ts). The sent period is recorded after the mail server took the message, so a restart (or a
 * second tick) never sends it again; a mail that failed is tried at the next tick. A user removed
 * since they subscribed gets nothing, and a mail holds only what their role may see.
 */
export async function sendScheduledReports(
  deps: ScheduledReportDeps,
): Promise<{ sent: number; failed: number }> {
  const now = deps.clock();
  const sentTotal = deps.metrics.counter(
    'kanon_dashboards_report_mails_total',
    'Scheduled report e-mails sent',
  );
  const failedTotal = deps.metrics.counter(
    'kanon_dashboards_report_mail_failures_total',
    'Scheduled report e-mails the mail server did not take (tried again at the next tick)',
  );
  let sent = 0;
  let failed = 0;
  for (const subscription of await deps.subscriptions.active()) {
    if (subscription.frequency === 'off' || !deps.sites.includes(subscription.site)) continue;
    const period = lastReportPeriod(subscription.frequency, now, deps);
    if (now < period.dueAt) continue;
    if (await deps.subscriptions.wasSent(subscription.user, subscription.frequency, period.from)) continue;
    const user = await deps.users.find(subscription.user);
    if (!user) continue;
    const claim = JSON.stringify([subscription.user, subscription.frequency, period.from]);
    if (deps.claims && !(await deps.claims.claim(claim))) continue;
    try {
      const mail = await buildReportMail(
        { ...deps, now },
        subscription,
        user.role,
        period,
        subscription.frequency,
      );
      await deps.transport.sendMail({ from: deps.from, to: subscription.email, ...mail });
      await deps.subscriptions.markSent(subscription.user, subscription.frequency, period.from);
      sent++;
      sentTotal.inc();
    } catch (error) {
      failed++;
      failedTotal.inc();
      await deps.claims?.giveUp(claim).catch(() => {});
      // The user and the period, never the address or the server's answer (it may quote it).
      deps.log.warn(
        {
          user: subscription.user,
          frequency: subscription.frequency,
          period: period.from,
          code: errorCode(error),
        },
        'report mail not sent',
      );
    }
  }
  return { sent, failed };
}

const errorCode = (error: unknown) =>
  typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'error';

/**
 * Runs `sendScheduledReports` now and every `everyMs` (5 minutes by default), one tick at a time,
 * until closed.
 */
export function startReportScheduler(
  deps: ScheduledReportDeps,
  everyMs = 5 * 60_000,
): { close(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = running
      .then(() => sendScheduledReports(deps))
      .catch((error: unknown) => deps.log.error({ code: errorCode(error) }, 'report mail tick failed'));
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  tick();
  return {
    async close() {
      clearInterval(timer);
      await running;
      deps.transport.close();
    },
  };
}
