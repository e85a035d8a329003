/// <reference lib="dom" />
import { ApiError, api } from '../api.js';
import { card, fill, type View, type ViewContext } from '../context.js';
import { h, icon, replace } from '../dom.js';
import { catalogCard } from './catalog-admin.js';

interface User {
  name: string;
  role: 'viewer' | 'analyst' | 'admin';
  createdAt: string;
  updatedAt: string;
}
const ROLES = ['viewer', 'analyst', 'admin'] as const;
const ROLE_TEXT = {
  viewer: 'Dashboards',
  analyst: 'Dashboards, SQL and CSV exports',
  admin: 'Everything, plus users and settings',
};

function renderAdmin(root: HTMLElement, context: ViewContext) {
  const message = h('div', { attrs: { 'aria-live': 'polite', id: 'admin-message' } });
  const say = (kind: 'ok' | 'error', ...text: (string | Node)[]) =>
    replace(
      message,
      h(
        'div',
        `notice ${kind === 'ok' ? 'success' : 'error'}`,
        icon(kind === 'ok' ? 'shield' : 'info', 'icon'),
        h('div', null, text),
      ),
    );
  const failed = (error: unknown) => say('error', error instanceof ApiError ? error.message : String(error));

  const usersBody = h('div', 'card-content');
  const loadUsers = () =>
    fill(usersBody, context.signal, async () => {
      const { users } = await api<{ users: User[] }>('/api/v1/users', { signal: context.signal });
      return h(
        'div',
        'scroll-x',
        h(
          'table',
          'data users',
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', 'text', 'User'),
              h('th', 'text', 'Role'),
              h('th', 'text', 'Since'),
              h('th', 'text', ''),
            ),
          ),
          h(
            'tbody',
            null,
            users.map((user) => {
              const roleSelect = h(
                'select',
                {
                  attrs: { 'aria-label': `Role of ${user.name}` },
                  on: {
                    change: async (event) => {
                      const role = (event.target as HTMLSelectElement).value;
                      try {
                        await api(`/api/v1/users/${encodeURIComponent(user.name)}`, {
                          method: 'PATCH',
                          body: { role },
                        });
                        say('ok', `${user.name} is now ${role}. Their sessions were ended.`);
                        if (user.name === context.session.user.name) location.reload();
                        loadUsers();
                      } catch (error) {
                        failed(error);
                        loadUsers();
                      }
                    },
                  },
                },
                ROLES.map((role) =>
                  h('option', { attrs: { value: role, selected: role === user.role } }, role),
                ),
              );
              return h(
                'tr',
                { dataset: { user: user.name } },
                h(
                  'td',
                  'text',
                  h('strong', null, user.name),
                  user.name === context.session.user.name ? h('span', 'pill', 'you') : null,
                ),
                h('td', 'text', roleSelect),
                h('td', 'text muted', user.createdAt.slice(0, 10)),
                h(
                  'td',
                  'text actions',
                  h(
                    'button',
                    {
                      class: 'button ghost small',
                      attrs: { type: 'button' },
                      on: {
                        click: async () => {
                          const password = generate();
                          try {
                            await api(`/api/v1/users/${encodeURIComponent(user.name)}`, {
                              method: 'PATCH',
                              body: { password },
                            });
                            say(
                              'ok',
                              `New password for ${user.name}: `,
                              h('code', 'secret', password),
                              ' Pass it on safely; it is not shown again.',
                            );
                          } catch (error) {
                            failed(error);
                          }
                        },
                      },
                    },
                    'New password',
                  ),
                  h(
                    'button',
                    {
                      class: 'button danger small',
                      attrs: { type: 'button' },
                      on: {
                        click: async () => {
                          if (!confirm(`Remove ${user.name}? They are signed out at once.`)) return;
                          try {
                            await api(`/api/v1/users/${encodeURIComponent(user.name)}`, { method: 'DELETE' });
                            say('ok', `${user.name} was removed.`);
                            loadUsers();
                          } catch (error) {
                            failed(error);
                          }
                        },
                      },
                    },
                    'Remove',
                  ),
                ),
              );
            }),
          ),
        ),
      );
    });

  const nameInput = h('input', {
    attrs: {
      name: 'name',
      required: true,
      placeholder: 'e.g. maria',
      autocomplete: 'off',
      'aria-label': 'User name',
    },
  });
  const roleInput = h(
    'select',
    { attrs: { name: 'role', 'aria-label': 'Role' } },
    ROLES.map((role) => h('option', { attrs: { value: role } }, `${role}: ${ROLE_TEXT[role]}`)),
  );
  const form = h(
    'form',
    {
      class: 'inline-form',
      on: {
        submit: async (event) => {
          event.preventDefault();
          try {
            const created = await api<{ user: User; password?: string }>('/api/v1/users', {
              method: 'POST',
              body: { name: nameInput.value, role: roleInput.value },
            });
            say(
              'ok',
              `${created.user.name} can sign in with the password `,
              h('code', 'secret', created.password ?? ''),
              '. It is shown only now.',
            );
            nameInput.value = '';
            loadUsers();
          } catch (error) {
            failed(error);
          }
        },
      },
    },
    nameInput,
    roleInput,
    h('button', { class: 'button', attrs: { type: 'submit' } }, 'Add user'),
  );

  const sitesBody = h('div', 'card-content');
  const settingsBody = h('div', 'card-content');
  fill(sitesBody, context.signal, async () => {
    const { sites } = await api<{ sites: { id: string; origins: string[] }[] }>('/api/v1/sites', {
      signal: context.signal,
    });
    return h(
      'ul',
      'plain-list',
      sites.map((site) =>
        h('li', null, h('strong', null, site.id), h('span', 'muted', site.origins.join(', '))),
      ),
    );
  });
  fill(settingsBody, context.signal, async () => {
    const { settings } = await api<{ settings: { name: string; value: unknown; doc: string }[] }>(
      '/api/v1/settings',
      { signal: context.signal },
    );
    return h(
      'dl',
      'settings',
      settings.map((setting) => [
        h('dt', null, h('code', null, setting.name), h('span', 'muted', setting.doc)),
        h('dd', null, String(setting.value)),
      ]),
    );
  });
  loadUsers();
  root.append(
    message,
    card(
      { title: 'Users', subtitle: 'Who can sign in, and what they may see', id: 'users' },
      form,
      usersBody,
    ),
    h(
      'div',
      'grid two',
      card(
        { title: 'Sites', subtitle: 'Shops this deployment collects for (KANON_SITES)', id: 'sites' },
        sitesBody,
      ),
      card(
        {
          title: 'Settings',
          subtitle: 'From the environment; change them there and restart',
          id: 'settings',
        },
        settingsBody,
      ),
    ),
    catalogCard(context),
  );
}

function generate(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}

export const adminView: View = {
  path: '/admin',
  title: 'Admin',
  nav: 'Admin',
  icon: 'admin',
  role: 'admin',
  filters: [],
  filtered: false,
  render: renderAdmin,
};
