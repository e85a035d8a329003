/** Durations in settings are written the way operators say them: `500ms`, `90s`, `5m`, `1h`, `2d`. */
const UNIT_SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 } as const;
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

/** Parses a duration such as `1h` into seconds; returns undefined when it is not one. */
export function parseDurationSeconds(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] as keyof typeof UNIT_SECONDS;
  return amount * UNIT_SECONDS[unit];
}

/** Formats seconds back into the largest whole unit, for messages and docs. */
export function formatDuration(seconds: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_SECONDS[unit];
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${Math.round(seconds * 1000)}ms`;
}
