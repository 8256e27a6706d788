import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RedisClient } from '../store/client.js';
import { UsageError } from '../errors.js';
import { compareStreamIds } from '../store/stream-id.js';

/**
 * The farm archive: a gzip'd tar holding `manifest.json` and `keys.jsonl`, one JSON record per Redis
 * key. The JSON form is the same whatever Redis wrote it (no DUMP payloads, which are tied to a Redis
 * version), so an archive made on one host restores on another.
 */
export const FORMAT = 'tfctl-farm';
export const FORMAT_VERSION = 1;
export const MANIFEST = 'manifest.json';
export const KEYS_FILE = 'keys.jsonl';

/** What an import accepts at most: an import streams the archive, but a hostile one must not run on for ever. */
export const ARCHIVE_LIMITS = {
  entryBytes: 256 * 1024 * 1024,
  totalBytes: 512 * 1024 * 1024,
  manifestBytes: 1024 * 1024,
  entries: 8,
} as const;

export interface Manifest {
  format: typeof FORMAT;
  format_version: number;
  tfctl_version: string;
  prefix: string;
  created_at: string;
  /** false when `--without-secrets` left the bots' token/secret out. */
  secrets: boolean;
  redis_version?: string;
  counts: { keys: number; bots: number; stream_entries: number; pending: number; by_type: Record<string, number> };
  /** sha256 and size of every other entry; import accepts no entry that is not listed here. */
  files: Record<string, { sha256: string; bytes: number }>;
}

export interface StreamGroup {
  name: string;
  last_delivered_id: string;
  /** Redis 7+: how many entries the group has read, so its lag survives the move. */
  entries_read?: number;
  consumers: string[];
  pending: Array<{ id: string; consumer: string; deliveries: number }>;
}

export interface StreamValue {
  /** Entry ids are kept, so since-ids and group positions still point at the same entries. Fields stay a flat list: order and repeats survive. */
  entries: Array<[string, string[]]>;
  last_id: string;
  entries_added?: number;
  max_deleted_id?: string;
  groups: StreamGroup[];
}

interface Base {
  key: string;
  /** Remaining time to live in ms; absent when the key does not expire. */
  ttl_ms?: number;
}

export type KeyRecord =
  | (Base & { type: 'string'; value: string })
  | (Base & { type: 'hash'; value: Record<string, string> })
  | (Base & { type: 'set'; value: string[] })
  | (Base & { type: 'zset'; value: Array<[string, string]> })
  | (Base & { type: 'list'; value: string[] })
  | (Base & { type: 'stream'; value: StreamValue });

export type KeyType = KeyRecord['type'];
export const KEY_TYPES: readonly KeyType[] = ['string', 'hash', 'set', 'zset', 'list', 'stream'];

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The version of the running tfctl, from its package.json (dist/archive and src/archive are both two levels down). */
export function tfctlVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The cluster hash tag of a key (what is inside its first `{…}`), i.e. the bot it belongs to. */
export function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close <= open + 1) return undefined;
  return key.slice(open + 1, close);
}

/** Redis's major version, from INFO: the stream options that keep lag exact exist from 7.0 on. */
export async function redisVersion(redis: RedisClient): Promise<string> {
  const info = await redis.info('server');
  return /redis_version:([^\r\n]+)/.exec(info)?.[1]?.trim() ?? '0.0.0';
}

export function major(version: string): number {
  return Number(version.split('.')[0]) || 0;
}

// ---------------------------------------------------------------------------------------------
// Dump: one key to its neutral record.

type Flat = unknown[];

function pairs(flat: Flat): Record<string, unknown> {
  const rec: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (let i = 0; i + 1 < flat.length; i += 2) rec[String(flat[i])] = flat[i + 1];
  return rec;
}

const optNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

/** Reads a batch of keys' types, TTLs and values; keys that vanished meanwhile are left out. */
export async function dumpKeys(redis: RedisClient, keys: string[]): Promise<KeyRecord[]> {
  if (keys.length === 0) return [];
  const meta = redis.pipeline();
  for (const k of keys) meta.type(k).pttl(k);
  const metaReplies = (await meta.exec()) ?? [];
  const values = redis.pipeline();
  const plan: Array<{ key: string; type: KeyType; ttl: number }> = [];
  keys.forEach((key, i) => {
    const [typeErr, type] = metaReplies[2 * i]!;
    const [, ttl] = metaReplies[2 * i + 1]!;
    if (typeErr) throw typeErr;
    switch (type) {
      case 'none': return;
      case 'string': values.get(key); break;
      case 'hash': values.hgetall(key); break;
      case 'set': values.smembers(key); break;
      case 'zset': values.zrange(key, 0, '-1', 'WITHSCORES'); break;
      case 'list': values.lrange(key, 0, -1); break;
      case 'stream': values.ping(); break; // read on its own below: several calls per stream
      default: throw new Error(`key ${key} has type ${String(type)}, which tfctl does not write; remove it or move it out of the farm's prefix`);
    }
    plan.push({ key, type: type as KeyType, ttl: Number(ttl) });
  });
  const replies = (await values.exec()) ?? [];
  const out: KeyRecord[] = [];
  for (let i = 0; i < plan.length; i++) {
    const { key, type, ttl } = plan[i]!;
    const [err, v] = replies[i]!;
    if (err) throw err;
    const base: Base = { key };
    if (ttl > 0) base.ttl_ms = ttl;
    let rec: KeyRecord | null;
    switch (type) {
      case 'string': rec = v === null ? null : { ...base, type, value: v as string }; break;
      case 'hash': rec = { ...base, type, value: Object.fromEntries(Object.entries(v as Record<string, string>)) }; break;
      case 'set': rec = { ...base, type, value: [...(v as string[])].sort() }; break;
      case 'zset': {
        const flat = v as string[];
        const value: Array<[string, string]> = [];
        for (let j = 0; j + 1 < flat.length; j += 2) value.push([flat[j]!, flat[j + 1]!]);
        rec = { ...base, type, value };
        break;
      }
      case 'list': rec = { ...base, type, value: v as string[] }; break;
      case 'stream': {
        const value = await dumpStream(redis, key);
        rec = value ? { ...base, type, value } : null;
        break;
      }
    }
    // A key that expired or was deleted between the two round trips is simply not part of the snapshot.
    if (rec && !(type !== 'string' && type !== 'stream' && isEmpty(rec))) out.push(rec);
  }
  return out;
}

function isEmpty(rec: KeyRecord): boolean {
  const v = rec.value;
  return Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
}

async function dumpStream(redis: RedisClient, key: string): Promise<StreamValue | null> {
  let info: Record<string, unknown>;
  try {
    info = pairs((await redis.xinfo('STREAM', key)) as Flat);
  } catch (err) {
    if (String(err).includes('no such key')) return null;
    throw err;
  }
  const entries: Array<[string, string[]]> = [];
  // Page through the stream so one huge stream never becomes one huge reply.
  let from = '-';
  for (;;) {
    const page = (await redis.xrange(key, from, '+', 'COUNT', 1000)) as Array<[string, string[]]>;
    for (const [id, fields] of page) entries.push([id, fields]);
    if (page.length < 1000) break;
    from = `(${page[page.length - 1]![0]}`;
  }
  const value: StreamValue = { entries, last_id: String(info['last-generated-id'] ?? '0-0'), groups: [] };
  const added = optNum(info['entries-added']);
  if (added !== undefined) value.entries_added = added;
  if (info['max-deleted-entry-id'] !== undefined) value.max_deleted_id = String(info['max-deleted-entry-id']);
  const groups = (await redis.xinfo('GROUPS', key)) as Flat[];
  for (const g of groups) {
    const rec = pairs(g);
    const name = String(rec.name);
    const group: StreamGroup = { name, last_delivered_id: String(rec['last-delivered-id'] ?? '0-0'), consumers: [], pending: [] };
    const read = optNum(rec['entries-read']);
    if (read !== undefined) group.entries_read = read;
    const consumers = (await redis.xinfo('CONSUMERS', key, name)) as Flat[];
    group.consumers = consumers.map((c) => String(pairs(c).name)).sort();
    const count = Number(rec.pending ?? 0);
    if (count > 0) {
      const pending = (await redis.xpending(key, name, '-', '+', count)) as Array<[string, string, number, number]>;
      group.pending = pending.map(([id, consumer, , deliveries]) => ({ id, consumer, deliveries: Number(deliveries) }));
    }
    value.groups.push(group);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Validation of records read from an archive. Everything is checked before Redis is touched.

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

function bad(where: string, what: string): never {
  throw new UsageError(`invalid archive: ${where}: ${what}`);
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

const isScore = (s: string): boolean => /^[+-]?inf$/i.test(s) || (s.trim() !== '' && !Number.isNaN(Number(s)));


/** Parses and checks one line of keys.jsonl; `where` names it in errors. */
export function parseRecord(line: string, where: string): KeyRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    bad(where, 'not valid JSON');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) bad(where, 'not a JSON object');
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!['key', 'type', 'ttl_ms', 'value'].includes(k)) bad(where, `unknown field "${k}"`);
  if (!isStr(r.key) || r.key === '') bad(where, 'key must be a non-empty string');
  if (r.ttl_ms !== undefined && !(isCount(r.ttl_ms) && r.ttl_ms > 0)) bad(where, 'ttl_ms must be a positive integer');
  const v = r.value;
  switch (r.type) {
    case 'string':
      if (!isStr(v)) bad(where, 'a string value must be a string');
      break;
    case 'hash':
      if (!v || typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every(isStr) || Object.keys(v).length === 0) bad(where, 'a hash value must be a non-empty object of strings');
      break;
    case 'set': case 'list':
      if (!isStrArray(v) || v.length === 0) bad(where, `a ${r.type} value must be a non-empty array of strings`);
      break;
    case 'zset':
      if (!Array.isArray(v) || v.length === 0 || !v.every((m) => isStrArray(m) && m.length === 2 && isScore(m[1]!))) {
        bad(where, 'a zset value must be a non-empty array of [member, score]');
      }
      break;
    case 'stream':
      checkStream(v, where);
      break;
    default:
      bad(where, `unknown type ${JSON.stringify(r.type)}`);
  }
  return r as unknown as KeyRecord;
}

function checkStream(v: unknown, where: string): asserts v is StreamValue {
  if (!v || typeof v !== 'object' || Array.isArray(v)) bad(where, 'a stream value must be an object');
  const s = v as Record<string, unknown>;
  if (!Array.isArray(s.entries)) bad(where, 'stream entries must be an array');
  if (!isStr(s.last_id) || !STREAM_ID.test(s.last_id)) bad(where, 'stream last_id must be an id like 1700000000000-0');
  let prev = '0-0';
  for (const e of s.entries as unknown[]) {
    if (!Array.isArray(e) || e.length !== 2 || !isStr(e[0]) || !STREAM_ID.test(e[0]) || !isStrArray(e[1]) || e[1].length === 0 || e[1].length % 2 !== 0) {
      bad(where, 'each stream entry must be [id, [field, value, …]]');
    }
    if (compareStreamIds(e[0], prev) <= 0) bad(where, `stream entry ids must increase (${e[0]} after ${prev})`);
    prev = e[0];
  }
  if (compareStreamIds(s.last_id, prev) < 0) bad(where, 'stream last_id is older than its newest entry');
  if (s.entries_added !== undefined && (!isCount(s.entries_added) || s.entries_added < (s.entries as unknown[]).length)) bad(where, 'stream entries_added must count at least its entries');
  if (s.max_deleted_id !== undefined && (!isStr(s.max_deleted_id) || !STREAM_ID.test(s.max_deleted_id) || compareStreamIds(s.max_deleted_id, s.last_id) > 0)) {
    bad(where, 'stream max_deleted_id must be an id no newer than last_id');
  }
  if (!Array.isArray(s.groups)) bad(where, 'stream groups must be an array');
  const names = new Set<string>();
  for (const g of s.groups as unknown[]) {
    const grp = g as Record<string, unknown>;
    if (!grp || typeof grp !== 'object' || !isStr(grp.name) || grp.name === '') bad(where, 'each stream group needs a name');
    if (names.has(grp.name)) bad(where, `stream group "${grp.name}" appears twice`);
    names.add(grp.name);
    if (!isStr(grp.last_delivered_id) || !STREAM_ID.test(grp.last_delivered_id) || compareStreamIds(grp.last_delivered_id, s.last_id) > 0) {
      bad(where, `group "${grp.name}": last_delivered_id must be an id no newer than the stream's last_id`);
    }
    if (grp.entries_read !== undefined && !isCount(grp.entries_read)) bad(where, `group "${grp.name}": entries_read must be a count`);
    if (!isStrArray(grp.consumers) || grp.consumers.some((c) => c === '')) bad(where, `group "${grp.name}": consumers must be an array of names`);
    if (!Array.isArray(grp.pending)) bad(where, `group "${grp.name}": pending must be an array`);
    for (const p of grp.pending as unknown[]) {
      const pe = p as Record<string, unknown>;
      if (!pe || !isStr(pe.id) || !STREAM_ID.test(pe.id) || !isStr(pe.consumer) || pe.consumer === '' || !isCount(pe.deliveries)) {
        bad(where, `group "${grp.name}": each pending entry needs id, consumer and deliveries`);
      }
      if (pe.id === '0-0') bad(where, `group "${grp.name}": pending entry 0-0 is impossible`);
      if (compareStreamIds(pe.id, grp.last_delivered_id) > 0) bad(where, `group "${grp.name}": pending entry ${pe.id} is past its last_delivered_id`);
    }
  }
}

/** Checks a manifest's shape and version; the checksums are compared by the reader. */
export function parseManifest(text: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    bad(MANIFEST, 'not valid JSON');
  }
  const m = raw as Record<string, unknown>;
  if (!m || typeof m !== 'object' || m.format !== FORMAT) bad(MANIFEST, `not a tfctl farm archive (format should be "${FORMAT}")`);
  if (m.format_version !== FORMAT_VERSION) {
    throw new UsageError(`unsupported archive format_version ${JSON.stringify(m.format_version)}: this tfctl reads version ${FORMAT_VERSION}`);
  }
  if (!isStr(m.prefix) || m.prefix === '' || /[\s*?[\]]/.test(m.prefix)) bad(MANIFEST, 'prefix must be a plain non-empty string');
  if (typeof m.secrets !== 'boolean') bad(MANIFEST, 'secrets must be true or false');
  const files = m.files as Record<string, unknown> | undefined;
  if (!files || typeof files !== 'object' || Array.isArray(files)) bad(MANIFEST, 'files must be an object');
  for (const [name, f] of Object.entries(files)) {
    const rec = f as Record<string, unknown>;
    if (!rec || !isStr(rec.sha256) || !/^[0-9a-f]{64}$/.test(rec.sha256) || !isCount(rec.bytes)) bad(MANIFEST, `files["${name}"] needs sha256 and bytes`);
  }
  if (!files[KEYS_FILE]) bad(MANIFEST, `${KEYS_FILE} is not listed`);
  const counts = m.counts as Record<string, unknown> | undefined;
  if (!counts || !isCount(counts.keys)) bad(MANIFEST, 'counts.keys is missing');
  return m as unknown as Manifest;
}

// ---------------------------------------------------------------------------------------------
// Restore: the commands that recreate one record under a (possibly renamed) key.

export type Command = [string, ...Array<string | number>];

/**
 * Commands that write `rec` to `key`, which must not exist. Streams keep their entry ids, their last
 * id and (on Redis 7+) their added/deleted counters and each group's entries-read, so lag and since-id
 * positions are exactly what they were. Pending entries are put back with XCLAIM … FORCE, which
 * creates a PEL entry for an id that exists in the stream; RETRYCOUNT keeps its delivery count
 * (idle times restart from zero).
 */
export function restoreCommands(rec: KeyRecord, key: string, redisMajor: number): Command[] {
  const cmds: Command[] = [];
  switch (rec.type) {
    case 'string': cmds.push(['SET', key, rec.value]); break;
    case 'hash': cmds.push(['HSET', key, ...Object.entries(rec.value).flat()]); break;
    case 'set': cmds.push(['SADD', key, ...rec.value]); break;
    case 'zset': cmds.push(['ZADD', key, ...rec.value.flatMap(([m, s]) => [s, m])]); break;
    case 'list': cmds.push(['RPUSH', key, ...rec.value]); break;
    case 'stream': cmds.push(...streamCommands(rec.value, key, redisMajor)); break;
  }
  if (rec.ttl_ms) cmds.push(['PEXPIRE', key, rec.ttl_ms]);
  return cmds;
}

const SCAFFOLD_GROUP = 'tfctl-import-scaffold';
const PLACEHOLDER = ['tfctl-import', 'placeholder'];

/**
 * A pending entry may point at an entry trimmed from the stream since it was delivered. XCLAIM only
 * creates PEL entries for ids present in the stream, so such ids are added as placeholders, claimed,
 * and deleted again; the final XSETID restores the stream's own counters over the placeholders' traces.
 */
function streamCommands(s: StreamValue, key: string, redisMajor: number): Command[] {
  const cmds: Command[] = [];
  const present = new Set(s.entries.map(([id]) => id));
  const ghosts = [...new Set(s.groups.flatMap((g) => g.pending.map((p) => p.id)).filter((id) => !present.has(id)))];
  const all: Array<[string, string[]]> = [...s.entries, ...ghosts.map((id): [string, string[]] => [id, PLACEHOLDER])];
  all.sort((a, b) => compareStreamIds(a[0], b[0]));
  if (all.length === 0) {
    // An empty stream can only be made through a group; the scaffold group is dropped at once.
    cmds.push(['XGROUP', 'CREATE', key, SCAFFOLD_GROUP, '0', 'MKSTREAM'], ['XGROUP', 'DESTROY', key, SCAFFOLD_GROUP]);
  }
  for (const [id, fields] of all) cmds.push(['XADD', key, id, ...fields]);
  for (const g of s.groups) {
    const create: Command = ['XGROUP', 'CREATE', key, g.name, g.last_delivered_id];
    if (redisMajor >= 7 && g.entries_read !== undefined) create.push('ENTRIESREAD', g.entries_read);
    cmds.push(create);
    for (const c of g.consumers) cmds.push(['XGROUP', 'CREATECONSUMER', key, g.name, c]);
    for (const p of g.pending) {
      cmds.push(['XCLAIM', key, g.name, p.consumer, 0, p.id, 'RETRYCOUNT', p.deliveries, 'FORCE', 'JUSTID']);
    }
  }
  if (ghosts.length) cmds.push(['XDEL', key, ...ghosts]);
  const setid: Command = ['XSETID', key, s.last_id];
  if (redisMajor >= 7 && s.entries_added !== undefined) {
    setid.push('ENTRIESADDED', s.entries_added, 'MAXDELETEDID', s.max_deleted_id ?? '0-0');
  }
  cmds.push(setid);
  return cmds;
}
