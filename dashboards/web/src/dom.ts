/// <reference lib="dom" />

/**
 * A small DOM builder. Text goes in as text nodes, never as HTML: product ids, search terms and
 * page paths come from shops and shoppers, so nothing here parses markup. Styles are set through
 * the CSSOM, which the strict Content-Security-Policy allows (inline style attributes it would not).
 */
export type Child = Node | string | number | null | undefined | false | Child[];

export interface Props {
  class?: string;
  style?: Partial<Record<string, string>>;
  dataset?: Record<string, string>;
  attrs?: Record<string, string | boolean | undefined>;
  on?: Partial<Record<string, (event: Event) => void>>;
  text?: string;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, ...child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | string | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  const options: Props = typeof props === 'string' ? { class: props } : (props ?? {});
  if (options.class) element.className = options.class;
  if (options.text !== undefined) element.textContent = options.text;
  for (const [name, value] of Object.entries(options.style ?? {})) {
    if (value !== undefined) element.style.setProperty(name, value);
  }
  for (const [name, value] of Object.entries(options.dataset ?? {})) element.dataset[name] = value;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  for (const [name, handler] of Object.entries(options.on ?? {})) {
    if (handler) element.addEventListener(name, handler);
  }
  append(element, ...children);
  return element;
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

export function replace(element: Element, ...children: Child[]): void {
  clear(element);
  append(element, ...children);
}

/** An inline SVG icon from a fixed set of paths (24×24, stroked). */
const ICONS: Record<string, string> = {
  insights: 'M9 18h6m-5 3h4M12 3a6 6 0 00-4 10.5c.7.7 1 1.5 1 2.5h6c0-1 .3-1.8 1-2.5A6 6 0 0012 3z',
  overview: 'M3 12h4l3-8 4 16 3-8h4',
  products: 'M6 7h12l-1 13H7L6 7zm3 0a3 3 0 016 0',
  layout: 'M4 4h16v16H4zM4 9h16M10 9v11',
  promotions: 'M4 10v4l11 5V5L4 10zm11 0h3a2 2 0 010 4h-3',
  funnel: 'M3 4h18l-7 8v7l-4 2v-9L3 4z',
  sql: 'M8 8l-4 4 4 4m8-8l4 4-4 4m-6 3l4-14',
  admin: 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6l8-3z',
  shield: 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6l8-3zm-3 9l2 2 4-4',
  download: 'M12 4v11m0 0l-4-4m4 4l4-4M5 20h14',
  up: 'M12 19V5m0 0l-6 6m6-6l6 6',
  down: 'M12 5v14m0 0l-6-6m6 6l6-6',
  info: 'M12 8h.01M11 12h1v5h1M12 21a9 9 0 110-18 9 9 0 010 18z',
  logout: 'M15 4h4v16h-4M10 16l4-4-4-4m4 4H4',
  calendar: 'M5 6h14v14H5zM5 10h14M9 3v4m6-4v4',
  empty: 'M4 7l8-4 8 4v10l-8 4-8-4V7zm0 0l8 4 8-4m-8 4v10',
};

export function icon(name: string, className = 'icon'): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', className);
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name] ?? '');
  svg.appendChild(path);
  return svg;
}
