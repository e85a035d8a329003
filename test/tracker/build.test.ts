import { describe, expect, it } from 'vitest';
import { buildDataLayerAddon, buildTracker } from '../../tracker/build.js';

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

  it('builds the GA4 data layer add-on as a script of its own, leaving the core tag as it is', async () => {
    const [core, addon] = await Promise.all([buildTracker(), buildDataLayerAddon()]);
    expect(core.code).not.toContain('dataLayer');
    expect(addon.code).toContain('dataLayer');
    expect(addon.gzipBytes).toBeLessThan(2560);
    expect(addon.code).not.toMatch(/\bimport\b|\brequire\(/);
    for (const surface of ['cookie', 'localStorage', 'sessionStorage', 'indexedDB', 'userAgent', 'include']) {
      expect(addon.code).not.toContain(surface);
    }
    expect(addon.code).toContain('credentials:"omit"');
  });
});
