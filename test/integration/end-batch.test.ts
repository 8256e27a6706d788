import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { DueIndex } from '../../src/store/due.js';
import { Keys } from '../../src/store/keys.js';
import { EndBatch } from '../../src/store/tick-steps.js';

/**
 * The end steps of one turn send their acknowledgements and due times together: one script per stream for
 * every group's XACK, one ZADD for the due index. A group whose acknowledgement fails fails its own bot only.
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

/** Every command Redis ran during `fn`, as its words. */
async function watched(fn: () => Promise<unknown>): Promise<string[][]> {
  const monitor = await redis.client().monitor();
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[]) => seen.push(args.map(String)));
  await new Promise((r) => setTimeout(r, 50));
  await fn();
  await new Promise((r) => setTimeout(r, 50));
  monitor.disconnect();
  return seen;
}

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

    const commands = await watched(() => Promise.all([...groups.map((g, i) => batch.ack(stream, g, ids.slice(0, i + 1))), ...groups.map((g, i) => batch.due(g, 1000 + i))]));
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
