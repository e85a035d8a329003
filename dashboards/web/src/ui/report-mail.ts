/// <reference lib="dom" />
import { api } from '../api.js';
import { card, fill, type ViewContext } from '../context.js';
import { h, replace } from '../dom.js';

interface ReportMail {
  mailConfigured: boolean;
  frequency: 'off' | 'daily' | 'weekly';
  email: string | null;
  site: string | null;
}

/**
 * "Report by e-mail": the signed-in user opts in to a daily or weekly summary of this page (its
 * figures, the top insights and a link), or out of it (PUT /api/v1/me/report-mail).
 */
export function reportMailCard(context: ViewContext): HTMLElement {
  const body = h('div', 'card-content');
  fill(body, context.signal, async () => {
    const current = await api<ReportMail>('/api/v1/me/report-mail', { signal: context.signal });
    const status = h('p', { class: 'muted report-mail-status', attrs: { role: 'status' } });
    const frequency = h(
      'select',
      { attrs: { name: 'report-frequency', 'aria-label': 'How often' } },
      [
        { value: 'off', label: 'No e-mail' },
        { value: 'daily', label: 'Daily (yesterday)' },
        { value: 'weekly', label: 'Weekly (last Monday to Sunday)' },
      ].map((option) =>
        h(
          'option',
          { attrs: { value: option.value, selected: option.value === current.frequency } },
          option.label,
        ),
      ),
    );
    const email = h('input', {
      attrs: {
        type: 'email',
        name: 'report-email',
        value: current.email ?? '',
        placeholder: 'you@shop.example',
        'aria-label': 'E-mail address',
        autocomplete: 'email',
      },
    });
    const form = h(
      'form',
      {
        class: 'report-mail-form',
        on: {
          submit: async (event) => {
            event.preventDefault();
            replace(status, 'Saving…');
            try {
              const saved = await api<ReportMail>('/api/v1/me/report-mail', {
                method: 'PUT',
                body: {
                  frequency: frequency.value,
                  ...(email.value ? { email: email.value } : {}),
                  site: context.filters.site,
                },
              });
              replace(
                status,
                saved.frequency === 'off'
                  ? 'Saved: no report e-mail.'
                  : `Saved: a ${saved.frequency} report to ${saved.email} for ${saved.site}.`,
              );
            } catch (error) {
              replace(status, error instanceof Error ? error.message : 'Not saved.');
            }
          },
        },
      },
      frequency,
      email,
      h('button', { class: 'button small', attrs: { type: 'submit' } }, 'Save'),
    );
    return [
      h(
        'p',
        'muted small',
        'The figures above, the top insights and a link, for this site. Only released figures, as you see them here.',
      ),
      current.mailConfigured
        ? null
        : h(
            'p',
            'notice-more',
            'This deployment sends no e-mail yet: an admin sets KANON_SMTP_URL and KANON_MAIL_FROM. Your choice is kept.',
          ),
      form,
      status,
    ];
  });
  return card({ title: 'Report by e-mail', id: 'report-mail', className: 'report-mail' }, body);
}
