import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';
import { tfctl } from '../helpers/cli.js';
import { FaultProxy, type FaultKind } from '../../src/chaos/proxy.js';
import { loadConfig } from '../../src/config.js';
import { Farm } from '../../src/farm/farm.js';
import { runTick } from '../../src/farm/tick.js';
import { destroyAgents } from '../../src/x/client.js';
import { SEND_WINDOW_MS } from '../../src/bots/publish.js';

/**
 * The publishing core against the sandbox through the fault proxy: what X has is read from the sandbox's
 * own record, what the farm sent from the proxy's log of POSTs.
 */
let redis: PrivateRedis;
let client: Redis;
let sb: TestSandbox;
let proxy: FaultProxy;
let farm: Farm;
let n = 0;
let prefix = '';
const X_TIMEOUT_MS = 1500; // short, so the in-flight window passes quickly; long enough for a loaded host
const accounts = new Map<string, Creds>();

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  sb = await startTestSandbox({ tier: 'pro' });
  proxy = await FaultProxy.start(sb.url);
});
afterAll(async () => {
  await farm?.close();
  destroyAgents();
  await proxy?.close();
  await sb?.close();
  await redis?.stop();
});

/** A fresh world per test: its own accounts, farm prefix and tweets (one noun each). */
beforeEach(async () => {
  n++;
  prefix = `pub${n}`;
  for (const role of ['owner', 'author', 'w']) accounts.set(role, await sb.account(`p${n}_${role}`));
  await sb.follow(`p${n}_owner`, `p${n}_author`);
  for (const noun of ['кошка', 'книга', 'лампа']) await sb.tweet(`p${n}_author`, `Вот это ${noun}!`);
  await farm?.close();
  farm = await Farm.open({ ...loadConfig({}), redisUrl: redis.url, prefix, xApi: proxy.url, consumerKey: sb.app.consumer_key, consumerSecret: sb.app.consumer_secret, xTimeoutMs: X_TIMEOUT_MS, lockTtlMs: 2000 });
  const tok = (role: string) => ({ token: accounts.get(role)!.token, secret: accounts.get(role)!.secret });
  await farm.create({ name: 'r', role: 'reader', ...tok('owner') });
  await farm.create({ name: 'w', role: 'writer', reader: 'r', template: 'Жизнь без {noun:gent,plur} не та.', grab: '3', perTick: '3', ...tok('w') });
  expect((await runTick(farm, { names: ['r'], force: true })).summary.fetched).toBe(3);
  proxy.tag = prefix;
});

const EXPECTED = ['Жизнь без кошек не та.', 'Жизнь без книг не та.', 'Жизнь без ламп не та.'];
const onX = async () => (await sb.tweets(`p${n}_w`)).map((t) => t.text).sort();
const sent = (text: string) => proxy.posts.filter((p) => p.tag === prefix && p.text === text && p.upstream !== 0).length;
const unprocessed = async () => ((await client.xpending(`${prefix}:{r}:timeline`, 'w')) as [number])[0];
const counters = async () => client.hmget(`${prefix}:bot:{w}`, 'n_posted', 'n_duplicates');
// A writer's intent is written ahead of its POST: recovery waits its send window longer (bots/publish.ts).
const pastInFlight = () => new Promise((r) => setTimeout(r, 2 * X_TIMEOUT_MS + SEND_WINDOW_MS + 100));

describe('an answer lost after X created the post', () => {
  for (const kind of ['post-5xx-after-create', 'post-truncated', 'post-empty-body', 'post-reset-after-create'] as FaultKind[]) {
    it(`${kind}: the next tick finds the post on the account and does not send it again`, async () => {
      proxy.arm({ kind, nth: 2 });
      const first = await runTick(farm, { names: ['w'], force: true });
      expect(first.bots[0]).toMatchObject({ status: 'failed' });
      expect(await sb.tweets(`p${n}_w`)).toHaveLength(2); // X has the second post, the farm did not hear of it
      await pastInFlight();
      for (let i = 0; i < 2; i++) await runTick(farm, { names: ['w'], force: true });
      expect(await onX()).toEqual([...EXPECTED].sort());
      for (const text of EXPECTED) expect(sent(text), text).toBe(1);
      expect(await counters()).toEqual(['3', null]); // found posted counts as posted, not as a duplicate
      expect(await unprocessed()).toBe(0);
      expect(await client.hlen(`${prefix}:{w}:intents`)).toBe(0);
    });
  }

  it('a duplicate-content 403 for a text with an open intent counts as posted', async () => {
    proxy.arm({ kind: 'post-5xx-after-create', nth: 1 });
    await runTick(farm, { names: ['w'], force: true });
    await pastInFlight();
    // X's read side lags: the account's timeline does not show the post yet, so it is posted again.
    proxy.arm({ kind: 'get-empty', nth: 1 });
    await runTick(farm, { names: ['w'], force: true });
    expect(await onX()).toEqual([...EXPECTED].sort());
    expect(await counters()).toEqual(['3', null]);
    expect(await unprocessed()).toBe(0);
    expect(await client.hlen(`${prefix}:{w}:intents`)).toBe(0);
  });

  it('an answer that may still come keeps the text back until its request has timed out', async () => {
    proxy.arm({ kind: 'post-reset-before', nth: 1 });
    await runTick(farm, { names: ['w'], force: true });
    // Within the in-flight window the text is neither posted again nor given up, and its tweet stays unprocessed.
    await runTick(farm, { names: ['w'], force: true });
    expect(sent(EXPECTED[0]!)).toBe(0);
    expect(await unprocessed()).toBeGreaterThan(0);
    await pastInFlight();
    await runTick(farm, { names: ['w'], force: true });
    expect(await onX()).toEqual([...EXPECTED].sort());
    expect(sent(EXPECTED[0]!)).toBe(1);
    expect(await unprocessed()).toBe(0);
  });
});

describe('a crash in the middle of a batch', () => {
  it('kill -9 after the first of three posts: the next ticks post the other two, each tweet once', async () => {
    const env = { REDIS_URL: redis.url, TFCTL_PREFIX: prefix, TFCTL_X_API: proxy.url, TFCTL_CONSUMER_KEY: sb.app.consumer_key, TFCTL_CONSUMER_SECRET: sb.app.consumer_secret, TFCTL_X_TIMEOUT_MS: String(X_TIMEOUT_MS), TFCTL_LOCK_TTL_MS: '2000' };
    const crashed = await tfctl(['tick', '--force', 'w'], { ...env, TFCTL_FAILPOINT: 'after-post' });
    expect(crashed.code).not.toBe(0);
    expect(await sb.tweets(`p${n}_w`)).toHaveLength(1);
    await client.del(`${prefix}:lock:{w}`); // the dead run's lock would lapse by itself; no need to wait
    await pastInFlight();
    for (let i = 0; i < 2; i++) await runTick(farm, { names: ['w'], force: true });
    expect(await onX()).toEqual([...EXPECTED].sort());
    for (const text of EXPECTED) expect(sent(text), text).toBe(1);
    expect(await unprocessed()).toBe(0);
  }, 60_000);
});

describe('posts recovery settled', () => {
  it('found or sent again, count toward per-tick, and the fresh tweets they leave no room for wait for the next tick', async () => {
    const env = { REDIS_URL: redis.url, TFCTL_PREFIX: prefix, TFCTL_X_API: proxy.url, TFCTL_CONSUMER_KEY: sb.app.consumer_key, TFCTL_CONSUMER_SECRET: sb.app.consumer_secret, TFCTL_X_TIMEOUT_MS: String(X_TIMEOUT_MS), TFCTL_LOCK_TTL_MS: '2000' };
    // Killed after the first of three posts: the other two intents stay open, never sent.
    const crashed = await tfctl(['tick', '--force', 'w'], { ...env, TFCTL_FAILPOINT: 'after-post' });
    expect(crashed.code).not.toBe(0);
    await client.del(`${prefix}:lock:{w}`);
    // Two more tweets come in before the next tick.
    for (const noun of ['чашка', 'ложка']) await sb.tweet(`p${n}_author`, `Вот это ${noun}!`);
    expect((await runTick(farm, { names: ['r'], force: true })).summary.fetched).toBe(2);
    await pastInFlight();
    // Recovery finds one post and sends two again: the three per-tick are spent, the new tweets wait.
    const recovering = await runTick(farm, { names: ['w'], force: true });
    expect(recovering.bots[0]!.posts?.length).toBe(3);
    expect(await onX()).toEqual([...EXPECTED].sort());
    expect(await unprocessed()).toBe(0); // the recovered tweets are processed
    await runTick(farm, { names: ['w'], force: true });
    const all = [...EXPECTED, 'Жизнь без чашек не та.', 'Жизнь без ложек не та.'];
    expect(await onX()).toEqual([...all].sort());
    for (const text of all) expect(sent(text), text).toBe(1);
    expect(await unprocessed()).toBe(0);
  }, 60_000);
});

describe("one writer's trouble", () => {
  it('a 429 or a reset on one writer never ends the tick: every bot is reported, exit 0 or 1, no lock left', async () => {
    const tok = { token: accounts.get('w')!.token, secret: accounts.get('w')!.secret };
    for (let i = 0; i < 6; i++) await farm.create({ name: `x${i}`, role: 'writer', reader: 'r', template: `${i}: {noun:nomn}.`, grab: '3', perTick: '3', ...tok });
    const env = { REDIS_URL: redis.url, TFCTL_PREFIX: prefix, TFCTL_X_API: proxy.url, TFCTL_CONSUMER_KEY: sb.app.consumer_key, TFCTL_CONSUMER_SECRET: sb.app.consumer_secret };
    for (let round = 0; round < 2; round++) {
      proxy.arm({ kind: 'rate-429', nth: 1 + round });
      proxy.arm({ kind: 'post-reset-before', nth: 3 + round });
      // A fresh process each time: the first run of each script on its connection is what used to crash.
      const r = await tfctl(['tick', '--force', '--json'], env);
      expect([0, 1], r.stderr).toContain(r.code);
      expect(r.stderr).not.toMatch(/TypeError|not iterable/);
      expect(JSON.parse(r.stdout).bots).toHaveLength(8);
      expect(await client.keys(`${prefix}:lock:*`)).toEqual([]);
      proxy.disarm();
    }
  }, 90_000);
});
