/**
 * Where a Redis role lives, written as one URL so that REDIS_URL and KANON_SALT_REDIS_URL each take
 * any of the three shapes ioredis connects to:
 *
 * - `redis://[user:password@]host:port[/db]`: one server (rediss:// for TLS), as before;
 * - `redis-cluster://[user:password@]host:port[,host:port…]`: a Redis Cluster, given by some of its
 *   nodes (ioredis finds the others);
 * - `redis-sentinel://[user:password@]host:port[,host:port…][/db]#primary`: the primary that
 *   Sentinel names `primary` (default `mymaster`), found through the sentinels listed.
 *
 * The sentinel form is Lettuce's (the Java client's) URI, and the cluster form follows it, so an
 * operator who has written one has written both. `rediss-cluster://` and `rediss-sentinel://` use
 * TLS. A password given in the URL is the data nodes' (and, for Sentinel, the sentinels' too).
 */
export interface RedisNode {
  host: string;
  port: number;
}

interface Credentials {
  username?: string;
  password?: string;
  tls: boolean;
}

export type RedisAddress =
  | ({ kind: 'single'; url: string } & Credentials)
  | ({ kind: 'cluster'; nodes: RedisNode[] } & Credentials)
  | ({ kind: 'sentinel'; sentinels: RedisNode[]; primary: string; db: number } & Credentials);

export type RedisAddressResult = { ok: true; address: RedisAddress } | { ok: false; problem: string };

const SHAPES =
  'must be redis://host:port, redis-cluster://host:port[,host:port] or redis-sentinel://host:port[,host:port]#primary (rediss… for TLS)';

const SCHEME = /^(rediss?)(-cluster|-sentinel)?:\/\/(.*)$/;

function parseNode(text: string, fallbackPort: number): RedisNode | undefined {
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(text);
  const plain = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text);
  const match = bracketed ?? plain;
  if (!match) return undefined;
  const port = match[2] === undefined ? fallbackPort : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  return { host: match[1]!, port };
}

function decode(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Parses a Redis address; problems name the rule, never the value (it may hold a password). */
export function parseRedisAddress(text: string): RedisAddressResult {
  const scheme = SCHEME.exec(text.trim());
  if (!scheme) return { ok: false, problem: SHAPES };
  const tls = scheme[1] === 'rediss';
  const shape = scheme[2];
  if (shape === undefined) {
    if (!/^\S+$/.test(scheme[3] ?? '')) return { ok: false, problem: SHAPES };
    return { ok: true, address: { kind: 'single', url: text.trim(), tls } };
  }
  let rest = scheme[3] ?? '';
  let primary = 'mymaster';
  const hash = rest.indexOf('#');
  if (hash !== -1) {
    primary = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
    if (shape === '-cluster') return { ok: false, problem: 'a redis-cluster:// address takes no #name' };
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(primary))
      return { ok: false, problem: 'the Sentinel primary name after # must be letters, digits, _ . or -' };
  }
  let db = 0;
  const slash = rest.indexOf('/');
  if (slash !== -1) {
    const path = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
    if (path !== '') {
      if (shape === '-cluster') return { ok: false, problem: 'a Redis Cluster has no database number' };
      if (!/^\d{1,2}$/.test(path)) return { ok: false, problem: 'the database number must be 0 to 15' };
      db = Number(path);
    }
  }
  const at = rest.lastIndexOf('@');
  const userinfo = at === -1 ? '' : rest.slice(0, at);
  const hostList = at === -1 ? rest : rest.slice(at + 1);
  const colon = userinfo.indexOf(':');
  const username = decode(colon === -1 ? userinfo : userinfo.slice(0, colon));
  const password = decode(colon === -1 ? undefined : userinfo.slice(colon + 1));
  const fallbackPort = shape === '-sentinel' ? 26_379 : 6379;
  const nodes = hostList.split(',').map((entry) => parseNode(entry.trim(), fallbackPort));
  if (nodes.length === 0 || nodes.some((node) => node === undefined))
    return { ok: false, problem: `lists a node that is not host:port; ${SHAPES}` };
  const credentials = { username, password, tls };
  return {
    ok: true,
    address:
      shape === '-cluster'
        ? { kind: 'cluster', nodes: nodes as RedisNode[], ...credentials }
        : { kind: 'sentinel', sentinels: nodes as RedisNode[], primary, db, ...credentials },
  };
}

/** The address, or a thrown error naming the rule: for addresses that passed the configuration. */
export function redisAddress(text: string): RedisAddress {
  const parsed = parseRedisAddress(text);
  if (!parsed.ok) throw new Error(`Redis address: ${parsed.problem}`);
  return parsed.address;
}

/** A Redis Cluster keeps keys apart by hash slot: Kanon's keys then carry hash tags (key-layout.ts). */
export const isRedisCluster = (text: string): boolean => /^rediss?-cluster:\/\//.test(text.trim());
