import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { commandsRun } from '../helpers/monitor.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { DueIndex } from '../../src/store/due.js';
import { Keys } from '../../src/store/keys.js';
import { EndBatch } from '../../src/store/tick-steps.js';
import { Timeline, type TimelineEntry } from '../../src/store/timeline.js';

/**
 * What many bots of a tick send to one key in one turn of the event loop leaves as one command, and each
 * bot still gets its own answer: the writers' takes of one source (take-many.lua: its pending entries
 * first, then new ones; a group that is gone made again unless the take must keep it gone; an entry
 * trimmed after delivery acknowledged and skipped), and the end steps' acknowledgements (one script per
 * stream) and due times (one ZADD). A group whose acknowledgement fails fails its own bot only.
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

    let settled: Array<PromiseSettledResult<TimelineEntry[]>> = [];
    const commands = await commandsRun(redis.url, async () => {
      settled = await Promise.allSettled([
        timeline.take('r', 'a', 3),
        timeline.take('r', 'b', 2),
        timeline.take('r', 'c', 1),
        timeline.take('r', 'gone', 2, { keep: true }),
        timeline.take('r', 'new', 1),
      ]);
    });
    expect(commands.filter((c) => ['eval', 'evalsha'].includes(c[0]!.toLowerCase()))).toHaveLength(1);
    const [a, b, c, gone, made] = settled as [PromiseSettledResult<TimelineEntry[]>, PromiseSettledResult<TimelineEntry[]>, PromiseSettledResult<TimelineEntry[]>, PromiseSettledResult<TimelineEntry[]>, PromiseSettledResult<TimelineEntry[]>];

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

describe('the end steps of one turn', () => {
  it('acknowledge every group of a stream in one script and index every bot in one ZADD', async () => {
    const keys = new Keys('eb1');
    const stream = keys.timeline('r');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await client.xadd(stream, '*', 'text', `t${i}`))!);
    const groups = ['w0', 'w1', 'w2'];
    for (const g of groups) {
      await client.xgroup('CREATE', stream, g, '0');
      await client.xreadgroup('GROUP', g, g, 'COUNT', 10, 'STREAMS', stream, '>');
    }
    const batch = new EndBatch(client, new DueIndex(client, keys));

    const commands = await commandsRun(redis.url, () => Promise.all([...groups.map((g, i) => batch.ack(stream, g, ids.slice(0, i + 1))), ...groups.map((g, i) => batch.due(g, 1000 + i))]));
    const names = commands.map((c) => c[0]!.toLowerCase());
    expect(names.filter((n) => n === 'xack')).toHaveLength(3); // inside the script
    expect(names.filter((n) => n === 'eval' || n === 'evalsha')).toHaveLength(1);
    expect(names.filter((n) => n === 'zadd')).toHaveLength(1);
    for (const [i, g] of groups.entries()) expect(((await client.xpending(stream, g)) as [number])[0]).toBe(2 - i);
    expect(await client.zrange(keys.due(), '0', '-1', 'WITHSCORES')).toEqual(['w0', '1000', 'w1', '1001', 'w2', '1002']);
  });

  it("answer a group's failed acknowledgement to its own bot only", async () => {
    const keys = new Keys('eb2');
    const stream = keys.timeline('r');
    const id = await client.xadd(stream, '*', 'text', 't');
    for (const g of ['a', 'b']) {
      await client.xgroup('CREATE', stream, g, '0');
      await client.xreadgroup('GROUP', g, g, 'COUNT', 10, 'STREAMS', stream, '>');
    }
    const batch = new EndBatch(client, new DueIndex(client, keys));
    const [a, bad, b] = await Promise.allSettled([batch.ack(stream, 'a', [id!]), batch.ack(stream, 'a', ['not-an-id']), batch.ack(stream, 'b', [id!])]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    expect(String((bad as PromiseRejectedResult).reason)).toMatch(/Invalid stream ID/i);
    expect(((await client.xpending(stream, 'b')) as [number])[0]).toBe(0);
  });
});
