/// <reference lib="dom" />
import { ApiError, api } from '../api.js';
import { h, icon, replace } from '../dom.js';

const nextPath = () => {
  const next = new URLSearchParams(location.search).get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
};

/** The sign-in page. After signing in, back to the page that asked (local paths only). */
export function renderLogin(app: HTMLElement): void {
  // A link followed from another site arrives without the SameSite=Strict cookie; once here, the
  // cookie is sent again, so someone already signed in goes straight on.
  api('/api/v1/session', { redirectOn401: false }).then(
    () => location.replace(nextPath()),
    () => undefined,
  );
  const username = h('input', {
    attrs: { name: 'username', autocomplete: 'username', required: true, id: 'username', autofocus: true },
  });
  const password = h('input', {
    attrs: {
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
      id: 'password',
    },
  });
  const error = h('div', { attrs: { 'aria-live': 'assertive', id: 'login-error' } });
  const submit = h('button', { class: 'button wide', attrs: { type: 'submit' } }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'login-form',
      on: {
        submit: async (event) => {
          event.preventDefault();
          submit.setAttribute('disabled', '');
          replace(error);
          try {
            await api('/api/v1/login', {
              method: 'POST',
              body: { username: username.value, password: password.value },
              redirectOn401: false,
            });
            location.assign(nextPath());
          } catch (caught) {
            const message = caught instanceof ApiError ? caught.message : 'The server could not be reached.';
            replace(error, h('p', { class: 'notice error', attrs: { role: 'alert' } }, message));
            password.value = '';
            password.focus();
          } finally {
            submit.removeAttribute('disabled');
          }
        },
      },
    },
    h('label', { attrs: { for: 'username' } }, 'User name'),
    username,
    h('label', { attrs: { for: 'password' } }, 'Password'),
    password,
    error,
    submit,
  );
  document.title = 'Sign in · Kanon';
  replace(
    app,
    h(
      'main',
      'standalone',
      h(
        'div',
        'card login',
        h('div', 'brand big', h('span', 'brand-mark', 'K'), h('span', null, 'Kanon')),
        h('p', 'muted', 'Shop statistics that protect shoppers.'),
        form,
        h(
          'p',
          'login-foot muted small',
          icon('shield', 'icon small'),
          'Every figure here stands for a group of shoppers, never one person.',
        ),
      ),
    ),
  );
}
