import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startRoundTripProxy, type RoundTripProxy } from '../../src/bench/round-trips.js';

describe('the bench round-trip proxy', () => {
  let redis: PrivateRedis;
  let proxy: RoundTripProxy;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    proxy = await startRoundTripProxy(redis.url);
    client = new Redis(proxy.url, { enableReadyCheck: false, disableClientInfo: true, lazyConnect: true });
    await client.connect();
  });
  afterAll(async () => {
    client.disconnect();
    await proxy.close();
    await redis.stop();
  });

  it('counts each awaited command as a round trip and a pipeline as one', async () => {
    proxy.reset();
    for (let i = 0; i < 5; i++) await client.set(`k${i}`, String(i));
    expect(proxy.bursts).toBe(5);

    proxy.reset();
    const pipe = client.pipeline();
    for (let i = 0; i < 50; i++) pipe.get(`k${i % 5}`);
    await pipe.exec();
    expect(proxy.bursts).toBe(1);
    // The answers came through the proxy.
    expect(await client.get('k3')).toBe('3');
  });

  it('sums bursts over connections', async () => {
    proxy.reset();
    const other = new Redis(proxy.url, { enableReadyCheck: false, disableClientInfo: true, lazyConnect: true });
    await other.connect();
    await other.ping();
    await client.ping();
    other.disconnect();
    expect(proxy.connections).toBe(1);
    // The new connection's own set-up (SELECT 0) is a burst too.
    expect(proxy.bursts).toBeGreaterThanOrEqual(2);
    expect(proxy.bursts).toBeLessThanOrEqual(3);
  });
});
