import type { Logger } from '../core/log.js';
import { generatePassword } from './auth/passwords.js';
import type { UserStore } from './auth/user-store.js';

/**
 * First start: when no user exists, creates `admin` with a random password and returns the
 * credentials so `npm start` can print how to sign in (they are never logged). Later starts find
 * users and return undefined.
 */
export async function ensureDemoAdmin(
  users: UserStore,
  log: Logger,
  name = 'admin',
): Promise<{ name: string; password: string } | undefined> {
  if ((await users.list()).length > 0) return undefined;
  const password = generatePassword();
  await users.create(name, 'admin', password);
  log.info({ user: name }, 'created the first admin user');
  return { name, password };
}
