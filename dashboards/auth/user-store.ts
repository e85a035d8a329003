import { z } from 'zod';
import { toClickHouseDateTime } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { USERS_TABLE } from '../../schema/tables.js';
import { lastAdmin, unknownUser, userExists } from '../errors.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';
import { Role } from './roles.js';

/**
 * Dashboard users, stored durably in ClickHouse (`app_users`). It is the dashboards' own table,
 * not a published one: analysts' SQL cannot read it (the analyst connection denies it) and it is
 * created here, idempotently, rather than by the schema migrations.
 *
 * Why ReplacingMergeTree(version) ORDER BY username: every change (new user, new password, new
 * role, removal) is one inserted row with a higher version; reads take the latest row per name
 * with argMax, which is correct before and after background merges, on both engines.
 */
export { USERS_TABLE };

const CREATE_USERS_TABLE = `CREATE TABLE IF NOT EXISTS ${USERS_TABLE}
(
    username String,
    role LowCardinality(String),
    password_hash String,
    deleted UInt8,
    version UInt64,
    created_at DateTime('UTC'),
    updated_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY username`;

export interface UserSummary {
  name: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
}

export interface UserRecord extends UserSummary {
  passwordHash: string;
  /** Changes with every write to the user; sessions remember it and end when it changes. */
  version: number;
}

/** The users port: the app, the CLI and the bootstrap all go through it. */
export interface UserStore {
  list(): Promise<UserSummary[]>;
  find(name: string): Promise<UserRecord | undefined>;
  create(name: string, role: Role, password: string): Promise<UserSummary>;
  setPassword(name: string, password: string): Promise<void>;
  setRole(name: string, role: Role): Promise<void>;
  remove(name: string): Promise<void>;
  /** The user when the password matches; takes as long when the user does not exist. */
  authenticate(name: string, password: string): Promise<UserRecord | undefined>;
}

/** One account per name, whatever its case or surrounding spaces ("Ann" is "ann"). */
const normalise = (name: string) => name.trim().toLowerCase();

const Row = z.object({
  username: z.string(),
  role: z.string(),
  password_hash: z.string(),
  latest: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
});

export class ClickHouseUserStore implements UserStore {
  private lastVersion = 0;

  private constructor(
    private readonly warehouse: Warehouse,
    private readonly clock: () => number,
  ) {}

  static async open(warehouse: Warehouse, clock: () => number = Date.now): Promise<ClickHouseUserStore> {
    await warehouse.exec(CREATE_USERS_TABLE);
    return new ClickHouseUserStore(warehouse, clock);
  }

  private async rows(name?: string): Promise<UserRecord[]> {
    const rows = await this.warehouse.query({
      name: 'app_users_latest',
      sql: `SELECT username, argMax(role, version) AS role, argMax(password_hash, version) AS password_hash,
              max(version) AS latest, toString(argMax(created_at, version)) AS created_at,
              toString(argMax(updated_at, version)) AS updated_at
            FROM ${USERS_TABLE}
            ${name === undefined ? '' : 'WHERE username = {name:String}'}
            GROUP BY username
            HAVING argMax(deleted, version) = 0
            ORDER BY username`,
      params: name === undefined ? undefined : { name },
      row: Row,
    });
    return rows.flatMap((row) => {
      const role = Role.safeParse(row.role);
      if (!role.success) return [];
      return [
        {
          name: row.username,
          role: role.data,
          passwordHash: row.password_hash,
          version: row.latest,
          createdAt: row.created_at,
          updatedAt: row.updated_at,
        },
      ];
    });
  }

  private nextVersion(): number {
    // Microseconds of the clock, strictly rising within this process.
    this.lastVersion = Math.max(this.clock() * 1000, this.lastVersion + 1);
    return this.lastVersion;
  }

  private async write(record: Omit<UserRecord, 'version' | 'updatedAt'>, deleted = false): Promise<void> {
    const version = this.nextVersion();
    const now = toClickHouseDateTime(Math.floor(this.clock() / 1000));
    await this.warehouse.insert(
      USERS_TABLE,
      [
        {
          username: record.name,
          role: record.role,
          password_hash: deleted ? '' : record.passwordHash,
          deleted: deleted ? 1 : 0,
          version,
          created_at: record.createdAt || now,
          updated_at: now,
        },
      ],
      { dedupToken: `app_users:${record.name}:${version}` },
    );
  }

  async list(): Promise<UserSummary[]> {
    return (await this.rows()).map(({ name, role, createdAt, updatedAt }) => ({
      name,
      role,
      createdAt,
      updatedAt,
    }));
  }

  async find(name: string): Promise<UserRecord | undefined> {
    return (await this.rows(normalise(name)))[0];
  }

  private async existing(name: string): Promise<UserRecord> {
    const user = await this.find(name);
    if (!user) throw unknownUser();
    return user;
  }

  async create(rawName: string, role: Role, password: string): Promise<UserSummary> {
    const name = normalise(rawName);
    if (await this.find(name)) throw userExists();
    await this.write({ name, role, passwordHash: await hashPassword(password), createdAt: '' });
    const created = await this.existing(name);
    return { name, role, createdAt: created.createdAt, updatedAt: created.updatedAt };
  }

  async setPassword(name: string, password: string): Promise<void> {
    const user = await this.existing(name);
    await this.write({ ...user, passwordHash: await hashPassword(password) });
  }

  private async checkNotLastAdmin(user: UserRecord): Promise<void> {
    if (user.role !== 'admin') return;
    const admins = (await this.rows()).filter((other) => other.role === 'admin');
    if (admins.length <= 1) throw lastAdmin();
  }

  async setRole(name: string, role: Role): Promise<void> {
    const user = await this.existing(name);
    if (user.role === role) return;
    if (role !== 'admin') await this.checkNotLastAdmin(user);
    await this.write({ ...user, role });
  }

  async remove(name: string): Promise<void> {
    const user = await this.existing(name);
    await this.checkNotLastAdmin(user);
    await this.write(user, true);
  }

  async authenticate(name: string, password: string): Promise<UserRecord | undefined> {
    const user = await this.find(name);
    const matches = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    return user && matches ? user : undefined;
  }
}
