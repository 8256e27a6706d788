import { describe, expect, it } from 'vitest';
import { ReplyError } from 'ioredis';
import { farmWorld } from '../helpers/farm-world.js';
import { tfctl } from '../helpers/cli.js';
import type { Farm } from '../../src/farm/farm.js';
import { runTick } from '../../src/farm/tick.js';
import { Timeline } from '../../src/store/timeline.js';

/**
 * Ticks against the sandbox and a private Redis, each test with a farm of its own:
 * - no feedback loops: a source never caches a tweet of one of the farm's own accounts, whether that
 *   account's bot runs in the same tick (the tick read it already) or not (the tick reads its account);
 * - a crash between a post and its bookkeeping changes nothing the writer does with the tweet: the next
 *   tick finds the post on the account, records it, and marks the tweet processed, as the crashed tick would
 *   have done; it makes no second post of the tweet's other nouns; and that post was the due time's one:
 *   the writer posts nothing more before its next due time;
 * - Redis failing inside a writer's tick (a connection closed, a redirect) backs it off for minutes.
 */
const world = farmWorld();

/**
 * A farm under `prefix`: a reader whose account follows an author of `tweets`, and a writer ('w', one
 * per tick, one tweet a batch, template `{Noun:nomn}!`) on an account of its own, `<prefix>_w`; the reader
 * has ticked. `env` runs the CLI on it.
 */
async function writerFarm(prefix: string, tweets: string[], writer: Record<string, string> = {}) {
  const owner = await world.sb.account(`${prefix}_owner`);
  const w = await world.sb.account(`${prefix}_w`);
  await world.sb.account(`${prefix}_author`);
  await world.sb.follow(`${prefix}_owner`, `${prefix}_author`);
  for (const text of tweets) await world.sb.tweet(`${prefix}_author`, text);
  const farm = await world.open(world.config(prefix, { lockTtlMs: 2000 }));
  await farm.create({ name: 'r', role: 'reader', token: owner.token, secret: owner.secret });
  await farm.create({ name: 'w', role: 'writer', reader: 'r', template: '{Noun:nomn}!', grab: '1', perTick: '1', ...writer, token: w.token, secret: w.secret } as Parameters<Farm['create']>[0]);
  expect((await runTick(farm, { names: ['r'], force: true })).summary.fetched).toBe(tweets.length);
  return { farm, env: { REDIS_URL: world.redis.url, TFCTL_PREFIX: prefix, ...world.sb.cliEnv, TFCTL_LOCK_TTL_MS: '2000' } };
}

describe("the farm's own tweets", () => {
  it("are skipped by a reader, from bots due in the same tick and from bots that are not", async () => {
    const accounts = await world.sb.seedHome('due_writer', 'idle_writer');
    for (const name of ['due_writer', 'idle_writer']) {
      await world.sb.follow('owner', name);
      await world.sb.tweet(name, `Пишет ${name}`);
    }
    const farm = await world.open(world.config('own'));
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

describe('a tweet whose post recovery found', () => {
  it('gives no second post, and is marked processed', async () => {
    // One tweet of two nouns: two texts the writer could make.
    const { farm, env } = await writerFarm('rtw', ['Кошка спит на диване.']);

    // Killed once X answered, before the bookkeeping: the post is on X, the farm has only its intent.
    const crashed = await tfctl(['tick', '--force', 'w'], { ...env, TFCTL_FAILPOINT: 'after-post' });
    expect(crashed.code).not.toBe(0);
    expect(await world.sb.tweets('rtw_w')).toHaveLength(1);
    await world.client.del('rtw:lock:{w}');

    const next = await runTick(farm, { names: ['w'], force: true });
    expect(next.bots[0]).toMatchObject({ status: 'ok' });
    expect((await world.sb.tweets('rtw_w')).map((t) => t.text)).toHaveLength(1);
    expect(((await world.client.xpending('rtw:{r}:timeline', 'w')) as [number])[0]).toBe(0);
    expect(await world.client.hlen('rtw:{w}:intents')).toBe(0);
    expect(await world.client.hget('rtw:bot:{w}', 'n_posted')).toBe('1');
  }, 30_000);
});

describe('a post recovery found', () => {
  it("was the due tick's post: the writer posts nothing more until its next due time", async () => {
    const { farm, env } = await writerFarm('due', ['Вот это кошка!', 'Вот это книга!'], { every: '24h' });

    // Killed once X answered, before the end step: the writer is still due, its post is on X.
    const crashed = await tfctl(['tick', 'w'], { ...env, TFCTL_FAILPOINT: 'after-post' });
    expect(crashed.code).not.toBe(0);
    await world.client.del('due:lock:{w}');

    // Cron's next tick: recovery finds the post, and that post was this due time's one.
    const next = await runTick(farm, {});
    expect(next.bots.find((b) => b.name === 'w')).toMatchObject({ status: 'ok' });
    expect(next.bots.find((b) => b.name === 'w')?.posts).toHaveLength(1);
    expect(await world.sb.tweets('due_w')).toHaveLength(1);
    const nextDue = Number(await world.client.hget('due:bot:{w}', 'next_due_at'));
    expect(nextDue - Date.now()).toBeGreaterThan(23 * 3600_000);
    // The other tweet waits for that time: not marked processed unposted.
    const group = ((await world.client.xinfo('GROUPS', 'due:{r}:timeline')) as unknown[][]).map((g) => Object.fromEntries(chunk(g)));
    expect(group.find((g) => g.name === 'w')).toMatchObject({ lag: 1 });
    expect((await runTick(farm, {})).bots.find((b) => b.name === 'w')).toBeUndefined();
    expect(await world.sb.tweets('due_w')).toHaveLength(1);
  }, 30_000);
});

/** [k, v, k, v] as [[k, v], …]. */
function chunk(flat: unknown[]): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (let i = 0; i < flat.length; i += 2) out.push([String(flat[i]), flat[i + 1]]);
  return out;
}

describe("Redis trouble inside a writer's tick", () => {
  // What ioredis rejects with while a cluster fails over: the connection to a dead master, a redirect to it.
  const troubles: Array<[string, () => Error]> = [
    ['Connection is closed.', () => new Error('Connection is closed.')],
    ['MOVED 4241 127.0.0.1:33365', () => new ReplyError('MOVED 4241 127.0.0.1:33365') as Error],
  ];
  it.each(troubles)('%s: is transient, the writer is back within minutes, not after its every', async (message, error) => {
    const tag = `rt${troubles.findIndex(([m]) => m === message)}`;
    const { farm } = await writerFarm(tag, ['Вот это кошка!'], { every: '24h' });

    const failed = await runTick(farm, {
      names: ['w'],
      hook: (point) => {
        if (point === 'before-post') throw error();
      },
    });
    expect(failed.bots[0]).toMatchObject({ status: 'failed', detail: `Redis: ${message}` });
    expect(await world.client.hget(`${tag}:bot:{w}`, 'retries')).toBe('1');
    const due = Number(await world.client.hget(`${tag}:bot:{w}`, 'next_due_at'));
    expect(due - Date.now()).toBeLessThanOrEqual(60_000);
    expect(await world.sb.tweets(`${tag}_w`)).toHaveLength(0);
  });
});
