import { userInfo } from 'node:os';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { type AuditEntry, ClickHouseAuditLog } from './audit-log.js';

/** An entry as a CLI that opened the store itself knows it: no dashboard user, no role. */
export type CliAuditEntry = Omit<AuditEntry, 'actor' | 'role'>;

/**
 * The audit log for a CLI working on the store itself (no Kanon running, or a ClickHouse server):
 * entries are by `cli`, with the OS user it runs as. A store too old to have the log (run
 * npm run migrate) or one that refuses the write gets a warning on stderr, not a failed command:
 * the command's own work is done by then.
 */
export function cliAudit(warehouse: Warehouse): (entry: CliAuditEntry) => Promise<void> {
  const log = new ClickHouseAuditLog(warehouse);
  let user = '';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for this uid (a container): the entry names no OS user.
  }
  return async (entry) => {
    try {
      await log.record({
        ...entry,
        actor: 'cli',
        role: 'cli',
        detail: [entry.detail, user ? `os user ${user}` : ''].filter(Boolean).join('; '),
      });
    } catch {
      console.error('warning: this was not recorded in the audit log (run npm run migrate on this store)');
    }
  };
}
