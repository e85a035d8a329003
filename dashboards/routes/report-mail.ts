import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SITE_ID } from '../../core/sites.js';
import { unknownSite } from '../errors.js';
import { FREQUENCIES, type ReportSubscriptionStore } from '../mail/subscription-store.js';
import { parseBody } from './body.js';

const Choice = z
  .object({
    frequency: z.enum(FREQUENCIES),
    email: z
      .string()
      .max(254, 'must be at most 254 characters')
      .regex(/^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/, 'must be an e-mail address like ann@shop.example')
      .optional(),
    site: z.string().regex(SITE_ID, 'must be a site id').optional(),
  })
  .strict()
  .refine((choice) => choice.frequency === 'off' || choice.email !== undefined, {
    path: ['email'],
    message: 'is needed for daily or weekly e-mails',
  });

/**
 * The signed-in user's scheduled report e-mail (any role: a mail holds what their role sees):
 * GET says what they chose and whether this deployment sends mail at all (KANON_SMTP_URL); PUT
 * (CSRF-checked like every write) sets it. Only the user's own choice is read or written.
 */
export function registerReportMailRoutes(
  app: FastifyInstance,
  options: { subscriptions: ReportSubscriptionStore; siteIds: readonly string[]; mailConfigured: boolean },
): void {
  const { subscriptions } = options;
  const answer = async (user: string) => {
    const current = await subscriptions.get(user);
    return {
      mailConfigured: options.mailConfigured,
      frequency: current?.frequency ?? 'off',
      email: current?.email ?? null,
      site: current?.site ?? options.siteIds[0] ?? null,
    };
  };

  app.get('/api/v1/me/report-mail', { config: { access: 'viewer' } }, async (request) =>
    answer(request.session!.user),
  );

  app.put('/api/v1/me/report-mail', { config: { access: 'viewer' } }, async (request) => {
    const user = request.session!.user;
    const choice = parseBody(Choice, request.body);
    const site = choice.site ?? options.siteIds[0];
    if (site === undefined || !options.siteIds.includes(site)) throw unknownSite();
    const current = await subscriptions.get(user);
    await subscriptions.set({
      user,
      frequency: choice.frequency,
      // Turning it off keeps the address, so turning it on again needs no retyping.
      email: choice.email ?? current?.email ?? '',
      site,
    });
    // The choice, never the address: logs hold no personal data.
    request.log.info({ user, frequency: choice.frequency }, 'report mail choice changed');
    return answer(user);
  });
}
