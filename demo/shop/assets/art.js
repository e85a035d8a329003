// Product pictures drawn as inline SVG, so the demo needs no image files.

const CREAM = '#fff8ee';
const SAND = '#eadcc8';

const SHAPES = {
  bag: (c) => `
    <path d="M62 52h76l12 118a8 8 0 0 1-8 9H58a8 8 0 0 1-8-9z" fill="${CREAM}"/>
    <path d="M62 52l9-16h58l9 16z" fill="${SAND}"/>
    <rect x="64" y="96" width="72" height="46" rx="6" fill="${c}"/>
    <ellipse cx="100" cy="119" rx="10" ry="14" fill="${CREAM}"/>
    <path d="M100 106q-7 13 0 26" stroke="${c}" stroke-width="3" fill="none"/>`,
  tin: (c) => `
    <rect x="62" y="60" width="76" height="116" rx="8" fill="${CREAM}"/>
    <rect x="58" y="46" width="84" height="22" rx="6" fill="${SAND}"/>
    <rect x="62" y="98" width="76" height="42" fill="${c}"/>
    <path d="M86 130q10-28 30-18-8 24-30 18z" fill="${CREAM}"/>`,
  dripper: (c) => `
    <path d="M48 62h104l-32 56H80z" fill="${CREAM}"/>
    <path d="M150 70q22 4 8 26" stroke="${CREAM}" stroke-width="8" fill="none"/>
    <rect x="68" y="118" width="64" height="10" rx="4" fill="${SAND}"/>
    <path d="M68 134h64l-6 42H74z" fill="${c}"/>`,
  kettle: (c) => `
    <path d="M70 72q30-44 60 0" stroke="${SAND}" stroke-width="10" fill="none"/>
    <path d="M56 104q0-34 44-34t44 34l6 70H50z" fill="${CREAM}"/>
    <path d="M142 132q26-8 36-50" stroke="${CREAM}" stroke-width="8" fill="none"/>
    <rect x="52" y="138" width="96" height="14" fill="${c}"/>`,
  grinder: (c) => `
    <rect x="70" y="80" width="60" height="96" rx="10" fill="${CREAM}"/>
    <rect x="66" y="66" width="68" height="18" rx="6" fill="${SAND}"/>
    <path d="M100 66V44h40" stroke="${SAND}" stroke-width="6" fill="none"/>
    <circle cx="144" cy="44" r="9" fill="${c}"/>
    <rect x="70" y="120" width="60" height="16" fill="${c}"/>`,
  teapot: (c) => `
    <circle cx="100" cy="124" r="46" fill="${CREAM}"/>
    <path d="M142 112q30-10 34-36" stroke="${CREAM}" stroke-width="9" fill="none"/>
    <path d="M56 104q-26 6-10 40" stroke="${SAND}" stroke-width="9" fill="none"/>
    <rect x="80" y="72" width="40" height="12" rx="5" fill="${SAND}"/>
    <circle cx="100" cy="128" r="22" fill="${c}" opacity=".85"/>`,
};

/** An SVG picture of a product on a soft background in its colour. */
export function productArt(product) {
  const id = `g-${product.id}-${Math.random().toString(36).slice(2, 7)}`;
  return `<svg class="art" viewBox="0 0 200 200" role="img" aria-label="${product.name}">
    <defs><linearGradient id="${id}" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="${product.color}" stop-opacity=".22"/>
      <stop offset="1" stop-color="${product.color}" stop-opacity=".5"/>
    </linearGradient></defs>
    <rect width="200" height="200" fill="${CREAM}"/>
    <rect width="200" height="200" fill="url(#${id})"/>
    <ellipse cx="100" cy="180" rx="62" ry="8" fill="#000" opacity=".08"/>
    ${SHAPES[product.shape](product.color)}
  </svg>`;
}
