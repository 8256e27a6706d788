import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedis, type PrivateRedis } from '../helpers/redis.js';
import { loadConfig } from '../../src/config.js';
import { Farm } from '../../src/farm/farm.js';
import { OperationalError, UsageError } from '../../src/errors.js';
import { connectOneShot } from '../../src/store/oneshot.js';

/**
 * `tfctl list` reads over store/oneshot.ts, not ioredis: the same rows as FarmStore.overview, the same
 * login and database checks, on a real Redis.
 */
const PASSWORD = 'pw-list-1234';
let redis: PrivateRedis;
let locked: PrivateRedis;
let farm: Farm;

beforeAll(async () => {
  [redis, locked] = await Promise.all([startRedis(), startRedis({ password: PASSWORD })]);
  farm = await Farm.open({ ...loadConfig({}), redisUrl: redis.url, prefix: 'ls' });
  await farm.create({ name: 'r1', role: 'reader', token: 'reader-token', secret: 'reader-secret' });
  for (let i = 0; i < 300; i++) await farm.create({ name: `w${i}`, role: 'writer', reader: 'r1', template: 'Жизнь без {noun:gent,plur}.', token: 't', secret: 's' });
  // Long, multi-byte last errors: the reply runs to some 400 KB, many TCP chunks.
  const multi = farm.redis.multi();
  for (let i = 0; i < 300; i++) multi.hset(farm.store.keys.bot(`w${i}`), 'last_error', `ошибка ${i} ${'ё'.repeat(600 + i)}`);
  await multi.exec();
  await farm.redis.hset(farm.store.keys.bot('w7'), 'n_posted', '4', 'rl:post', '1795000000000', 'last_error', 'boom\r\n$5\r\n*1');
});
afterAll(async () => {
  await farm?.close();
  await Promise.all([redis?.stop(), locked?.stop()]);
});

describe('the listing connection', () => {
  it('reads what FarmStore.overview reads, pauses included (a reply of many TCP chunks)', async () => {
    const listing = await Farm.openListing({ ...loadConfig({}), redisUrl: redis.url, prefix: 'ls' });
    try {
      for (const opts of [{}, { pauses: true }]) {
        const bots = await listing.overview(undefined, opts);
        expect(bots).toHaveLength(301);
        expect(bots).toEqual(await farm.store.overview(undefined, opts));
      }
      expect(await listing.overview(['w7'])).toEqual(await farm.store.overview(['w7']));
      expect((await listing.overview(['w7']))[0]!.lastError).toBe('boom\r\n$5\r\n*1');
    } finally {
      await listing.close();
    }
  });

  it('replies of every type, and error replies as rejections', async () => {
    const c = await connectOneShot(redis.url, 'here');
    try {
      expect(await c.call('PING')).toBe('PONG');
      expect(await c.call('EXISTS', 'nothing')).toBe(0);
      expect(await c.call('GET', 'nothing')).toBeNull();
      expect(await c.call('EVAL', "return {1, 'two', {false}}", 0)).toEqual([1, 'two', [null]]);
      await expect(c.call('EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', 0)).rejects.toThrow(/^NOSCRIPT/);
      expect(await c.call('ECHO', 'still in step')).toBe('still in step');
    } finally {
      c.close();
    }
  });

  it('many commands in one write: replies in order, error replies as values, long ones across chunks', async () => {
    const c = await connectOneShot(redis.url, 'here');
    try {
      const long = 'ж'.repeat(50_000);
      const commands = [['ECHO', 'a'], ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', 0], ...Array.from({ length: 500 }, (_, i) => ['ECHO', `${i}${long}`]), ['GET', 'nothing']];
      const replies = await c.callMany(commands);
      expect(replies).toHaveLength(503);
      expect(replies[0]).toBe('a');
      expect(replies[1]).toBeInstanceOf(Error);
      expect((replies[1] as Error).message).toMatch(/^NOSCRIPT/);
      expect(replies[2]).toBe(`0${long}`);
      expect(replies[501]).toBe(`499${long}`);
      expect(replies[502]).toBeNull();
      expect(await c.callMany([])).toEqual([]);
      // One script over many key lists, encoded once but for the keys: the same replies as one command each.
      const sha = (await c.call('SCRIPT', 'LOAD', 'return {KEYS[1], KEYS[2], ARGV[1]}')) as string;
      expect(await c.evalshaMany(sha, [['a', 'ключ'], ['b', 'c']], ['арг'])).toEqual([['a', 'ключ', 'арг'], ['b', 'c', 'арг']]);
      expect(await c.call('ECHO', 'still in step')).toBe('still in step');
    } finally {
      c.close();
    }
  });

  it('the database and password checks of connectRedis, with its messages', async () => {
    const at = (db: string, pw = PASSWORD) => `redis://:${pw}@127.0.0.1:${locked.port}/${db}`;
    const admin = locked.client();
    await admin.select(3);
    await admin.set('where', 'db 3');
    const c = await connectOneShot(at('3'), 'locked');
    expect(await c.call('GET', 'where')).toBe('db 3');
    c.close();
    // Login goes out with the first command: its failure is every command's.
    const ping = async (url: string, where = 'locked') => (await connectOneShot(url, where)).call('PING');
    await expect(ping(at('99'))).rejects.toThrow(UsageError);
    await expect(ping(at('99'))).rejects.toThrow(/database 99/);
    await expect(ping(at('0', 'wrong'))).rejects.toThrow(/refused the password/);
    await expect(ping(`redis://127.0.0.1:${locked.port}/0`)).rejects.toThrow(/needs a password/);
    const nobody = ping(`redis://127.0.0.1:${await freePort()}/0`, 'nobody');
    await expect(nobody).rejects.toThrow(OperationalError);
    await expect(nobody).rejects.toThrow(/cannot reach Redis at nobody: .*ECONNREFUSED/);
    await expect(connectOneShot('http://127.0.0.1/0', 'x')).rejects.toThrow(/not a Redis URL/);
  });
});
