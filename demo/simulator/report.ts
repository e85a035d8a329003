import type { Progress } from './progress.js';
import type { SimulationSummary } from './tally.js';

/** Human-readable progress lines and summary for the simulate command. */
const n = (value: number) => Math.round(value).toLocaleString('en-US');

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

export function formatProgress(p: Progress): string {
  const percent = p.requestsPlanned > 0 ? Math.floor((100 * p.requests) / p.requestsPlanned) : 0;
  return [
    `${p.day}${p.live ? ' (today, live)' : ''}`,
    `${String(percent).padStart(3)}%`,
    `${n(p.requests)}/${n(p.requestsPlanned)} requests`,
    `${n(p.sent)} events sent`,
    `${n(p.accepted)} accepted`,
    `${n(p.dropped)} dropped`,
    `${n(p.errors)} errors`,
    `${n(p.rate)} req/s`,
    `ETA ${p.etaMs === undefined ? '?' : duration(p.etaMs)}`,
  ].join('  ');
}

export function formatSummary(s: SimulationSummary): string {
  const rejected = Object.entries(s.rejected)
    .map(([code, count]) => `${code} ×${n(count)}`)
    .join(', ');
  const days =
    s.pastDays > 0
      ? `${s.from} to ${s.to} (${s.pastDays} past day${s.pastDays === 1 ? '' : 's'} and today)`
      : `${s.to} (today only)`;
  return [
    `${s.aborted ? 'Simulation stopped early' : 'Simulation done'}: site ${s.site} at ${s.collectorUrl}, seed ${s.seed}, ${days}`,
    `  visitors   ${n(s.visitors.total)} (${n(s.visitors.people)} people, ${n(s.visitors.optedOut)} with GPC, ${n(s.visitors.bots)} bots)`,
    `  sessions   ${n(s.sessions)}`,
    `  requests   ${n(s.requests)} (${n(s.backfilled.requests)} backfilled with past timestamps)`,
    `  events     ${n(s.events.sent)} sent, ${n(s.events.accepted)} accepted`,
    `  dropped    ${n(s.events.dropped.bots)} from bots, ${n(s.events.dropped.optedOut)} opted out (Sec-GPC)${s.events.dropped.other ? `, ${n(s.events.dropped.other)} other` : ''}`,
    `  rejected   ${rejected ? `${rejected} (${n(s.events.rejected)} events)` : 'none'}`,
    `  failed     ${s.failed ? `${n(s.failed)} requests (${n(s.events.failed)} events; 5xx or network)` : 'none'}`,
    `  duration   ${duration(s.durationMs)}, ${n(s.eventsPerSecond)} events/s, ${n(s.requestsPerSecond)} requests/s`,
  ].join('\n');
}
