import { PLACEHOLDERS } from '../placeholders.js';

/**
 * UUIDs of any version (and the nil/max ones), in canonical 8-4-4-4-12 form or as 32 bare hex
 * digits. The dashed form is distinctive enough to match anywhere, even glued to other text. The
 * bare form is only a UUID when it stands alone; inside a longer hex run it is a token.
 */
const DASHED = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const BARE = /(?<![0-9A-Za-z])[0-9a-f]{32}(?![0-9A-Za-z])/gi;

export function replaceUuids(text: string): string {
  if (text.length < 32) return text;
  return text.replace(DASHED, PLACEHOLDERS.uuid).replace(BARE, PLACEHOLDERS.uuid);
}
