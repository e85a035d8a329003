import { createHash } from 'node:crypto';
import { escapeHtml } from '../../core/http/escape-html.js';
import { LANGUAGES, type Language } from './language.js';
import { type ControlText, durationIn, type NoticeFacts, TEXTS } from './texts.js';

/** Markup already built from escaped parts, which `html` inserts as it is. */
class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = string | number | Markup | readonly Markup[];

/** A template tag that escapes every inserted value but Markup: nothing reaches the page unescaped. */
function html(strings: TemplateStringsArray, ...parts: Part[]): Markup {
  let out = strings[0] ?? '';
  parts.forEach((part, index) => {
    const text = Array.isArray(part)
      ? part.join('')
      : part instanceof Markup
        ? part.text
        : escapeHtml(String(part));
    out += text + (strings[index + 1] ?? '');
  });
  return new Markup(out);
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

const STYLE = `
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; background: #fafaf7; }
main { max-width: 44rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
nav { display: flex; gap: 1rem; font-size: .9rem; }
nav a[aria-current] { font-weight: 600; color: inherit; text-decoration: none; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 1.5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
li { margin: .4rem 0; }
footer { margin-top: 2.5rem; font-size: .9rem; color: #4a5263; }
a { color: #1a56b8; }
`;

/** The notice page's Content-Security-Policy: its one stylesheet, and nothing else at all. */
export const NOTICE_CSP = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The shoppers' notice, a whole HTML page in `language`. */
export function renderNotice(facts: NoticeFacts, language: Language): string {
  const t = TEXTS[language];
  const d = (seconds: number) => durationIn(language, seconds);
  const list = (items: string[]) => items.map((item) => html`<li>${item}</li>`);
  const languages = LANGUAGES.map((other) =>
    other === language
      ? html`<a href="?lang=${other}" hreflang="${other}" lang="${other}" aria-current="page">${TEXTS[other].name}</a>`
      : html`<a href="?lang=${other}" hreflang="${other}" lang="${other}">${TEXTS[other].name}</a>`,
  );
  return html`<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${t.title}</title>
<style>${new Markup(STYLE)}</style>
</head>
<body>
<main>
<nav aria-label="Language">${languages}</nav>
<h1>${t.title}</h1>
<p>${t.intro(facts)}</p>
<h2>${t.sends.heading}</h2>
<p>${t.sends.body}</p>
<h2>${t.dropped.heading}</h2>
<ul>${list(t.dropped.items)}</ul>
<h2>${t.kept.heading}</h2>
<ul>${list(t.kept.items(facts, d))}</ul>
<h2>${t.optOut.heading}</h2>
<ul>${list(t.optOut.items(facts))}</ul>
<h2>${t.rights.heading}</h2>
<p>${t.rights.body(facts)}</p>
<footer><p>${t.machine} <a href="/privacy.json">/privacy.json</a></p></footer>
</main>
</body>
</html>
`.text;
}

/**
 * The opt-out control's script, run on the shop's own privacy page (the shop's origin, where the
 * tag reads the flag). It shows the state and switches the one flag, `kanon_opt_out`; ES5, so it
 * runs wherever the shop's page does. Texts go in as JSON with `<` escaped, so no text can end
 * the script element.
 */
function controlScript(texts: ControlText): string {
  const json = JSON.stringify(texts).replace(/</g, '\\u003c');
  return `(function () {
  var t = ${json}, key = 'kanon_opt_out', n = navigator;
  var state = document.getElementById('kanon-opt-out-state');
  var button = document.getElementById('kanon-opt-out-button');
  function show() {
    var out;
    try { out = !!localStorage.getItem(key); } catch (e) { state.textContent = t.blocked; button.hidden = true; return; }
    if (n.globalPrivacyControl || n.doNotTrack === '1' || window.doNotTrack === '1') {
      state.textContent = t.signal; button.hidden = true; return;
    }
    state.textContent = out ? t.out : t["in"];
    button.textContent = out ? t.optIn : t.optOut;
    button.hidden = false;
  }
  button.onclick = function () {
    try {
      if (localStorage.getItem(key)) localStorage.removeItem(key); else localStorage.setItem(key, '1');
    } catch (e) {}
    show();
  };
  show();
})();`;
}

/**
 * The section a shop pastes into its own privacy policy, in `language`: a paragraph generated
 * from the facts, the opt-out control (markup and its script) and a link to the full notice at
 * `noticeUrl`. The script's hash is given for the shop's Content-Security-Policy.
 */
export function renderSnippet(facts: NoticeFacts, language: Language, noticeUrl: string): string {
  const t = TEXTS[language];
  const d = (seconds: number) => durationIn(language, seconds);
  const script = controlScript(t.control);
  return html`<!-- Kanon: anonymous visit statistics (${t.name}). A Content-Security-Policy needs script-src ${new Markup(sha256(script))} for the script below. -->
<section id="kanon-statistics" lang="${language}">
<h2>${t.snippet.heading}</h2>
<p>${t.snippet.body(facts, d)}</p>
<p>${t.snippet.control}</p>
<p id="kanon-opt-out-state" role="status"></p>
<p><button type="button" id="kanon-opt-out-button" hidden></button></p>
<script>${new Markup(script)}</script>
<p>${t.snippet.details} <a href="${noticeUrl}">${noticeUrl}</a></p>
</section>
`.text;
}
