import { describe, expect, it } from 'vitest';
import { buildTracker } from '../../tracker/build.js';

describe('tracker build', () => {
  it('builds a minified tracker under 2 KB gzipped', async () => {
    const { code, gzipBytes } = await buildTracker();
    expect(code.length).toBeGreaterThan(1000);
    expect(gzipBytes).toBeLessThan(2048);
  });

  it('builds a script that never touches cookies, storage or fingerprinting surfaces', async () => {
    const { code } = await buildTracker();
    for (const surface of [
      'cookie',
      'localStorage',
      'sessionStorage',
      'indexedDB',
      'getContext',
      'plugins',
      'screen',
      'userAgent',
      'hardwareConcurrency',
      'deviceMemory',
      'include',
    ]) {
      expect(code).not.toContain(surface);
    }
    expect(code).toContain('credentials:"omit"');
  });

  it('builds one classic script with no imports left in it', async () => {
    const { code } = await buildTracker();
    expect(code).not.toMatch(/\bimport\b|\brequire\(/);
    expect(code).not.toContain('zod');
  });
});
