import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';

const fixture = new URL('./fixtures/promoting-load.ts', import.meta.url).pathname;

function peakHeapBytes(percent: number): number {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fixture, String(percent)], {
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { peakBytes: number }).peakBytes;
}

describe('collector heap growth cap (KANON_COLLECTOR_HEAP_GROWTH)', () => {
  it('defaults to 100 %, accepts 0 (V8 decides) and refuses what V8 would not take', () => {
    expect(loadConfig({}).collector.heapGrowthPercent).toBe(100);
    expect(loadConfig({ KANON_COLLECTOR_HEAP_GROWTH: '0' }).collector.heapGrowthPercent).toBe(0);
    for (const bad of ['-1', '401', '1.5', 'lots'])
      expect(() => loadConfig({ KANON_COLLECTOR_HEAP_GROWTH: bad })).toThrow(/KANON_COLLECTOR_HEAP_GROWTH/);
  });

  it('keeps a heap that promotes short-lived data well below where V8 alone lets it grow', () => {
    // Same process pattern, same machine, back to back: only the cap differs. V8 alone let this
    // heap reach about 150 MB, capped at 100 % about 105 MB.
    const uncapped = peakHeapBytes(0);
    const capped = peakHeapBytes(100);
    expect(capped).toBeLessThan(uncapped * 0.85);
  }, 60_000);
});
