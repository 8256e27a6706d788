import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { importFarm, readArchive } from '../../src/archive/import.js';
import { FORMAT, FORMAT_VERSION, KEYS_FILE, MANIFEST } from '../../src/archive/format.js';

/**
 * Import checks every bot with the rules create and set use: on main, every_s -5, grab 0, role
 * "superuser", template {bogus} and a writer whose reader does not exist were all imported, and then
 * never ran or failed every tick.
 */
let redis: PrivateRedis;
let client: Redis;
let dir: string;
let n = 0;
beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  dir = mkdtempSync(join(tmpdir(), 'tfctl-archive-validate-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await redis?.stop();
});

const reader = { role: 'reader', every_s: '3600', paused: '0', created_at: '1' };
const writer = { role: 'writer', reader: 'r1', template: '{noun:gent} нет', every_s: '3600', paused: '0', per_tick: '1', grab: '3', created_at: '1' };

async function archive(bots: Record<string, Record<string, string>>): Promise<string> {
  const lines = [JSON.stringify({ key: 'a:bots', type: 'set', value: Object.keys(bots) })];
  for (const [name, h] of Object.entries(bots)) lines.push(JSON.stringify({ key: `a:bot:{${name}}`, type: 'hash', value: h }));
  const text = `${lines.join('\n')}\n`;
  const work = join(dir, `a${++n}`);
  rmSync(work, { recursive: true, force: true });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(work);
  writeFileSync(join(work, KEYS_FILE), text);
  writeFileSync(join(work, MANIFEST), JSON.stringify({
    format: FORMAT, format_version: FORMAT_VERSION, tfctl_version: '0', prefix: 'a', created_at: new Date(0).toISOString(), secrets: false, redis_version: '7.0.0',
    counts: { keys: lines.length, bots: Object.keys(bots).length, stream_entries: 0, pending: 0, by_type: {} },
    files: { [KEYS_FILE]: { sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) } },
  }));
  const file = join(dir, `a${n}.tar.gz`);
  const tar = await import('tar');
  await tar.create({ gzip: true, portable: true, cwd: work, file }, [MANIFEST, KEYS_FILE]);
  return file;
}

describe('import validates every bot record', () => {
  const cases: Array<[string, Record<string, Record<string, string>>, RegExp]> = [
    ['every_s -5', { r1: { ...reader, every_s: '-5' } }, /reader "r1"/],
    ['grab 0', { r1: reader, w1: { ...writer, grab: '0' } }, /writer "w1".*grab/],
    ['role superuser', { r1: { ...reader, role: 'superuser' } }, /unknown role "superuser"/],
    ['template {bogus}', { r1: reader, w1: { ...writer, template: 'x {bogus}' } }, /writer "w1"/],
    ['a writer without a template', { r1: reader, w1: { ...writer, template: undefined as unknown as string } }, /has no template/],
  ];
  for (const [what, bots, why] of cases) {
    it(`refuses ${what} before touching Redis`, async () => {
      for (const h of Object.values(bots)) for (const k of Object.keys(h)) if (h[k] === undefined) delete h[k];
      await expect(readArchive(await archive(bots))).rejects.toThrow(why);
    });
  }

  it("refuses a writer whose reader is neither in the archive nor in the farm, and leaves Redis as it was", async () => {
    await client.flushdb();
    await client.hset('t:bot:{other}', 'role', 'reader');
    const before = await client.dbsize();
    const file = await archive({ w1: { ...writer, reader: 'ghost' } });
    await expect(importFarm(client, 't', file)).rejects.toThrow(/reads from "ghost"/);
    expect(await client.dbsize()).toBe(before);
    // Its reader in the farm already: accepted.
    const ok = await archive({ w2: { ...writer, reader: 'other' } });
    expect((await importFarm(client, 't', ok)).bots).toEqual(['w2']);
    // A writer as a source is refused.
    await expect(importFarm(client, 't', await archive({ w3: { ...writer, reader: 'w2' } }))).rejects.toThrow(/a writer, not a source/);
  });

  it('imports valid bots', async () => {
    await client.flushdb();
    const r = await importFarm(client, 'v', await archive({ r1: reader, w1: writer }));
    expect(r.bots).toEqual(['r1', 'w1']);
    expect(await client.hget('v:bot:{w1}', 'grab')).toBe('3');
  });
});
