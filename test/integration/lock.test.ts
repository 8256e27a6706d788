import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { BotLock } from '../../src/store/lock.js';
import { Keys } from '../../src/store/keys.js';

let redis: PrivateRedis;
let client: Redis;
const keys = new Keys('tf');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
});
afterAll(async () => redis?.stop());

describe('the per-bot lock', () => {
  it('lets one holder in at a time and only the holder release it', async () => {
    const a = new BotLock(client, keys, 'w1');
    const b = new BotLock(client, keys, 'w1');
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    await b.release(); // not b's to release
    expect(await client.exists(keys.lock('w1'))).toBe(1);
    await a.release();
    expect(await b.acquire()).toBe(true);
    await b.release();
  });

  it('is renewed while held, so a tick longer than the TTL keeps it', async () => {
    const a = new BotLock(client, keys, 'w2', 1500);
    expect(await a.acquire()).toBe(true);
    await sleep(2500); // past the TTL: only the renewal keeps the key
    expect(await client.get(keys.lock('w2'))).not.toBeNull();
    expect(await new BotLock(client, keys, 'w2').acquire()).toBe(false);
    await a.release();
    expect(await client.exists(keys.lock('w2'))).toBe(0);
  });

  it('lapses by itself when its holder is gone (no renewal)', async () => {
    expect(await client.set(keys.lock('w3'), 'a-dead-run', 'PX', 300, 'NX')).toBe('OK');
    await sleep(450);
    const next = new BotLock(client, keys, 'w3');
    expect(await next.acquire()).toBe(true);
    await next.release();
  });
});
