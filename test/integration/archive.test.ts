import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import type { Redis } from 'ioredis';
import { Header } from 'tar';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exportFarm } from '../../src/archive/export.js';
import { importFarm, readArchive } from '../../src/archive/import.js';
import { UsageError } from '../../src/errors.js';
import { FarmStore } from '../../src/store/farm-store.js';
import { CODEC } from '../../src/bots/index.js';
import { Posts, textHash } from '../../src/store/posts.js';
import { Timeline } from '../../src/store/timeline.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';

let redis: PrivateRedis;
let client: Redis;
let dir: string;

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  dir = mkdtempSync(join(tmpdir(), 'tfctl-archive-'));
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => redis.flush());

const flat = (rec: unknown[]): Record<string, unknown> => {
  const o: Record<string, unknown> = {};
  for (let i = 0; i + 1 < rec.length; i += 2) o[String(rec[i])] = rec[i + 1];
  return o;
};

/**
 * Every key in the database, read independently of the archive code: type, whether and roughly how
 * long it expires, its value, and for streams the entries, counters, groups, consumers and pending
 * entries (without idle times, which move on by themselves).
 */
async function snapshot(c: Redis = client): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const k of (await c.keys('*')).sort()) {
    const type = await c.type(k);
    const ttl = await c.pttl(k);
    let value: unknown;
    switch (type) {
      case 'string': value = await c.get(k); break;
      case 'hash': value = await c.hgetall(k); break;
      case 'set': value = (await c.smembers(k)).sort(); break;
      case 'zset': value = await c.zrange(k, 0, '-1', 'WITHSCORES'); break;
      case 'list': value = await c.lrange(k, 0, -1); break;
      case 'stream': {
        const info = flat((await c.xinfo('STREAM', k)) as unknown[]);
        const groups = [];
        for (const g of (await c.xinfo('GROUPS', k)) as unknown[][]) {
          const gi = flat(g);
          const consumers = ((await c.xinfo('CONSUMERS', k, String(gi.name))) as unknown[][]).map((x) => {
            const ci = flat(x);
            return [ci.name, ci.pending];
          });
          const pending = ((await c.xpending(k, String(gi.name), '-', '+', 1000)) as unknown[][]).map(([id, consumer, , n]) => [id, consumer, n]);
          groups.push({ ...gi, consumers, pending });
        }
        value = {
          entries: await c.xrange(k, '-', '+'),
          length: info.length,
          last: info['last-generated-id'],
          added: info['entries-added'],
          maxDeleted: info['max-deleted-entry-id'],
          groups,
        };
        break;
      }
    }
    out[k] = { type, expires: ttl > 0 ? Math.round(ttl / 10_000) : ttl, value };
  }
  return out;
}

/** A farm with every kind of key tfctl writes, and some it may write later. */
async function buildFarm(prefix = 'tf'): Promise<FarmStore> {
  const store = new FarmStore(client, prefix, CODEC);
  const keys = store.keys;
  await store.create({ name: 'r1', role: 'reader', every: 600, paused: false, token: 'R-TOKEN', secret: 'R-SECRET' }, 1_700_000_000_000);
  await store.create({ name: 'w1', role: 'writer', source: 'r1', fields: { template: '%s!', per_tick: '1', grab: '3' }, every: 60, paused: false, token: 'W-TOKEN', secret: 'W-SECRET' });
  await store.create({ name: 'w2', role: 'writer', source: 'r1', fields: { template: '{noun:gent} нет', per_tick: '2', grab: '3' }, every: 60, paused: true });
  await store.create({ name: 'r2', role: 'reader', every: 600, paused: false });
  const tl = new Timeline(client, keys);
  const tweets = Array.from({ length: 6 }, (_, i) => ({ id: String(1_800_000_000_000_000_000n + BigInt(i)), author: 'a', author_id: '42', text: `твит ${i}`, created_at: '2024-01-01T00:00:00Z' }));
  await tl.append('r1', tweets, tweets[5]!.id);
  // w1 takes three, acknowledges one: two stay pending; w2 takes one and acks it.
  const got = await tl.take('r1', 'w1', 3);
  await tl.ack('r1', 'w1', [got[0]!.entry]);
  await tl.ack('r1', 'w2', (await tl.take('r1', 'w2', 1)).map((e) => e.entry));
  // Redelivery raises a delivery count.
  expect((await tl.take('r1', 'w1', 1)).map((e) => e.entry)).toEqual([got[1]!.entry]);
  // A pending entry whose stream entry was trimmed away since (XCLAIM alone cannot restore it).
  await client.xdel(keys.timeline('r1'), got[2]!.entry);
  const posts = new Posts(client, keys);
  const h = textHash('первый пост');
  await posts.writeIntent('w1', { text: 'первый пост', hash: h, source: tweets[0]!.id, noun: 'пост', entry: got[0]!.entry, at: 1 });
  await posts.record('w1', h, { id: '1900000000000000001', text: 'первый пост', source: tweets[0]!.id, noun: 'пост', at: Date.now() });
  await posts.writeIntent('w1', { text: 'второй', hash: textHash('второй'), source: '1', noun: 'x', entry: '0-1', at: 2 });
  // An empty stream with a group, and an empty stream with none (both survive as streams).
  await client.xgroup('CREATE', keys.timeline('r2'), 'w9', '$', 'MKSTREAM');
  await client.xadd(`${prefix}:{ghost}:empty`, 'MAXLEN', '0', '5-5', 'f', 'v');
  // Other types and expiring keys.
  await client.zadd(`${prefix}:{w1}:scores`, 1.5, 'a', '-inf', 'b', 3, '7');
  await client.set(`${prefix}:{w1}:note`, 'expires', 'PX', 3_600_000);
  await client.hset(`${prefix}:bot:{w2}`, 'rl:tweets', String(Date.now() + 60_000));
  await client.pexpire(keys.posts('w1'), 7_200_000);
  await client.set(keys.lock('w1'), 'held', 'PX', 60_000);
  await client.set('other:unrelated', 'not ours');
  return store;
}

describe('archive round trip on a real Redis', () => {
  it('restores every key type, stream positions, pending entries and TTLs exactly', async () => {
    await buildFarm();
    const before = await snapshot();
    const file = join(dir, 'farm.tar.gz');
    const manifest = await exportFarm(client, 'tf', file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(manifest.counts.bots).toBe(4);
    expect(manifest.counts.pending).toBe(2);
    expect(manifest.secrets).toBe(true);

    await client.flushdb();
    await client.set('other:unrelated', 'not ours');
    const result = await importFarm(client, 'tf', file);
    expect(result.bots).toEqual(['r1', 'r2', 'w1', 'w2']);
    const after = await snapshot();
    const { ['tf:lock:{w1}']: lock, ['tf:{farm-wide}:due']: due, ...expected } = before;
    expect(lock).toBeDefined(); // the lock existed, and is deliberately not restored
    expect(due).toBeDefined(); // so did the due index, derived from the bots: the next tick rebuilds it
    expect(after).toEqual(expected);
  });

  it('writes the same positions under another prefix, hash tags included', async () => {
    await buildFarm('old');
    const file = join(dir, 'renamed.tar.gz');
    await exportFarm(client, 'old', file);
    const before = await snapshot();
    await client.flushdb();
    await importFarm(client, 'new', file);
    const after = await snapshot();
    const renamed = Object.fromEntries(Object.entries(before).filter(([k]) => k.startsWith('old:') && !k.startsWith('old:lock:') && k !== 'old:{farm-wide}:due').map(([k, v]) => [k.replace(/^old:/, 'new:'), v]));
    expect(after).toEqual(renamed);
    const store = new FarmStore(client, 'new', CODEC);
    expect((await store.require('w1')).source).toBe('r1');
    const [w1] = await store.overview(['w1']);
    expect(w1).toMatchObject({ name: 'w1', backlog: 5 });
  });

  it('leaves tokens out with withoutSecrets', async () => {
    await buildFarm();
    const file = join(dir, 'nosecrets.tar.gz');
    const m = await exportFarm(client, 'tf', file, { withoutSecrets: true });
    expect(m.secrets).toBe(false);
    const raw = gunzipSync(readFileSync(file)).toString('utf8');
    expect(raw).not.toContain('W-TOKEN');
    expect(raw).not.toContain('R-SECRET');
    await client.flushdb();
    await importFarm(client, 'tf', file);
    const w1 = await new FarmStore(client, 'tf', CODEC).require('w1');
    expect(w1.token).toBeUndefined();
    expect(w1.settings.template).toBe('%s!');
  });

  it('refuses to overwrite existing bots without replace, and replaces them whole with it', async () => {
    await buildFarm();
    const file = join(dir, 'conflict.tar.gz');
    await exportFarm(client, 'tf', file);
    const exported = await snapshot();
    // The farm moves on: w1 gets a new setting and a key the archive does not have.
    await client.hset('tf:bot:{w1}', 'template', 'changed %s');
    await client.set('tf:{w1}:extra', 'later');
    const before = await snapshot();
    await expect(importFarm(client, 'tf', file)).rejects.toThrow(/bot\(s\) .*w1.* exist already/);
    expect(await snapshot()).toEqual(before);

    await importFarm(client, 'tf', file, { replace: true });
    const { ['tf:lock:{w1}']: _lock, ...expected } = exported;
    const after = await snapshot();
    expect(after['tf:{w1}:extra']).toBeUndefined();
    const { ['tf:lock:{w1}']: _lock2, ...afterNoLock } = after;
    expect(afterNoLock).toEqual(expected);
  });

  it('imports into a farm that has other bots, merging the registry', async () => {
    await buildFarm();
    const file = join(dir, 'merge.tar.gz');
    await exportFarm(client, 'tf', file);
    await client.flushdb();
    const store = new FarmStore(client, 'tf', CODEC);
    await store.create({ name: 'local', role: 'reader', every: 60, paused: false });
    await importFarm(client, 'tf', file);
    expect(await store.names()).toEqual(['local', 'r1', 'r2', 'w1', 'w2']);
  });

  it('rolls back when a command fails inside the transaction, restoring replaced bots', async () => {
    // Redis rejects this score only when the transaction runs; the queued writes before it are applied.
    const d = [
      JSON.stringify({ key: 'tf:bots', type: 'set', value: ['x1', 'x2'] }),
      JSON.stringify({ key: 'tf:bot:{x1}', type: 'hash', value: { role: 'reader', every_s: '60' } }),
      JSON.stringify({ key: 'tf:bot:{x2}', type: 'hash', value: { role: 'reader', every_s: '60' } }),
      JSON.stringify({ key: 'tf:{x2}:scores', type: 'zset', value: [['m', '1e999']] }),
    ].join('\n') + '\n';
    const file = join(dir, 'runtime-failure.tar.gz');
    writeFileSync(file, rawTar([{ path: 'manifest.json', data: manifest({ counts: { keys: 4 } }, d) }, { path: 'keys.jsonl', data: d }]));
    const store = new FarmStore(client, 'tf', CODEC);
    await store.create({ name: 'x1', role: 'reader', every: 999, paused: true, token: 'KEEP', secret: 'ME' });
    await client.set('tf:{x1}:own', 'mine', 'PX', 600_000);
    const before = await snapshot();
    const err = await importFarm(client, 'tf', file, { replace: true }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/import failed and was rolled back/);
    expect(await snapshot()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// Bad archives: built by hand, since the tar package (rightly) refuses to write most of them.

interface RawEntry {
  path: string;
  data?: Buffer | string;
  type?: string;
  linkpath?: string;
}

function rawTar(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : e.data ?? Buffer.alloc(0);
    const header = new Header({ path: e.path, mode: 0o600, size: e.type && e.type !== 'File' ? 0 : data.length, mtime: new Date(0), type: (e.type ?? 'File') as never, linkpath: e.linkpath });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (!e.type || e.type === 'File') {
      blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

const KEYS_LINE = `${JSON.stringify({ key: 'tf:bots', type: 'set', value: ['x1'] })}\n${JSON.stringify({ key: 'tf:bot:{x1}', type: 'hash', value: { role: 'reader', every_s: '60' } })}\n`;

function manifest(over: Record<string, unknown> = {}, keysData = KEYS_LINE): string {
  const sha = createHash('sha256').update(keysData).digest('hex');
  return JSON.stringify({
    format: 'tfctl-farm', format_version: 1, tfctl_version: '0.1.0', prefix: 'tf', created_at: new Date(0).toISOString(), secrets: true,
    counts: { keys: 2, bots: 1, stream_entries: 0, pending: 0, by_type: {} },
    files: { 'keys.jsonl': { sha256: sha, bytes: Buffer.byteLength(keysData) } },
    ...over,
  });
}

const good = (): RawEntry[] => [{ path: 'manifest.json', data: manifest() }, { path: 'keys.jsonl', data: KEYS_LINE }];

describe('bad archives are refused before Redis is touched', () => {
  const cases: Array<[string, RawEntry[], RegExp]> = [
    ['a ../ entry', [...good(), { path: '../evil', data: 'x' }], /path with "\.\."/],
    ['a nested ../ entry', [{ path: 'a/../../keys.jsonl', data: KEYS_LINE }, { path: 'manifest.json', data: manifest() }], /path with "\.\."/],
    ['an absolute path', [...good(), { path: '/etc/passwd', data: 'x' }], /absolute path/],
    ['a symlink', [{ path: 'manifest.json', type: 'SymbolicLink', linkpath: '/etc/passwd' }, { path: 'keys.jsonl', data: KEYS_LINE }], /SymbolicLink, not a regular file/],
    ['a hard link', [...good().slice(0, 1), { path: 'keys.jsonl', type: 'Link', linkpath: 'manifest.json' }], /Link, not a regular file/],
    ['a directory', [{ path: 'stuff/', type: 'Directory' }, ...good()], /Directory, not a regular file/],
    ['an unknown entry', [...good(), { path: 'extra.txt', data: 'x' }], /unknown entry "extra.txt"/],
    ['an unknown format version', [{ path: 'manifest.json', data: manifest({ format_version: 2 }) }, { path: 'keys.jsonl', data: KEYS_LINE }], /unsupported archive format_version 2/],
    ['a foreign format', [{ path: 'manifest.json', data: manifest({ format: 'other' }) }, { path: 'keys.jsonl', data: KEYS_LINE }], /not a tfctl farm archive/],
    ['a wrong checksum', [{ path: 'manifest.json', data: manifest() }, { path: 'keys.jsonl', data: KEYS_LINE.replace('60', '61') }], /checksum mismatch for keys.jsonl/],
    ['no manifest', [{ path: 'keys.jsonl', data: KEYS_LINE }], /manifest.json is missing/],
    ['an invalid manifest', [{ path: 'manifest.json', data: '{not json' }, { path: 'keys.jsonl', data: KEYS_LINE }], /manifest.json: not valid JSON/],
    ['invalid JSON in keys', [{ path: 'manifest.json', data: manifest({}, '{oops\n') }, { path: 'keys.jsonl', data: '{oops\n' }], /keys.jsonl line 1: not valid JSON/],
    ['a key outside the prefix', (() => {
      const d = `${JSON.stringify({ key: 'elsewhere:x', type: 'string', value: 'v' })}\n`;
      return [{ path: 'manifest.json', data: manifest({ counts: { keys: 1 } }, d) }, { path: 'keys.jsonl', data: d }];
    })(), /outside the archive's prefix/],
    ['a pending entry past the group position', (() => {
      const d = `${JSON.stringify({ key: 'tf:{r}:timeline', type: 'stream', value: { entries: [['1-1', ['a', 'b']]], last_id: '1-1', groups: [{ name: 'g', last_delivered_id: '0-0', consumers: [], pending: [{ id: '1-1', consumer: 'g', deliveries: 1 }] }] } })}\n`;
      return [{ path: 'manifest.json', data: manifest({ counts: { keys: 1 } }, d) }, { path: 'keys.jsonl', data: d }];
    })(), /past its last_delivered_id/],
  ];

  for (const [what, entries, message] of cases) {
    it(`refuses ${what}`, async () => {
      await buildFarm();
      const before = await snapshot();
      const file = join(dir, `bad-${what.replace(/\W+/g, '-')}.tar.gz`);
      writeFileSync(file, rawTar(entries));
      const err = await importFarm(client, 'tf', file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
      expect(await snapshot()).toEqual(before);
    });
  }

  it('accepts the good hand-built archive (so the cases above fail for their own reason)', async () => {
    const file = join(dir, 'good.tar.gz');
    writeFileSync(file, rawTar(good()));
    const r = await importFarm(client, 'tf', file);
    expect(r.bots).toEqual(['x1']);
    expect(await client.hget('tf:bot:{x1}', 'role')).toBe('reader');
  });

  it('refuses entries over the size limit and files that are not gzip', async () => {
    const file = join(dir, 'big.tar.gz');
    writeFileSync(file, rawTar(good()));
    await expect(readArchive(file, { entryBytes: 64, totalBytes: 1 << 20, manifestBytes: 1 << 20, entries: 8 })).rejects.toThrow(/keys.jsonl" is \d+ bytes, over the limit/);
    await expect(readArchive(file, { entryBytes: 1 << 20, totalBytes: 300, manifestBytes: 1 << 20, entries: 8 })).rejects.toThrow(/together are over the size limit/);
    const junk = join(dir, 'junk.tar.gz');
    writeFileSync(junk, 'this is not an archive');
    await expect(readArchive(junk)).rejects.toThrow(UsageError);
    const truncated = join(dir, 'truncated.tar.gz');
    writeFileSync(truncated, readFileSync(file).subarray(0, 60));
    await expect(readArchive(truncated)).rejects.toThrow(UsageError);
  });
});
