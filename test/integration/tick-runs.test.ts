import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { loadConfig } from '../../src/config.js';
import { Farm } from '../../src/farm/farm.js';
import { runTick } from '../../src/farm/tick.js';

let redis: PrivateRedis;
let farm: Farm;

beforeAll(async () => {
  redis = await startRedis();
  // App keys, for a tick refuses to start without them; readers with no tokens then fail fast without
  // any network: enough to see which bots a run takes.
  farm = await Farm.open({ ...loadConfig({ TFCTL_CONSUMER_KEY: 'ck', TFCTL_CONSUMER_SECRET: 'cs' }), redisUrl: redis.url, prefix: 'runs' });
  for (let i = 0; i < 20; i++) await farm.create({ name: `r${i}`, role: 'reader' });
});
afterAll(async () => {
  await farm?.close();
  await redis?.stop();
});

describe('runs one after another', () => {
  it('never mistake the previous run for a concurrent one, however fast they follow', async () => {
    for (let run = 0; run < 30; run++) {
      const report = await runTick(farm, { force: true });
      expect(report.bots.filter((b) => b.status === 'skipped').map((b) => `${b.name}: ${b.detail}`)).toEqual([]);
      expect(report.summary.ran).toBe(20);
    }
    expect((await farm.store.all()).every((b) => b.counters.ticks === 30)).toBe(true);
  });
});
