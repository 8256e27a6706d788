import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { importFarm, readArchive } from '../../src/archive/import.js';
import { FORMAT, FORMAT_VERSION, KEYS_FILE, MANIFEST } from '../../src/archive/format.js';
import { OperationalError, UsageError } from '../../src/errors.js';

/**
 * Import streams the archive in batches (stage under a name outside the farm, then rename): archives
 * bigger than one batch import whole, and one refused in a late batch — after earlier batches were
 * staged — leaves Redis exactly as it was, staging keys included.
 */
let redis: PrivateRedis;
let client: Redis;
let dir: string;
let n = 0;
const KEYS = 5000; // more than two of import's batches

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  dir = mkdtempSync(join(tmpdir(), 'tfctl-archive-stream-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await redis?.stop();
});
beforeEach(() => client.flushall());

/** An archive of `count` keys: 10 readers, their registry, and lists in their slots; `last` lines end it. */
async function archive(count: number, last: object[] = []): Promise<string> {
  const names = Array.from({ length: 10 }, (_, i) => `r${i}`);
  const lines = [JSON.stringify({ key: 'a:bots', type: 'set', value: names })];
  for (const name of names) lines.push(JSON.stringify({ key: `a:bot:{${name}}`, type: 'hash', value: { role: 'reader', every_s: '3600', paused: '0', created_at: '1' } }));
  for (let i = lines.length; i < count - last.length; i++) lines.push(JSON.stringify({ key: `a:{r${i % 10}}:x${i}`, type: 'list', value: [`item ${i}`, 'два'] }));
  for (const rec of last) lines.push(JSON.stringify(rec));
  const text = `${lines.join('\n')}\n`;
  const work = join(dir, `a${++n}`);
  mkdirSync(work);
  writeFileSync(join(work, KEYS_FILE), text);
  writeFileSync(join(work, MANIFEST), JSON.stringify({
    format: FORMAT, format_version: FORMAT_VERSION, tfctl_version: '0', prefix: 'a', created_at: new Date(0).toISOString(), secrets: false,
    counts: { keys: lines.length, bots: names.length, stream_entries: 0, pending: 0, by_type: {} },
    files: { [KEYS_FILE]: { sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) } },
  }));
  const file = join(dir, `a${n}.tar.gz`);
  const tar = await import('tar');
  await tar.create({ gzip: true, portable: true, cwd: work, file }, [MANIFEST, KEYS_FILE]);
  return file;
}

/** Every key in Redis with its type, TTL and value dump: "unchanged" means this is equal. */
async function snapshot(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of (await client.keys('*')).sort()) {
    const ttl = await client.pttl(key);
    out[key] = [await client.type(key), ttl > 0 ? 'expires' : ttl, (await client.dumpBuffer(key))?.toString('base64')];
  }
  return out;
}

/** A farm with one bot, `name` (r3 is one of the archive's too). */
async function farmWithABot(name = 'z9'): Promise<void> {
  await client.sadd('t:{farm-wide}:bots', name);
  await client.hset(`t:bot:{${name}}`, 'role', 'reader', 'every_s', '60', 'paused', '0', 'created_at', '5');
  await client.set(`t:{${name}}:own`, 'mine', 'PX', 600_000);
}

describe('import in batches', () => {
  it('imports an archive of several batches whole, and leaves no staging key', async () => {
    const r = await importFarm(client, 't', await archive(KEYS, [{ key: 'a:{r1}:ttl', type: 'string', value: 'v', ttl_ms: 900_000 }]));
    expect(r.keys).toBe(KEYS);
    expect(r.bots).toHaveLength(10);
    expect(await client.dbsize()).toBe(KEYS);
    expect(await client.lrange(`t:{r${(KEYS - 2) % 10}}:x${KEYS - 2}`, 0, -1)).toEqual([`item ${KEYS - 2}`, 'два']);
    expect(await client.pttl('t:{r1}:ttl')).toBeGreaterThan(800_000);
    expect(await client.smembers('t:{farm-wide}:bots')).toHaveLength(10);
    expect(await client.keys('tfctl-import:*')).toEqual([]);
  });

  it('checks without keeping the records: what readArchive returns holds the bots only', async () => {
    const checked = await readArchive(await archive(KEYS));
    expect(checked.bots).toHaveLength(10);
    expect([...checked.botRecords.keys()]).toHaveLength(10);
    expect(Object.keys(checked)).not.toContain('records');
  });

  const late: Array<[string, object[], RegExp, typeof UsageError | typeof OperationalError]> = [
    ['a key that appears twice, the second time in a late batch', [{ key: 'a:{r0}:x20', type: 'list', value: ['again'] }], /line \d+: key "a:\{r0\}:x20" appears twice/, UsageError],
    ['a value Redis rejects in the last batch', [{ key: 'a:{r2}:scores', type: 'zset', value: [['m', '1e999']] }], /import failed and was rolled back/, OperationalError],
  ];
  for (const [what, last, message, type] of late) {
    it(`leaves Redis unchanged on ${what}`, async () => {
      await farmWithABot();
      const before = await snapshot();
      const err = await importFarm(client, 't', await archive(KEYS, last)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(type);
      expect((err as Error).message).toMatch(message);
      expect(await snapshot()).toEqual(before);
    });
  }

  it('leaves Redis unchanged when a bot of the archive exists (found while staging), and replaces it with --replace', async () => {
    await farmWithABot('r3');
    const before = await snapshot();
    const file = await archive(KEYS);
    await expect(importFarm(client, 't', file)).rejects.toThrow(/bot\(s\) r3 exist already in this farm: nothing imported/);
    expect(await snapshot()).toEqual(before);
    const r = await importFarm(client, 't', file, { replace: true });
    expect(r.replaced).toEqual(['r3']);
    expect(await client.hget('t:bot:{r3}', 'every_s')).toBe('3600');
    expect(await client.exists('t:{r3}:own')).toBe(0); // a replaced bot's keys the archive lacks are gone
    expect(await client.dbsize()).toBe(KEYS);
    expect(await client.keys('tfctl-import:*')).toEqual([]);
  });
});
