import { afterAll, beforeAll } from 'vitest';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config.js';
import { Farm } from '../../src/farm/farm.js';
import { destroyAgents } from '../../src/x/client.js';
import { startRedis, type PrivateRedis } from './redis.js';
import { startTestSandbox, type TestSandbox } from './sandbox.js';

/** A test file's private Redis (with a client of the test's own) and sandbox, and the farms it opens on them. */
export interface FarmWorld {
  redis: PrivateRedis;
  client: Redis;
  sb: TestSandbox;
  /** A farm's config under `prefix` on this Redis and sandbox, with `more` on top. */
  config(prefix: string, more?: Partial<Config>): Config;
  /** A farm, closed with the world. */
  open(config: Config): Promise<Farm>;
}

/**
 * Called at a test file's top level: the world starts before its tests (its fields are set then) and
 * stops after them, its farms closed first.
 */
export function farmWorld(): FarmWorld {
  const farms: Farm[] = [];
  const world = {
    config(prefix: string, more: Partial<Config> = {}): Config {
      const { redis, sb } = world;
      return { ...loadConfig({}), redisUrl: redis.url, prefix, xApi: sb.url, consumerKey: sb.app.consumer_key, consumerSecret: sb.app.consumer_secret, ...more };
    },
    async open(config: Config) {
      const farm = await Farm.open(config);
      farms.push(farm);
      return farm;
    },
  } as FarmWorld;
  beforeAll(async () => {
    world.redis = await startRedis();
    world.client = world.redis.client();
    world.sb = await startTestSandbox({ tier: 'pro' });
  });
  afterAll(async () => {
    for (const f of farms) await f.close();
    destroyAgents();
    await world.sb?.close();
    await world.redis?.stop();
  });
  return world;
}
