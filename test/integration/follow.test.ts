import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { bufferIo } from '../helpers/io.js';
import { runCli } from '../helpers/inproc.js';
import { loadConfig, type Config } from '../../src/config.js';
import { Keys } from '../../src/store/keys.js';
import { Events } from '../../src/events/index.js';
import { run as events } from '../../src/cli/commands/events.js';
import { run as tail } from '../../src/cli/commands/tail.js';

// `--follow` on events and tail: what arrives after the command started is printed once, in order,
// and the command returns when told to (forMs stands in for Ctrl-C).
let redis: PrivateRedis;
let client: Redis;
let config: Config;

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  config = { ...loadConfig({}), redisUrl: redis.url, prefix: 'follow' };
  expect((await runCli(['create', 'r1', 'reader', '--token', 't-1', '--secret', 's-1'], config)).code).toBe(0);
});
afterAll(async () => {
  await redis?.stop();
});

const later = (ms: number, fn: () => Promise<unknown>) => new Promise((resolve, reject) => setTimeout(() => fn().then(resolve, reject), ms));

describe('--follow', () => {
  it('events --follow --bot prints the newest, then that bot\'s new events as they come', async () => {
    const ev = new Events(client, new Keys('follow'));
    await ev.emit({ type: 'posted', bot: 'r1', at: Date.now(), detail: 'before' });
    const io = bufferIo();
    const following = events({ follow: true, json: true, bot: 'r1', forMs: 1500 }, io, config);
    await later(400, async () => {
      await ev.emit({ type: 'posted', bot: 'w2', at: Date.now(), detail: 'other bot' });
      await ev.emit({ type: 'posted', bot: 'r1', at: Date.now(), detail: 'first' });
      await ev.emit({ type: 'failed', bot: 'r1', at: Date.now(), detail: 'second' });
    });
    await following;
    // The newest 20 first (the one from before), then only what followed, for r1 only.
    const lines = io.stdout.trim().split('\n').map((l) => JSON.parse(l) as { bot: string; detail: string });
    expect(lines.map((e) => `${e.bot}:${e.detail}`)).toEqual(['r1:before', 'r1:first', 'r1:second']);
  });

  it('tail --follow -n 0 prints each tweet appended to the source\'s stream once, as NDJSON', async () => {
    const key = new Keys('follow').timeline('r1');
    await client.xadd(key, '*', 'id', '1', 'text', 'old', 'author', 'a');
    const io = bufferIo();
    const following = tail({ name: 'r1', follow: true, json: true, lines: '0', forMs: 1500 }, io, config);
    await later(400, async () => {
      await client.xadd(key, '*', 'id', '2', 'text', 'new one', 'author', 'b');
      await client.xadd(key, '*', 'id', '3', 'text', 'new two', 'author', 'c');
    });
    await following;
    const lines = io.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; text: string });
    expect(lines.map((t) => t.text)).toEqual(['new one', 'new two']);
  });
});
