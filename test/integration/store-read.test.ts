import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { loadConfig } from '../../src/config.js';
import { Farm } from '../../src/farm/farm.js';

let redis: PrivateRedis;
let farm: Farm;

beforeAll(async () => {
  redis = await startRedis();
  farm = await Farm.open({ ...loadConfig({}), redisUrl: redis.url, prefix: 'rd' });
  await farm.create({ name: 'r1', role: 'reader', token: 'reader-token', secret: 'reader-secret' });
  await farm.create({ name: 'w1', role: 'writer', reader: 'r1', template: 'Жизнь без {noun:gent,plur}.', token: 'tok', secret: 'sec' });
});
afterAll(async () => {
  await farm?.close();
  await redis?.stop();
});

describe('reading bots back', () => {
  it('all() returns whole bots: what a tick needs to post', async () => {
    const [r1, w1] = await farm.store.all();
    expect(r1).toMatchObject({ name: 'r1', role: 'reader', token: 'reader-token', secret: 'reader-secret' });
    expect(w1).toMatchObject({ name: 'w1', source: 'r1', settings: { template: 'Жизнь без {noun:gent,plur}.', perTick: 1, grab: 3 }, token: 'tok', secret: 'sec' });
  });

  it('overview() brings only the summary fields with the counters, and pauses when asked', async () => {
    const key = farm.store.keys.bot('w1');
    await farm.redis.hset(key, 'n_posted', '4', 'rl:post', '1795000000000', 'last_error', 'boom', 'username', 'w1_account');
    try {
      const bots = await farm.store.overview();
      expect(bots.map((b) => b.name)).toEqual(['r1', 'w1']);
      for (const b of bots as unknown as Array<Record<string, unknown>>) {
        for (const hidden of ['token', 'secret', 'template', 'username', 'pauses']) expect(b[hidden], hidden).toBeUndefined();
      }
      expect(bots[1]).toMatchObject({ role: 'writer', source: 'r1', every: 3600, paused: false, lastError: 'boom', counters: { posted: 4, errors: 0 } });
      expect(bots[0]!.backlog).toEqual(0);
      expect(bots[1]!.backlog).toEqual(0);
      const [, withPauses] = await farm.store.overview(undefined, { pauses: true });
      expect(withPauses!.pauses).toEqual({ post: 1795000000000 });
    } finally {
      await farm.redis.hdel(key, 'n_posted', 'rl:post', 'last_error', 'username');
    }
  });

  it('overview() reads each summary field as all() does', async () => {
    const key = farm.store.keys.bot('w1');
    const before = await farm.redis.hgetall(key);
    const state = { paused: '1', failing: '1', every_s: '90', next_due_at: '1795000000123', last_tick_at: '1794999999000', last_error: 'token revoked' };
    await farm.redis.hset(key, { ...state, n_ticks: '7', n_errors: '2', n_skipped: '3', 'rl:GET /2/users/me': '1795000001000' });
    try {
      const [whole] = await farm.store.all(['w1']);
      const [summary] = await farm.store.overview(['w1'], { pauses: true });
      const { backlog, ...shown } = summary!;
      expect(backlog).toEqual(0);
      const picked = Object.fromEntries(Object.keys(shown).map((k) => [k, (whole as unknown as Record<string, unknown>)[k]]));
      expect(shown).toEqual(picked);
      expect(shown).toMatchObject({ paused: true, failing: true, every: 90, lastTickAt: 1794999999000, lastError: 'token revoked' });
      expect(shown.counters).toEqual({ ticks: 7, posted: 0, fetched: 0, errors: 2, rate_limited: 0, skipped: 3, duplicates: 0 });
    } finally {
      await farm.redis.multi().del(key).hset(key, before).exec();
    }
  });

  it('overview() counts each reader\'s cache and each writer\'s unprocessed tweets, also for a named few', async () => {
    await farm.create({ name: 'r2', role: 'reader' });
    await farm.create({ name: 'w2', role: 'writer', reader: 'r2', template: '%s' });
    await farm.create({ name: 'w3', role: 'writer', reader: 'r2', template: '%s' });
    const timeline = farm.store.keys.timeline('r2');
    try {
      for (let i = 1; i <= 4; i++) await farm.redis.xadd(timeline, '*', 'id', String(i), 'author', 'a', 'text', `t${i}`);
      // w2 takes two and holds them pending: still unprocessed. w3 has taken nothing.
      await farm.redis.xreadgroup('GROUP', 'w2', 'w2', 'COUNT', 2, 'STREAMS', timeline, '>');
      const byName = Object.fromEntries((await farm.store.overview()).map((b) => [b.name, b.backlog]));
      expect(byName).toMatchObject({ r2: 4, w2: 4, w3: 4 });
      const entries = (await farm.redis.xrange(timeline, '-', '+')).map(([id]) => id);
      await farm.redis.xack(timeline, 'w2', entries[0]!, entries[1]!);
      const named = await farm.store.overview(['w3', 'w2', 'r2']);
      expect(named.map((b) => [b.name, b.backlog])).toEqual([
        ['r2', 4],
        ['w2', 2],
        ['w3', 4],
      ]);
    } finally {
      for (const name of ['w3', 'w2', 'r2']) await farm.destroy(name);
    }
  });

  it('reads backlogs for bots whose names are also object properties', async () => {
    await farm.create({ name: 'constructor', role: 'reader' });
    await farm.create({ name: '__proto__', role: 'writer', reader: 'constructor', template: '%s' });
    try {
      const bots = await farm.store.overview(['constructor', '__proto__']);
      expect(bots.map((b) => [b.name, b.backlog])).toEqual([
        ['__proto__', 0],
        ['constructor', 0],
      ]);
    } finally {
      await farm.destroy('__proto__');
      await farm.destroy('constructor');
    }
  });

  it('detail() gives one whole bot with its backlog, and null for an unknown name', async () => {
    const found = await farm.store.detail('w1');
    expect(found?.bot).toMatchObject({ settings: { template: 'Жизнь без {noun:gent,plur}.' }, token: 'tok' });
    expect(found?.backlog).toBe(0);
    expect(await farm.store.detail('nope')).toBeNull();
  });
});
