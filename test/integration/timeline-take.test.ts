import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { Keys } from '../../src/store/keys.js';
import { Timeline } from '../../src/store/timeline.js';

/**
 * Writers' takes made in one turn leave as one command (take-many.lua) and each writer still gets what
 * its own take would: its pending entries first, then new ones; a group that is gone is made again, unless
 * the take must keep it gone; an entry trimmed after it was delivered is acknowledged and skipped.
 */
let redis: PrivateRedis;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
});
afterAll(async () => {
  await redis?.stop();
});

const calls = async (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(await client.info('commandstats'))?.[1] ?? 0);

describe("writers' takes of one turn", () => {
  it('go as one command, each answered as if alone', async () => {
    const keys = new Keys('tt1');
    const stream = keys.timeline('r');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await client.xadd(stream, '*', 'id', String(i), 'text', `t${i}`))!);
    for (const g of ['a', 'b', 'c']) await client.xgroup('CREATE', stream, g, '0');
    // `a` was given two entries before and never acknowledged them; `b` acknowledged its first three.
    await client.xreadgroup('GROUP', 'a', 'a', 'COUNT', 2, 'STREAMS', stream, '>');
    await client.xreadgroup('GROUP', 'b', 'b', 'COUNT', 3, 'STREAMS', stream, '>');
    await client.xack(stream, 'b', ...ids.slice(0, 3));
    const timeline = new Timeline(client, keys);

    const before = (await calls('evalsha')) + (await calls('eval'));
    const [a, b, c, gone, made] = await Promise.allSettled([
      timeline.take('r', 'a', 3),
      timeline.take('r', 'b', 2),
      timeline.take('r', 'c', 1),
      timeline.take('r', 'gone', 2, { keep: true }),
      timeline.take('r', 'new', 1),
    ]);
    expect((await calls('evalsha')) + (await calls('eval')) - before).toBe(1);

    const entries = (r: PromiseSettledResult<Array<{ entry: string; text: string }>>) => (r.status === 'fulfilled' ? r.value.map((e) => e.entry) : r.reason);
    expect(entries(a)).toEqual(ids.slice(0, 3)); // its two pending, then one new
    expect(entries(b)).toEqual(ids.slice(3, 5));
    expect(entries(c)).toEqual(ids.slice(0, 1));
    expect(gone.status).toBe('rejected');
    expect(String((gone as PromiseRejectedResult).reason)).toMatch(/NOGROUP/);
    expect(entries(made)).toEqual(ids.slice(0, 1)); // made again, from the oldest entry
    expect((a as PromiseFulfilledResult<Array<{ text: string }>>).value.map((e) => e.text)).toEqual(['t0', 't1', 't2']);
    // The same entry is one object, whoever took it.
    expect((a as PromiseFulfilledResult<object[]>).value[0]).toBe((c as PromiseFulfilledResult<object[]>).value[0]);
  });

  it('skip and acknowledge an entry trimmed away after it was delivered', async () => {
    const keys = new Keys('tt2');
    const stream = keys.timeline('r');
    const first = (await client.xadd(stream, '*', 'text', 'old'))!;
    await client.xgroup('CREATE', stream, 'w', '0');
    await client.xreadgroup('GROUP', 'w', 'w', 'COUNT', 1, 'STREAMS', stream, '>');
    await client.xdel(stream, first);
    const next = (await client.xadd(stream, '*', 'text', 'new'))!;
    const got = await new Timeline(client, keys).take('r', 'w', 2);
    expect(got.map((e) => e.entry)).toEqual([next]);
    expect(((await client.xpending(stream, 'w')) as [number])[0]).toBe(1);
  });
});
