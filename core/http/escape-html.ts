/**
 * Escapes text for HTML element content and quoted attribute values: the five characters that
 * can end either (`&`, `<`, `>`, `"`, `'`) become numeric character references.
 */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
