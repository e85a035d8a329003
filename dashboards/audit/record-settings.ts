import type { Setting } from '../routes/admin.js';
import type { AuditLog } from './audit-log.js';

/**
 * Settings come from the environment, so they change between two runs, not through a page: at
 * start-up each setting whose value differs from the last one the audit log holds (or that it has
 * never held) is one `setting_changed` entry by `system`. The values are those admins see on the
 * settings page, which shows whether a token is set, never the token.
 */
export async function recordSettingChanges(audit: AuditLog, settings: readonly Setting[]): Promise<string[]> {
  const last = await audit.lastSettings();
  const changed: string[] = [];
  for (const setting of settings) {
    const value = String(setting.value);
    if (last.get(setting.name) === value) continue;
    await audit.record({
      actor: 'system',
      role: 'system',
      action: 'setting_changed',
      target: setting.name,
      detail: value,
    });
    changed.push(setting.name);
  }
  return changed;
}
