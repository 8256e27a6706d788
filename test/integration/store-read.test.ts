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
    expect(w1).toMatchObject({ name: 'w1', reader: 'r1', template: 'Жизнь без {noun:gent,plur}.', token: 'tok', secret: 'sec', perTick: 1, grab: 3 });
  });

  it('overview() brings only the summary fields, with counters, pauses and the backlogs', async () => {
    const key = farm.store.keys.bot('w1');
    await farm.redis.hset(key, 'n_posted', '4', 'rl:post', '1795000000000', 'last_error', 'boom', 'username', 'w1_account');
    const { bots, backlogs } = await farm.store.overview();
    expect(bots.map((b) => b.name)).toEqual(['r1', 'w1']);
    for (const b of bots as Array<Record<string, unknown>>) {
      for (const hidden of ['token', 'secret', 'template', 'username']) expect(b[hidden], hidden).toBeUndefined();
    }
    expect(bots[1]).toMatchObject({ role: 'writer', reader: 'r1', every: 3600, paused: false, lastError: 'boom', counters: { posted: 4 }, pauses: { post: 1795000000000 } });
    expect(backlogs.get('r1')).toEqual({ cached: 0 });
    expect(backlogs.get('w1')).toEqual({ unprocessed: 0 });
    await farm.redis.hdel(key, 'n_posted', 'rl:post', 'last_error', 'username');
  });

  it('reads backlogs for bots whose names are also object properties', async () => {
    await farm.create({ name: 'constructor', role: 'reader' });
    await farm.create({ name: '__proto__', role: 'writer', reader: 'constructor', template: '%s' });
    try {
      const { backlogs } = await farm.store.overview();
      expect(backlogs.get('constructor')).toEqual({ cached: 0 });
      expect(backlogs.get('__proto__')).toEqual({ unprocessed: 0 });
    } finally {
      await farm.destroy('__proto__');
      await farm.destroy('constructor');
    }
  });

  it('detail() gives one whole bot with its backlog, and null for an unknown name', async () => {
    const found = await farm.store.detail('w1');
    expect(found?.bot).toMatchObject({ template: 'Жизнь без {noun:gent,plur}.', token: 'tok' });
    expect(found?.backlog).toEqual({ unprocessed: 0 });
    expect(await farm.store.detail('nope')).toBeNull();
  });
});
