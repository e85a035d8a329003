import { capScrubbed } from './capped.js';
import { scrubText } from './scrub-text.js';
import { collapseWhitespace } from './text-shape.js';

const scrubLabelText = (text: string) => collapseWhitespace(scrubText(collapseWhitespace(text), 'text'));
const scrubIdText = (text: string) => scrubText(text.trim(), 'id').trim();

/**
 * Slot names, element names and other free labels: whitespace collapsed, scrubbed with the `text`
 * profile, then capped.
 */
export function scrubLabel(text: string, max: number): string {
  return capScrubbed(scrubLabelText(text), max, scrubLabelText);
}

/**
 * Product ids, promotion ids and categories the shop sends: trimmed, scrubbed with the `id` profile
 * (which keeps numeric ids, UUIDs and SKUs), then capped.
 */
export function scrubId(text: string, max: number): string {
  return capScrubbed(scrubIdText(text), max, scrubIdText);
}
