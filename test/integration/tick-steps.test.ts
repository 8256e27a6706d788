import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { startRoundTripProxy, type RoundTripProxy } from '../../src/bench/round-trips.js';
import { loadConfig } from '../../src/config.js';
import { Farm } from '../../src/farm/farm.js';
import { runTick } from '../../src/farm/tick.js';
import { Timeline } from '../../src/store/timeline.js';
import { Keys } from '../../src/store/keys.js';
import { createXClient, destroyAgents } from '../../src/x/client.js';
import { Publisher, SEND_WINDOW_MS } from '../../src/bots/publish.js';
import { Posts, textHash, type Intent } from '../../src/store/posts.js';
import type { TickEnv } from '../../src/bots/types.js';
import { compose } from '../../src/bots/writer/tick.js';
import { inThread } from '../../src/text/engine.js';

/**
 * A bot's tick in few round trips (store/tick-steps.ts), counted on the wire by a proxy in front of a real
 * Redis: a writer's tick is three (begin with its take, the choice with its intents, end with its
 * acknowledgement), so the figure cannot grow back unnoticed.
 */
let redis: PrivateRedis;
let client: Redis;
let sb: TestSandbox;
let proxy: RoundTripProxy;
let farm: Farm;
let n = 0;
let prefix = '';

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  sb = await startTestSandbox({ tier: 'pro' });
  proxy = await startRoundTripProxy(redis.url, { keep: true });
});
afterAll(async () => {
  await farm?.close();
  destroyAgents();
  await proxy?.close();
  await sb?.close();
  await redis?.stop();
});

beforeEach(async () => {
  n++;
  prefix = `rt${n}`;
  const owner = await sb.account(`rt${n}_owner`);
  await sb.account(`rt${n}_author`);
  await sb.follow(`rt${n}_owner`, `rt${n}_author`);
  for (const noun of ['кошка', 'книга', 'лампа']) await sb.tweet(`rt${n}_author`, `Вот это ${noun}!`);
  await farm?.close();
  farm = await Farm.open({ ...loadConfig({}), redisUrl: proxy.url, prefix, xApi: sb.url, consumerKey: sb.app.consumer_key, consumerSecret: sb.app.consumer_secret });
  await farm.create({ name: 'r', role: 'reader', token: owner.token, secret: owner.secret });
  for (const name of ['w', 'h']) {
    const a = await sb.account(`rt${n}_${name}`);
    const tags = name === 'h' ? { hashtags: '#котики:1 #пятница' } : {};
    await farm.create({ name, role: 'writer', reader: 'r', template: 'Жизнь без {noun:gent,plur} не та.', grab: '3', perTick: '1', ...tags, token: a.token, secret: a.secret } as Parameters<Farm['create']>[0]);
  }
  expect((await runTick(farm, { names: ['r'], force: true })).summary.fetched).toBe(3);
});

const pending = async (writer: string) => ((await client.xpending(`${prefix}:{r}:timeline`, writer)) as [number])[0];

describe("a writer's round trips", () => {
  it('a tick that posts is three round trips: begin, choose, end', async () => {
    proxy.reset();
    const report = await runTick(farm, { names: ['w'], force: true });
    expect(report.bots[0]).toMatchObject({ name: 'w', status: 'ok' });
    expect(report.summary.posted).toBe(1);
    expect(proxy.span(`${prefix}:lock:{w}`)).toBe(3);
    expect(await client.hlen(`${prefix}:{w}:intents`)).toBe(0);
    expect(await client.scard(`${prefix}:{w}:posted`)).toBe(1);
    expect(await client.exists(`${prefix}:lock:{w}`)).toBe(0);
  });

  it('with hashtags too: their uses are read with the lock', async () => {
    proxy.reset();
    const report = await runTick(farm, { names: ['h'], force: true });
    expect(report.summary.posted).toBe(1);
    expect(report.bots[0]!.posts![0]!.text).toBe('Жизнь без кошек не та. #котики #пятница');
    expect(proxy.span(`${prefix}:lock:{h}`)).toBe(3);
    expect(await client.hgetall(`${prefix}:{h}:hashtags`)).toEqual({ '#котики': '1', '#пятница': '1', ':turn': '1' });
    // The quota of #котики is spent: the next post goes without it.
    await client.xgroup('SETID', `${prefix}:{r}:timeline`, 'h', '0');
    const next = await runTick(farm, { names: ['h'], force: true });
    expect(next.bots[0]!.posts![0]!.text).toBe('Жизнь без книг не та. #пятница');
  });

  it('an idle tick is two: begin and end', async () => {
    await runTick(farm, { names: ['w'], force: true });
    proxy.reset();
    const report = await runTick(farm, { names: ['w'], force: true });
    expect(report.bots[0]).toMatchObject({ status: 'idle', detail: 'no unprocessed tweets' });
    expect(proxy.span(`${prefix}:lock:{w}`)).toBe(2);
  });
});

describe('the take that leaves with the lock', () => {
  it('when the lock is lost, what it took stays pending and comes first next time: nothing is skipped', async () => {
    await client.set(`${prefix}:lock:{w}`, 'another run', 'PX', 60_000);
    const busy = await runTick(farm, { names: ['w'], force: true });
    expect(busy.bots[0]).toMatchObject({ status: 'skipped', detail: 'busy: another run holds its lock' });
    expect(await pending('w')).toBe(3); // taken without the lock
    expect(await client.get(`${prefix}:lock:{w}`)).toBe('another run'); // not ours to release
    await client.del(`${prefix}:lock:{w}`);
    const report = await runTick(farm, { names: ['w'], force: true });
    expect(report.bots[0]!.posts!.map((p) => p.text)).toEqual(['Жизнь без кошек не та.']);
    expect(await pending('w')).toBe(0);
  });

  it('does not recreate a group its writer left; a take after the lock does', async () => {
    const timeline = new Timeline(client, new Keys(prefix));
    await client.xgroup('DESTROY', `${prefix}:{r}:timeline`, 'w');
    await expect(timeline.take('r', 'w', 3, { keep: true })).rejects.toThrow(/NOGROUP/);
    const groups = (await client.xinfo('GROUPS', `${prefix}:{r}:timeline`)) as unknown[][];
    expect(groups.map((g) => g[1])).toEqual(['h']);
    // The tick's own take (after the lock) starts the group again from the oldest entry, as before.
    const report = await runTick(farm, { names: ['w'], force: true });
    expect(report.summary.posted).toBe(1);
  });
});

describe("the reader's trim", () => {
  it('drops what every group processed, in one round trip however many groups', async () => {
    const key = `${prefix}:{r}:timeline`;
    const timeline = new Timeline(client, new Keys(prefix));
    const ids = (await client.xrange(key, '-', '+')).map(([id]) => id);
    // w processed all three, h holds the second pending: entries from the second on stay.
    await timeline.take('r', 'w', 3);
    await client.xack(key, 'w', ...ids);
    await timeline.take('r', 'h', 2);
    await client.xack(key, 'h', ids[0]!);
    proxy.reset();
    await new Timeline(farm.redis, farm.store.keys).trim('r', 5000);
    expect(proxy.bursts).toBe(1);
    expect((await client.xrange(key, '-', '+')).map(([id]) => id)).toEqual(ids.slice(1));
    // h acknowledges: everything both were given goes; nothing was delivered past it.
    await client.xack(key, 'h', ids[1]!);
    await timeline.trim('r', 5000);
    expect((await client.xrange(key, '-', '+')).map(([id]) => id)).toEqual(ids.slice(2));
    await client.xack(key, 'h', ids[2]!);
    await client.xack(key, 'w', ids[2]!);
    await timeline.trim('r', 5000);
    expect(await client.xlen(key)).toBe(1); // h was never given the third: it stays for h
    await timeline.take('r', 'h', 1);
    await client.xack(key, 'h', ids[2]!);
    await timeline.trim('r', 5000);
    expect(await client.xlen(key)).toBe(0);
  });
});

describe('an intent written ahead of its POST', () => {
  /** A publisher on the farm's Redis and the sandbox, with a clock the test moves. */
  async function setUp(name: string) {
    let clock = 1_000_000;
    const seen: Intent[] = [];
    const posts = new Posts(client, new Keys(prefix));
    const bot = (await farm.store.get(name))!;
    const account = await sb.account(`rt${n}_${name}`);
    const x = createXClient({ apiBase: sb.url, appKey: sb.app.consumer_key, appSecret: sb.app.consumer_secret, accessToken: account.token, accessSecret: account.secret });
    const env = {
      posts,
      now: () => clock,
      inFlightMs: 10_000,
      // What Redis holds when the POST leaves.
      hook: async (point: string) => {
        if (point === 'before-post') seen.push(...(await posts.intents(name)));
      },
    } as unknown as TickEnv;
    const publisher = new Publisher(bot, env, x, {});
    const text = `Текст номер ${n}.`;
    const intent = publisher.ahead({ kind: 'post', text, hash: textHash(text), source: '1', entry: '1-0', noun: 'текст', at: clock });
    expect(await posts.choose(name, 1, [{ intent }])).toEqual({ chosen: [0], rest: [] });
    return { publisher, intent, seen, later: (ms: number) => (clock += ms) };
  }

  it('leaves as written within its send window', async () => {
    const { publisher, intent, seen, later } = await setUp('w');
    later(SEND_WINDOW_MS);
    expect(await publisher.publish(intent, true)).toMatchObject({ settled: 'posted' });
    expect(seen).toEqual([intent]);
  });

  it('is written again, with the time it leaves, when its window has passed: recovery must wait from then', async () => {
    const { publisher, intent, seen, later } = await setUp('h');
    later(SEND_WINDOW_MS + 1);
    expect(await publisher.publish(intent, true)).toMatchObject({ settled: 'posted' });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.sentAt).toBe(intent.sentAt! + SEND_WINDOW_MS + 1);
    expect(seen[0]!.window).toBeUndefined();
    expect(seen[0]!.attempt).toBe(1); // the same first attempt: it was never sent
  });
});

describe('the choice of texts, a slice at a time', () => {
  it('posts from the next slice when every text of the first was posted before, and nothing when all were', async () => {
    const nouns = ['кошка', 'книга', 'лампа', 'собака', 'машина', 'дорога', 'птица', 'берёза'];
    const owner = await sb.account(`${prefix}s_owner`);
    await sb.account(`${prefix}s_author`);
    await sb.follow(`${prefix}s_owner`, `${prefix}s_author`);
    for (const noun of nouns) await sb.tweet(`${prefix}s_author`, `Вот это ${noun}!`);
    const template = 'Жизнь без {noun:gent,plur} не та.';
    await farm.create({ name: 'rs', role: 'reader', token: owner.token, secret: owner.secret });
    for (const name of ['ws', 'wa']) {
      const a = await sb.account(`${prefix}s_${name}`);
      await farm.create({ name, role: 'writer', reader: 'rs', template, grab: String(nouns.length), perTick: '1', token: a.token, secret: a.secret } as Parameters<Farm['create']>[0]);
    }
    expect((await runTick(farm, { names: ['rs'], force: true })).summary.fetched).toBe(nouns.length);

    // The texts the writers would make, in the order they prefer them (one per tweet here: tweet order).
    const entries = await new Timeline(client, new Keys(prefix)).peek('rs', 'ws', nouns.length);
    const texts = (await compose({ memo: new Map() }, inThread(), 'rs', template, entries)).map((c) => c.text);
    expect(texts).toHaveLength(nouns.length);
    // ws posted the first six before (the first slice is per-tick 1 + 4 stand-ins = 5); wa posted them all.
    await client.sadd(`${prefix}:{ws}:posted`, ...texts.slice(0, 6).map(textHash));
    await client.sadd(`${prefix}:{wa}:posted`, ...texts.map(textHash));

    const report = await runTick(farm, { names: ['ws', 'wa'], force: true });
    const ws = report.bots.find((b) => b.name === 'ws')!;
    const wa = report.bots.find((b) => b.name === 'wa')!;
    expect(ws.posts?.map((p) => p.text)).toEqual([texts[6]]);
    expect(wa.status).toBe('idle');
    expect(wa.posts).toBeUndefined();
    expect((await sb.tweets(`${prefix}s_wa`)).length).toBe(0);
  });
});
