import { z } from 'zod';
import { toClickHouseDateTime } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { REPORT_MAILS_TABLE, REPORT_SUBSCRIPTIONS_TABLE } from '../../schema/tables.js';

export const FREQUENCIES = ['off', 'daily', 'weekly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/** A user's choice of scheduled report e-mails (010_app_report_subscriptions.sql). */
export interface Subscription {
  user: string;
  email: string;
  frequency: Frequency;
  site: string;
}

const Row = z.object({
  username: z.string(),
  email: z.string(),
  frequency: z.enum(FREQUENCIES),
  site: z.string(),
});

const latest = `SELECT username, argMax(email, version) AS email, argMax(frequency, version) AS frequency,
    argMax(site, version) AS site
  FROM ${REPORT_SUBSCRIPTIONS_TABLE}`;

/**
 * Who asked for report e-mails, and which were sent. Every change is a new row with a higher
 * version (the latest wins, as in app_users); a sent mail is one row per user, frequency and
 * period, written after the mail server accepted it, so a restart never sends a period twice.
 */
export class ReportSubscriptionStore {
  private lastVersion = 0;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(user: string): Promise<Subscription | undefined> {
    const [row] = await this.warehouse.query({
      name: 'report_subscription',
      sql: `${latest} WHERE username = {user:String} GROUP BY username`,
      params: { user },
      row: Row,
    });
    return row ? toSubscription(row) : undefined;
  }

  /** Every subscription that is not off. */
  async active(): Promise<Subscription[]> {
    const rows = await this.warehouse.query({
      name: 'report_subscriptions',
      sql: `SELECT * FROM (${latest} GROUP BY username) WHERE frequency != 'off' ORDER BY username`,
      row: Row,
    });
    return rows.map(toSubscription);
  }

  async set(subscription: Subscription): Promise<void> {
    const now = this.clock();
    // Microseconds of the clock, strictly rising within this process (as app_users).
    this.lastVersion = Math.max(now * 1000, this.lastVersion + 1);
    const version = this.lastVersion;
    await this.warehouse.insert(
      REPORT_SUBSCRIPTIONS_TABLE,
      [
        {
          username: subscription.user,
          email: subscription.email,
          frequency: subscription.frequency,
          site: subscription.site,
          version,
          updated_at: toClickHouseDateTime(Math.floor(now / 1000)),
        },
      ],
      { dedupToken: `report_subscription:${subscription.user}:${version}` },
    );
  }

  async wasSent(user: string, frequency: Frequency, periodStart: string): Promise<boolean> {
    const rows = await this.warehouse.query({
      name: 'report_mail_sent',
      sql: `SELECT count() AS sent FROM ${REPORT_MAILS_TABLE}
            WHERE username = {user:String} AND frequency = {frequency:String} AND period_start = {period:Date}`,
      params: { user, frequency, period: periodStart },
      row: z.object({ sent: z.coerce.number() }),
    });
    return (rows[0]?.sent ?? 0) > 0;
  }

  async markSent(user: string, frequency: Frequency, periodStart: string): Promise<void> {
    await this.warehouse.insert(
      REPORT_MAILS_TABLE,
      [
        {
          username: user,
          frequency,
          period_start: periodStart,
          sent_at: toClickHouseDateTime(Math.floor(this.clock() / 1000)),
        },
      ],
      { dedupToken: `report_mail:${user}:${frequency}:${periodStart}` },
    );
  }
}

function toSubscription(row: z.infer<typeof Row>): Subscription {
  return { user: row.username, email: row.email, frequency: row.frequency, site: row.site };
}
