/// <reference lib="dom" />
import './styles.css';
import { api, type SessionInfo, setCsrfToken } from './api.js';
import { buildContext, type View } from './context.js';
import { h, icon, replace } from './dom.js';
import { formatWindow, setCurrency } from './format.js';
import { type FilterState, readFilters, toQuery } from './state.js';
import { filterBar } from './ui/filter-bar.js';
import { adminView } from './views/admin.js';
import { auditView } from './views/audit.js';
import { funnelView } from './views/funnel.js';
import { insightsView } from './views/insights.js';
import { layoutView } from './views/layout.js';
import { renderLogin } from './views/login.js';
import { overviewView } from './views/overview.js';
import { productsView } from './views/products.js';
import { promotionsView } from './views/promotions.js';
import { sqlView } from './views/sql.js';

const VIEWS: View[] = [
  insightsView,
  overviewView,
  productsView,
  layoutView,
  promotionsView,
  funnelView,
  sqlView,
  adminView,
  auditView,
];
const RANK = { viewer: 0, analyst: 1, admin: 2 } as const;

function start(session: SessionInfo, app: HTMLElement): void {
  setCsrfToken(session.csrfToken);
  setCurrency(session.currency);
  const allowed = VIEWS.filter((view) => RANK[session.user.role] >= RANK[view.role]);
  let controller = new AbortController();
  let filters: FilterState = readFilters(session);

  const nav = h('nav', { class: 'tabs', attrs: { 'aria-label': 'Views' } });
  const filterSlot = h('div', 'filter-slot');
  const main = h('main', { class: 'view', attrs: { id: 'view' } });
  const signOut = h(
    'button',
    {
      class: 'button ghost small',
      attrs: { type: 'button', id: 'sign-out' },
      on: {
        click: async () => {
          await api('/api/v1/logout', { method: 'POST' }).catch(() => undefined);
          location.assign('/login');
        },
      },
    },
    icon('logout'),
    'Sign out',
  );
  replace(
    app,
    h(
      'header',
      'topbar',
      h(
        'a',
        { class: 'brand', attrs: { href: '/', 'data-nav': '' } },
        h('span', 'brand-mark', 'K'),
        h('span', null, 'Kanon'),
      ),
      nav,
      h(
        'div',
        'user',
        h('span', 'user-name', session.user.name),
        h('span', { class: `role role-${session.user.role}` }, session.user.role),
        signOut,
      ),
    ),
    filterSlot,
    main,
    h(
      'footer',
      'footer',
      icon('shield', 'icon small'),
      `Every figure stands for at least K = ${session.k} visitors. Released every ${formatWindow(session.windowSeconds)}, after the window closes. No cookies, no personal data.`,
    ),
  );

  const current = () => allowed.find((view) => view.path === location.pathname) ?? allowed[0]!;

  const render = () => {
    controller.abort();
    controller = new AbortController();
    const view = current();
    document.title = `${view.title} · Kanon`;
    replace(
      nav,
      allowed.map((item) =>
        h(
          'a',
          {
            class: `tab${item === view ? ' active' : ''}`,
            attrs: {
              href: `${item.path}${item.filtered ? `?${toQuery(filters)}` : ''}`,
              'data-nav': '',
              'aria-current': item === view ? 'page' : undefined,
            },
          },
          icon(item.icon),
          h('span', null, item.nav),
        ),
      ),
    );
    replace(
      filterSlot,
      view.filtered ? filterBar(session, filters, view, setFilters, controller.signal) : null,
    );
    replace(main);
    main.dataset.view = view.nav.toLowerCase().replace(/\s+/g, '-');
    view.render(main, buildContext(session, filters, controller.signal, navigate, setFilters));
  };

  const navigate = (path: string) => {
    const url = new URL(path, location.origin);
    const view = allowed.find((item) => item.path === url.pathname);
    const search = view?.filtered ? `?${toQuery(filters)}` : url.search;
    history.pushState(null, '', `${url.pathname}${search}`);
    render();
    window.scrollTo({ top: 0 });
  };

  function setFilters(change: Partial<FilterState>) {
    filters = { ...filters, ...change };
    history.replaceState(null, '', `${location.pathname}?${toQuery(filters)}`);
    render();
  }

  document.addEventListener('click', (event) => {
    const link = (event.target as Element | null)?.closest?.('a[data-nav]');
    if (!link || (event as MouseEvent).metaKey || (event as MouseEvent).ctrlKey) return;
    event.preventDefault();
    navigate(link.getAttribute('href') ?? '/');
  });
  window.addEventListener('popstate', () => {
    filters = readFilters(session);
    render();
  });
  render();
}

async function boot(): Promise<void> {
  const app = document.getElementById('app')!;
  if (location.pathname === '/login') {
    renderLogin(app);
    return;
  }
  const session = await api<SessionInfo>('/api/v1/session');
  start(session, app);
}

void boot();
