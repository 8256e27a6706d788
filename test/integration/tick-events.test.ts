import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandsRun } from '../helpers/monitor.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { loadConfig } from '../../src/config.js';
import { Events } from '../../src/events/index.js';
import { Farm } from '../../src/farm/farm.js';
import { runTick } from '../../src/farm/tick.js';
import { destroyAgents } from '../../src/x/client.js';

/**
 * A tick's failing flags are read once for the run: a good tick of a bot that was not failing writes no
 * event step, and a flag left behind (its `recovered` lost to a Redis hiccup) is still cleared by the
 * bot's next good tick.
 */
let redis: PrivateRedis;
let farm: Farm;

beforeAll(async () => {
  redis = await startRedis();
  // The writer has tokens X never sees: with no tweets to use it is idle, a good tick with no X call.
  farm = await Farm.open({ ...loadConfig({ TFCTL_CONSUMER_KEY: 'ck', TFCTL_CONSUMER_SECRET: 'cs' }), redisUrl: redis.url, prefix: 'tev' });
  await farm.create({ name: 'r', role: 'reader' });
  await farm.create({ name: 'w', role: 'writer', reader: 'r', template: '%s', token: '1-tok', secret: 'sec' } as Parameters<Farm['create']>[0]);
});
afterAll(async () => {
  await farm?.close();
  destroyAgents();
  await redis?.stop();
});

describe('failing flags in a tick', () => {
  it('a flag left behind is cleared, with its recovered event, by the next good tick; then good ticks write none', async () => {
    const events = new Events(farm.redis, farm.store.keys);
    await farm.redis.hset(farm.store.keys.eventState(), 'failed:w', '1');

    const first = await runTick(farm, { names: ['w'], force: true });
    expect(first.bots.map((b) => `${b.name}:${b.status}`)).toEqual(['w:idle']);
    expect(await farm.redis.hget(farm.store.keys.eventState(), 'failed:w')).toBeNull();
    expect((await events.recent({ count: 10 })).map((e) => `${e.type}:${e.bot}`)).toEqual(['recovered:w']);

    const commands = await commandsRun(redis.url, () => runTick(farm, { names: ['w'], force: true }));
    const naming = commands.filter((c) => c.includes('failed:w')).map((c) => c[0]!.toLowerCase());
    // Read once with the run's other flags, never transitioned.
    expect(naming).toEqual(['hmget']);
    expect((await events.recent({ count: 10 })).map((e) => `${e.type}:${e.bot}`)).toEqual(['recovered:w']);
  });

  it('a failure still flags the bot, once however many ticks fail', async () => {
    const events = new Events(farm.redis, farm.store.keys);
    const before = (await events.recent({ count: 100 })).length;
    // The reader has no tokens: its tick fails at once, twice, and is flagged once.
    for (let i = 0; i < 2; i++) expect((await runTick(farm, { names: ['r'], force: true })).bots[0]!.status).toBe('failed');
    expect((await events.recent({ count: 100 })).slice(before).map((e) => `${e.type}:${e.bot}`)).toEqual(['failed:r']);
    expect(await farm.redis.hget(farm.store.keys.eventState(), 'failed:r')).not.toBeNull();
  });
});
