/// <reference lib="dom" />
import { api, type SessionInfo } from '../api.js';
import type { View } from '../context.js';
import { h, icon } from '../dom.js';
import { countryName, formatRange } from '../format.js';
import { type DimensionFilter, type FilterState, presets, toQuery } from '../state.js';

const DEVICE_NAMES: Record<string, string> = {
  desktop: 'Desktop',
  mobile: 'Mobile',
  tablet: 'Tablet',
  other: 'Other devices',
};

function select(
  name: string,
  label: string,
  options: { value: string; label: string }[],
  value: string,
  onChange: (value: string) => void,
  extraClass = '',
  showLabel = true,
): HTMLLabelElement {
  const element = h(
    'select',
    {
      attrs: { name, 'aria-label': label },
      on: { change: (event) => onChange((event.target as HTMLSelectElement).value) },
    },
    options.map((option) =>
      h('option', { attrs: { value: option.value, selected: option.value === value } }, option.label),
    ),
  );
  return h('label', `control ${extraClass}`, showLabel ? h('span', 'control-label', label) : null, element);
}

/**
 * Site, date range (presets or custom days), comparison, and the device, country and campaign
 * filters. A dimension filter the current view cannot honour stays visible, marked "not split
 * here", so nobody reads unfiltered figures as filtered ones.
 */
export function filterBar(
  session: SessionInfo,
  filters: FilterState,
  view: View,
  setFilters: (change: Partial<FilterState>) => void,
  signal: AbortSignal,
): HTMLElement {
  const ranges = presets(session.today);
  const preset =
    ranges.find((range) => range.from === filters.from && range.to === filters.to)?.key ?? 'custom';
  const custom = h(
    'div',
    { class: `custom-range${preset === 'custom' ? '' : ' hidden'}` },
    h('input', {
      attrs: { type: 'date', name: 'from', value: filters.from, max: session.today, 'aria-label': 'From' },
      on: { change: (event) => setFilters({ from: (event.target as HTMLInputElement).value }) },
    }),
    h('span', 'muted', '–'),
    h('input', {
      attrs: { type: 'date', name: 'to', value: filters.to, max: session.today, 'aria-label': 'To' },
      on: { change: (event) => setFilters({ to: (event.target as HTMLInputElement).value }) },
    }),
  );
  const range = select(
    'range',
    'Dates',
    [...ranges.map((r) => ({ value: r.key, label: r.label })), { value: 'custom', label: 'Custom…' }],
    preset,
    (key) => {
      const chosen = ranges.find((r) => r.key === key);
      if (chosen) setFilters({ from: chosen.from, to: chosen.to });
      else custom.classList.remove('hidden');
    },
  );

  const dimension = (
    name: DimensionFilter,
    label: string,
    all: string,
    options: { value: string; label: string }[],
  ) => {
    const value = filters[name] ?? '';
    const unsupported = value !== '' && !view.filters.includes(name);
    const control = select(
      name,
      label,
      [{ value: '', label: all }, ...options],
      value,
      (next) => setFilters({ [name]: next || undefined }),
      unsupported ? 'unsupported' : value ? 'active' : '',
      // "All devices" says what the control is; the label is kept for screen readers.
      false,
    );
    if (unsupported) {
      control.title = `This view is not split by ${name}, to protect shoppers' privacy.`;
      control.appendChild(h('span', 'chip warn', 'not split here'));
    }
    return control;
  };

  const device = dimension(
    'device',
    'Device',
    'All devices',
    session.devices.map((value) => ({ value, label: DEVICE_NAMES[value] ?? value })),
  );
  const country = dimension(
    'country',
    'Country',
    'All countries',
    filters.country ? [{ value: filters.country, label: countryName(filters.country) }] : [],
  );
  const campaign = dimension(
    'campaign',
    'Campaign',
    'All campaigns',
    filters.campaign ? [{ value: filters.campaign, label: filters.campaign }] : [],
  );

  // Countries and campaigns to choose from: those released in the range.
  const unfiltered = {
    ...filters,
    device: undefined,
    country: undefined,
    campaign: undefined,
    compare: false,
  };
  const fillOptions = (
    control: HTMLLabelElement,
    path: string,
    key: string,
    label: (value: string) => string = (value) => value,
  ) => {
    api<{ table: { rows: Record<string, string | number | null>[] } }>(`${path}?${toQuery(unfiltered)}`, {
      signal,
    }).then(
      (response) => {
        const selectElement = control.querySelector('select')!;
        const current = selectElement.value;
        const values = [
          ...new Set(
            response.table.rows.map((row) => row[key]).filter((v): v is string => typeof v === 'string'),
          ),
        ];
        for (const value of values) {
          if (value === current) continue;
          selectElement.appendChild(h('option', { attrs: { value, title: value } }, label(value)));
        }
      },
      () => undefined,
    );
  };
  fillOptions(country, '/api/v1/countries', 'code', (code) =>
    code === 'ZZ' ? 'Unknown' : countryName(code),
  );
  fillOptions(campaign, '/api/v1/campaigns', 'utm_campaign');

  const compare = h(
    'label',
    { class: 'control toggle', attrs: { title: 'Compare with the period of the same length just before' } },
    h('input', {
      attrs: { type: 'checkbox', name: 'compare', checked: filters.compare },
      on: { change: (event) => setFilters({ compare: (event.target as HTMLInputElement).checked }) },
    }),
    h('span', null, 'vs previous period'),
  );

  return h(
    'div',
    { class: 'filterbar', attrs: { role: 'search', 'aria-label': 'Filters' } },
    h(
      'div',
      'filter-group dates',
      session.sites.length > 1
        ? select(
            'site',
            'Site',
            session.sites.map((id) => ({ value: id, label: id })),
            filters.site,
            (site) => setFilters({ site }),
          )
        : h('div', { class: 'site-name', attrs: { title: 'Site' } }, h('strong', null, filters.site)),
      range,
      custom,
      h('div', 'range-text', icon('calendar', 'icon small'), formatRange(filters.from, filters.to)),
      compare,
    ),
    h('div', 'filter-group dimensions', device, country, campaign),
  );
}
