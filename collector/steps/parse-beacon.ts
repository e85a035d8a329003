import type { z } from 'zod';
import { BeaconBatch, BeaconEvent } from '../../schema/event.js';
import { invalidEvent, tooManyEvents } from '../errors.js';
import { type BeaconBatchBody, type BeaconFastCheck, compileBeaconFastCheck } from './beacon-fast-check.js';

export type ParsedBeaconEvent = BeaconEvent & { site: string };

/** Names the first problem as `path: rule`, without the value (it may be personal data). */
function describeIssue(error: z.ZodError, prefix: string): { path: string; rule: string } {
  const issue = error.issues[0];
  if (!issue) return { path: prefix, rule: 'is invalid' };
  const path = [
    prefix,
    ...issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)),
  ]
    .join('')
    .replace(/^\./, '');
  let rule = issue.message;
  if (issue.code === 'invalid_type') rule = `must be ${issue.expected}`;
  if (issue.code === 'too_big') rule = `is longer or larger than ${String(issue.maximum)} allowed`;
  if (issue.code === 'too_small') rule = `is shorter or smaller than ${String(issue.minimum)} required`;
  if (issue.code === 'invalid_union' && issue.path.length === 0) rule = 'has an unknown or missing type';
  if (issue.code === 'invalid_value') rule = 'is not one of the allowed values';
  return { path: path || prefix, rule };
}

function zodBatch(body: object): BeaconBatchBody {
  const batch = BeaconBatch.safeParse(body);
  if (!batch.success) {
    const { path, rule } = describeIssue(batch.error, '');
    throw invalidEvent(path, rule);
  }
  return batch.data;
}

function zodEvent(candidate: unknown, prefix: string): ParsedBeaconEvent {
  const parsed = BeaconEvent.safeParse(candidate);
  if (!parsed.success) {
    const { path, rule } = describeIssue(parsed.error, prefix);
    throw invalidEvent(path, rule);
  }
  return parsed.data as ParsedBeaconEvent;
}

let fast: BeaconFastCheck | undefined;

/** Compiles the fast path now rather than on the first beacon (~40 ms); the pipeline calls it. */
export function prepareBeaconParser(): BeaconFastCheck {
  fast ??= compileBeaconFastCheck();
  return fast;
}

/**
 * Step 1: the body is one event, or `{ site?, events: [...] }`. Every event must be valid and name
 * a site (its own or the batch's); otherwise the whole request is refused, so nothing is stored
 * half-way (invariant 6). A body the fast path takes (beacon-fast-check.ts) is used as parsed:
 * zod would accept it and return it unchanged. Anything else goes to zod, which also names the
 * problem, so errors are zod's whichever path a body takes. The body is taken over: the events
 * returned may be its own objects, with `site` set (a request's body is parsed for it alone).
 */
export function parseBeacon(body: unknown, maxEvents: number): ParsedBeaconEvent[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidEvent('', 'the body must be a JSON object: one event, or {"events":[...]}');
  }
  const check = fast ?? prepareBeaconParser();
  let batch: BeaconBatchBody | undefined;
  // A batch the fast path takes has every event checked too.
  let checked = false;
  if ('events' in body) {
    checked = check.batch(body);
    batch = checked ? (body as BeaconBatchBody) : zodBatch(body);
    if (batch.events.length > maxEvents) throw tooManyEvents(maxEvents);
  }
  const site = batch?.site;
  return (batch ? batch.events : [body]).map((candidate, index) => {
    const event =
      checked || check.event(candidate)
        ? (candidate as ParsedBeaconEvent)
        : zodEvent(candidate, batch ? `events[${index}]` : '');
    const eventSite = event.site ?? site;
    if (!eventSite)
      throw invalidEvent(batch ? `events[${index}].site` : 'site', 'is required (set data-site on the tag)');
    // The event is zod's new object or the request's own parsed JSON: setting the site on it saves
    // copying it (a spread per event was 6% of the pipeline's time for a batch).
    event.site = eventSite;
    return event;
  });
}
