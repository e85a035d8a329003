import { describe, expect, it } from 'vitest';
import { RepeatedErrors } from '../../core/http/repeated-errors.js';

describe('RepeatedErrors', () => {
  it('logs the first error of a code, then one line per interval with the count left out', () => {
    const repeated = new RepeatedErrors(10_000);
    const logged: Array<[number, number]> = [];
    // 2,000 errors a second for 25 s.
    for (let n = 0; n < 50_000; n += 1) {
      const now = n / 2;
      const unlogged = repeated.note('queue_unavailable', now);
      if (unlogged !== undefined) logged.push([now, unlogged]);
    }
    expect(logged).toEqual([
      [0, 0],
      [10_000, 19_999],
      [20_000, 19_999],
    ]);
  });

  it('keeps codes apart, so a new kind of error is logged at once', () => {
    const repeated = new RepeatedErrors(10_000);
    expect(repeated.note('queue_unavailable', 0)).toBe(0);
    expect(repeated.note('queue_unavailable', 1)).toBeUndefined();
    expect(repeated.note('overloaded', 2)).toBe(0);
    expect(repeated.note('overloaded', 3)).toBeUndefined();
    expect(repeated.note('queue_unavailable', 10_000)).toBe(1);
  });
});
