import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { loadConfig } from '../../src/config.js';
import { Farm } from '../../src/farm/farm.js';
import { runTick } from '../../src/farm/tick.js';
import { Timeline } from '../../src/store/timeline.js';
import { destroyAgents } from '../../src/x/client.js';

/**
 * No feedback loops: a source never caches a tweet of one of the farm's own accounts, whether that account's
 * bot runs in the same tick (the tick read it already) or not (the tick reads its account for this).
 */
let redis: PrivateRedis;
let sb: TestSandbox;
let farm: Farm;

beforeAll(async () => {
  redis = await startRedis();
  sb = await startTestSandbox({ tier: 'pro' });
});
afterAll(async () => {
  await farm?.close();
  destroyAgents();
  await sb?.close();
  await redis?.stop();
});

describe("the farm's own tweets", () => {
  it("are skipped by a reader, from bots due in the same tick and from bots that are not", async () => {
    const accounts = await sb.seedHome('due_writer', 'idle_writer');
    for (const name of ['due_writer', 'idle_writer']) {
      await sb.follow('owner', name);
      await sb.tweet(name, `Пишет ${name}`);
    }
    farm = await Farm.open({ ...loadConfig({}), redisUrl: redis.url, prefix: 'own', xApi: sb.url, consumerKey: sb.app.consumer_key, consumerSecret: sb.app.consumer_secret });
    const creds = (name: string) => ({ token: accounts.get(name)!.token, secret: accounts.get(name)!.secret });
    await farm.create({ name: 'r', role: 'reader', ...creds('owner') });
    await farm.create({ name: 'd', role: 'writer', reader: 'r', template: '%s', ...creds('due_writer') } as Parameters<Farm['create']>[0]);
    await farm.create({ name: 'i', role: 'writer', reader: 'r', template: '%s', ...creds('idle_writer') } as Parameters<Farm['create']>[0]);

    const report = await runTick(farm, { names: ['r', 'd'], force: true });
    const reader = report.bots.find((b) => b.name === 'r')!;
    expect(reader.detail).toMatch(/, skipped 2$/);
    const cached = await new Timeline(farm.redis, farm.store.keys).peek('r', 'i', 100);
    expect(cached.length).toBeGreaterThan(0);
    expect(cached.map((e) => e.author)).toEqual(cached.map(() => 'author'));
  });
});
