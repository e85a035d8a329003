#!/usr/bin/env node
import type { z } from 'zod';
import { type Config, ConfigError, loadConfig } from '../core/config.js';
import { KanonError } from '../core/errors.js';
import { openWarehouse } from '../core/warehouse/open-warehouse.js';
import { cliAudit } from '../dashboards/audit/cli-audit.js';
import { Password, Role, UserName } from '../dashboards/auth/roles.js';
import { ClickHouseUserStore, type UserSummary } from '../dashboards/auth/user-store.js';
import { readSecret } from '../dashboards/cli-input.js';
import {
  type ControlClient,
  ControlError,
  connectControl,
  requireEmbeddedStore,
} from '../dashboards/control-client.js';
import { parseCliArgs } from './runtime/cli-args.js';

/**
 * Manages dashboard users: `npm run user -- add NAME --role ROLE`, `passwd NAME`, `list`,
 * `remove NAME`. Passwords are read from stdin when piped, else prompted for without echo.
 * With Kanon running, it goes through the running process, which it finds from KANON_DATA_DIR alone
 * (control socket, loopback); otherwise it opens the store itself.
 */
const USAGE = `usage: npm run user -- <command>
  add NAME --role viewer|analyst|admin   add a user (password from stdin, or prompted)
  passwd NAME                            set a new password (ends the user's sessions)
  role NAME --role viewer|analyst|admin  change a user's role
  list                                   list users and roles
  remove NAME                            remove a user (ends their sessions)`;

interface Users {
  list(): Promise<UserSummary[]>;
  add(name: string, role: Role, password: string): Promise<void>;
  passwd(name: string, password: string): Promise<void>;
  role(name: string, role: Role): Promise<void>;
  remove(name: string): Promise<void>;
  close(): Promise<void>;
}

function overHttp(client: ControlClient): Users {
  const path = (name: string) => `/control/v1/users/${encodeURIComponent(name)}`;
  return {
    list: async () => (await client.call<{ users: UserSummary[] }>('GET', '/control/v1/users')).users,
    add: async (name, role, password) => {
      await client.call('POST', '/control/v1/users', { name, role, password });
    },
    passwd: async (name, password) => {
      await client.call('PUT', `${path(name)}/password`, { password });
    },
    role: async (name, role) => {
      await client.call('PUT', `${path(name)}/role`, { role });
    },
    remove: async (name) => {
      await client.call('DELETE', path(name));
    },
    close: async () => {},
  };
}

async function direct(config: Config): Promise<Users> {
  requireEmbeddedStore(config);
  const warehouse = await openWarehouse(config.warehouse);
  const store = await ClickHouseUserStore.open(warehouse);
  const audit = cliAudit(warehouse);
  return {
    list: () => store.list(),
    add: async (name, role, password) => {
      await store.create(name, role, password);
      await audit({ action: 'user_added', target: name, detail: `role ${role}` });
    },
    passwd: async (name, password) => {
      await store.setPassword(name, password);
      await audit({ action: 'user_password_changed', target: name });
    },
    role: async (name, role) => {
      await store.setRole(name, role);
      await audit({ action: 'user_role_changed', target: name, detail: `role ${role}` });
    },
    remove: async (name) => {
      await store.remove(name);
      await audit({ action: 'user_removed', target: name });
    },
    close: () => warehouse.close(),
  };
}

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`${what}: ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data;
}

async function newPassword(): Promise<string> {
  const password = await readSecret('Password: ');
  // An empty line is a missing password, not a short one (`npm run user -- add` with nothing piped in).
  if (password === '')
    throw new Error('no password given: pipe it on stdin, or run this in a terminal to be asked');
  check(Password, password, 'password');
  if (process.stdin.isTTY && (await readSecret('Repeat it: ')) !== password)
    throw new Error('the two passwords differ');
  return password;
}

async function main(): Promise<number> {
  const args = parseCliArgs(
    { options: { role: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true },
    USAGE,
  );
  if (!args) return 2;
  const { positionals, values } = args;
  const [command, rawName] = positionals;
  if (values.help || !command || !['add', 'passwd', 'role', 'list', 'remove'].includes(command)) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const name = command === 'list' ? '' : check(UserName, rawName, 'NAME');
  const role = command === 'add' || command === 'role' ? check(Role, values.role, '--role') : undefined;
  const password = command === 'add' || command === 'passwd' ? await newPassword() : '';

  const config = loadConfig();
  const control = await connectControl(config);
  const users = control ? overHttp(control) : await direct(config);
  try {
    switch (command) {
      case 'list': {
        const list = await users.list();
        if (list.length === 0) console.log('No users yet: npm run user -- add NAME --role admin');
        const width = Math.max(4, ...list.map((user) => user.name.length));
        for (const user of list)
          console.log(
            `${user.name.padEnd(width)}  ${user.role.padEnd(7)}  since ${user.createdAt.slice(0, 10)}`,
          );
        break;
      }
      case 'add':
        await users.add(name, role!, password);
        console.log(
          `Added ${name} (${role}). They can sign in at ${control?.url ?? `http://${config.server.host}:${config.server.dashboardsPort}`}/login`,
        );
        break;
      case 'passwd':
        await users.passwd(name, password);
        console.log(`Password of ${name} changed; their sessions have ended.`);
        break;
      case 'role':
        await users.role(name, role!);
        console.log(`${name} is now ${role}; their sessions have ended.`);
        break;
      case 'remove':
        await users.remove(name);
        console.log(`Removed ${name}.`);
        break;
    }
    return 0;
  } finally {
    await users.close();
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof KanonError || error instanceof ControlError) return `error: ${error.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(describeFailure(error));
    process.exit(1);
  },
);
