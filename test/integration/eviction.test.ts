import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { tfctl } from '../helpers/cli.js';
import { loadConfig } from '../../src/config.js';
import { Farm } from '../../src/farm/farm.js';
import { runTick } from '../../src/farm/tick.js';
import { exportFarm } from '../../src/archive/export.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * On a Redis allowed to evict keys at its memory limit, every farm key was evicted and `tick` printed
 * "0 ran" and exited 0. tick, create and import now refuse such a Redis, with the fix in the message.
 */
let redis: PrivateRedis;
let client: Redis;
let dir: string;
beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  dir = mkdtempSync(join(tmpdir(), 'tfctl-evict-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await redis?.stop();
});

const env = () => ({ REDIS_URL: redis.url, TFCTL_PREFIX: 'ev', TFCTL_CONSUMER_KEY: 'ck', TFCTL_CONSUMER_SECRET: 'cs' });

describe('a Redis that may evict the farm', () => {
  it('tick, create and import refuse allkeys-lru (and volatile-lru under a limit), naming the fix', async () => {
    expect((await tfctl(['create', 'r1', 'reader'], env())).code).toBe(0);
    const archive = join(dir, 'farm.tar.gz');
    await exportFarm(client, 'ev', archive);
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    for (const args of [['tick', '--force'], ['create', 'r2', 'reader'], ['import', archive, '--replace']]) {
      const r = await tfctl(args, env());
      expect(r.code, args[0]).toBe(1);
      expect(r.stderr).toMatch(/maxmemory-policy allkeys-lru.*CONFIG SET maxmemory-policy noeviction/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await client.exists('ev:bot:{r2}')).toBe(0);

    await client.config('SET', 'maxmemory-policy', 'volatile-lru');
    await client.config('SET', 'maxmemory', '512mb');
    expect((await tfctl(['tick', '--force'], env())).stderr).toMatch(/volatile-lru with maxmemory 512/);
    await client.config('SET', 'maxmemory', '0');
    // No limit: nothing can be evicted, and the tick runs (its tokenless reader fails, as it should).
    const unlimited = await tfctl(['tick', '--force', '--json'], env());
    expect(unlimited.stderr).not.toMatch(/evict/);
    expect(JSON.parse(unlimited.stdout).summary.ran).toBe(1);

    await client.config('SET', 'maxmemory-policy', 'noeviction');
    const farm = await Farm.open({ ...loadConfig({}), redisUrl: redis.url, prefix: 'ev', consumerKey: 'ck', consumerSecret: 'cs' });
    try {
      expect((await runTick(farm, { force: true })).bots.map((b) => b.name)).toEqual(['r1']);
    } finally {
      await farm.close();
    }
  });
});
