import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { Keys } from '../../src/store/keys.js';
import { Events } from '../../src/events/index.js';
import { backlogEvent, tickEvents } from '../../src/events/outcome.js';
import { deliverEvents, ensureWebhookGroup } from '../../src/events/webhook.js';

let redis: PrivateRedis;
let client: Redis;
let receiver: Receiver;
let n = 0;

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.stop();
  await redis?.stop();
});

const fresh = () => {
  const keys = new Keys(`ev${++n}`);
  return { keys, events: new Events(client, keys) };
};

describe('farm events', () => {
  it('failed once however many ticks fail, recovered only after a failure, token_revoked and rate_limited as they come', async () => {
    const { events } = fresh();
    await tickEvents(events, 'w1', { status: 'ok', detail: 'posted 1' }, 1000); // no failure before: no recovered
    await tickEvents(events, 'w1', { status: 'failed', detail: 'server error', error: 'POST /2/tweets: HTTP 503' }, 2000);
    await tickEvents(events, 'w1', { status: 'failed', detail: 'server error', error: 'POST /2/tweets: HTTP 503' }, 3000);
    await tickEvents(events, 'w2', { status: 'failed', detail: 'auth failed', error: 'auth failed on POST /2/tweets: HTTP 401', failing: true }, 3500);
    await tickEvents(events, 'w1', { status: 'rate_limited', detail: 'rate-limited', pause: { endpoint: 'POST /2/tweets', until: Date.UTC(2030, 0, 1) } }, 4000);
    await tickEvents(events, 'w1', { status: 'idle', detail: 'no unprocessed tweets' }, 5000);
    await tickEvents(events, 'w1', { status: 'ok', detail: 'posted 1' }, 6000);
    const all = await events.recent({ count: 100 });
    expect(all.map((e) => `${e.type}:${e.bot}@${e.at}`)).toEqual(['failed:w1@2000', 'failed:w2@3500', 'token_revoked:w2@3500', 'rate_limited:w1@4000', 'recovered:w1@5000']);
    expect(all[3]!.data).toEqual({ endpoint: 'POST /2/tweets', until: '2030-01-01T00:00:00.000Z' });
    expect((await events.recent({ bot: 'w2', count: 100 })).map((e) => e.type)).toEqual(['failed', 'token_revoked']);
    expect((await events.recent({ since: 4000 })).map((e) => e.type)).toEqual(['rate_limited', 'recovered']);
    expect((await events.recent({ count: 2 })).map((e) => e.type)).toEqual(['rate_limited', 'recovered']);
  });

  it('a backlog over the threshold is one event until it falls to half of it', async () => {
    const { events } = fresh();
    for (const [b, at] of [[50, 1], [120, 2], [150, 3], [80, 4], [40, 5], [130, 6]] as const) await backlogEvent(events, 'w1', 'r1', b, 100, at);
    const all = await events.recent({ count: 100 });
    expect(all.map((e) => [e.type, e.at, e.data?.backlog])).toEqual([['backlog', 2, 120], ['backlog', 6, 130]]);
  });

  it('emits made in one turn leave as one command, in order, each answered with its own id', async () => {
    const { events, keys } = fresh();
    const before = await client.info('commandstats');
    const calls = (info: string, cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => events.emit({ type: 'posted', bot: `w${i}`, at: i, detail: `post ${i}` })));
    const after = await client.info('commandstats');
    expect(calls(after, 'evalsha') + calls(after, 'eval') - calls(before, 'evalsha') - calls(before, 'eval')).toBe(1);
    expect(calls(after, 'xadd') - calls(before, 'xadd')).toBe(50); // inside the script
    const stored = await client.xrange(keys.events(), '-', '+');
    expect(stored.map(([id]) => id)).toEqual(ids);
    expect((await events.recent({ count: 100 })).map((e) => e.bot)).toEqual(Array.from({ length: 50 }, (_, i) => `w${i}`));
    // An emit before a state change stays before it.
    const posted = events.emit({ type: 'posted', bot: 'x', at: 100, detail: 'p' });
    const failed = events.enter('failed:x', { type: 'failed', bot: 'x', at: 101, detail: 'f' });
    await Promise.all([posted, failed]);
    expect((await events.recent({ bot: 'x' })).map((e) => e.type)).toEqual(['posted', 'failed']);
  });

  it('the stream is capped', async () => {
    const keys = new Keys(`ev${++n}`);
    const events = new Events(client, keys, 100);
    for (let i = 0; i < 1000; i++) await events.emit({ type: 'posted', bot: 'w', at: i, detail: `${i}` });
    const len = await client.xlen(keys.events());
    expect(len).toBeLessThan(300);
    expect(len).toBeGreaterThanOrEqual(100);
  });
});

describe('the webhook', () => {
  it('delivers each event once, in order; a receiver that was down gets what it missed, after the backoff', async () => {
    const { keys, events } = fresh();
    receiver.got.length = 0;
    receiver.ids.length = 0;
    let clock = Date.now();
    const opts = () => ({ url: receiver.url, budgetMs: 3000, now: () => clock });
    await events.emit({ type: 'posted', bot: 'w0', at: 1, detail: 'before any webhook' });
    await ensureWebhookGroup(client, keys); // a farm's first webhook starts from its own events
    await events.emit({ type: 'posted', bot: 'w1', at: 2, detail: 'one' });
    await events.emit({ type: 'retweeted', bot: 'rt', at: 3, detail: 'two', data: { target_id: '42' } });
    expect(await deliverEvents(client, keys, opts())).toEqual({ sent: 2 });
    expect(receiver.got.map((b) => b.detail)).toEqual(['one', 'two']);
    expect(receiver.got[1]).toMatchObject({ type: 'retweeted', bot: 'rt', at: new Date(3).toISOString(), target_id: '42' });
    expect(receiver.ids).toEqual(receiver.got.map((b) => b.id));
    expect(await deliverEvents(client, keys, opts())).toEqual({ sent: 0 });

    await receiver.stop();
    await events.emit({ type: 'failed', bot: 'w1', at: 4, detail: 'three' });
    await events.emit({ type: 'recovered', bot: 'w1', at: 5, detail: 'four' });
    const down = await deliverEvents(client, keys, opts());
    expect(down.sent).toBe(0);
    expect(down.stopped).toMatch(/ECONNREFUSED|fetch failed/);
    expect(await deliverEvents(client, keys, opts())).toEqual({ sent: 0, stopped: 'backoff' });
    clock += 1000; // the first wait is 1 s; the second failure waits 2 s
    expect((await deliverEvents(client, keys, opts())).sent).toBe(0);
    clock += 1000;
    expect((await deliverEvents(client, keys, opts())).stopped).toBe('backoff');

    await receiver.start();
    await events.emit({ type: 'posted', bot: 'w1', at: 6, detail: 'five' });
    clock += 1000;
    expect(await deliverEvents(client, keys, opts())).toEqual({ sent: 3 });
    expect(receiver.got.map((b) => b.detail)).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(new Set(receiver.ids).size).toBe(5);
    expect(await client.hgetall(keys.webhook())).toEqual({});
  });

  it('two runs at once never send an event twice', async () => {
    const { keys, events } = fresh();
    receiver.got.length = 0;
    await ensureWebhookGroup(client, keys);
    for (let i = 0; i < 20; i++) await events.emit({ type: 'posted', bot: 'w', at: i, detail: String(i) });
    const runs = await Promise.all([1, 2, 3].map(() => deliverEvents(client, keys, { url: receiver.url, budgetMs: 3000 })));
    expect(runs.reduce((s, r) => s + r.sent, 0)).toBe(20);
    expect(runs.filter((r) => r.stopped === 'busy').length).toBe(2);
    expect(receiver.got.map((b) => b.detail)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });
});
