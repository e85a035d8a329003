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
    // The one exception: the opt-out control's flag, read where a batch would leave, never written
    // (docs/privacy.md, "Opting out without GPC"). Every other use of storage is refused as before.
    expect(code.match(/localStorage\.kanon_opt_out/g)).toHaveLength(1);
    expect(code).not.toMatch(/kanon_opt_out\s*=[^=]|setItem|removeItem|delete /);
    const rest = code.replace('localStorage.kanon_opt_out', '');
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
      expect(rest).not.toContain(surface);
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
    // The add-on sends through the same queue, so it honours the opt-out flag too, and only reads it.
    expect(addon.code.match(/localStorage\.kanon_opt_out/g)).toHaveLength(1);
    expect(addon.code).not.toMatch(/kanon_opt_out\s*=[^=]|setItem|removeItem|delete /);
    const rest = addon.code.replace('localStorage.kanon_opt_out', '');
    for (const surface of ['cookie', 'localStorage', 'sessionStorage', 'indexedDB', 'userAgent', 'include']) {
      expect(rest).not.toContain(surface);
    }
    expect(addon.code).toContain('credentials:"omit"');
  });
});
