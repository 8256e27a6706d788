import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { FaultProxy } from '../../src/chaos/proxy.js';
import { loadConfig } from '../../src/config.js';
import { Farm } from '../../src/farm/farm.js';
import { runTick } from '../../src/farm/tick.js';
import { destroyAgents } from '../../src/x/client.js';

/** Redis restarting in the middle of a tick: the tick still ends with its report, each bot's line naming Redis. */
let redis: PrivateRedis;
let sb: TestSandbox;
let proxy: FaultProxy;
beforeAll(async () => {
  redis = await startRedis({ persistent: true });
  sb = await startTestSandbox({ tier: 'pro' });
  proxy = await FaultProxy.start(sb.url);
});
afterAll(async () => {
  destroyAgents();
  await proxy?.close();
  await sb?.close();
  await redis?.stop();
});

describe('a Redis restart mid-tick', () => {
  it('is reported per bot, naming Redis, and the tick returns its report', async () => {
    const owner = await sb.account('rr_owner');
    const farm = await Farm.open({ ...loadConfig({}), redisUrl: redis.url, prefix: 'rr', xApi: proxy.url, consumerKey: sb.app.consumer_key, consumerSecret: sb.app.consumer_secret, lockTtlMs: 3000 });
    try {
      for (const name of ['r1', 'r2']) await farm.create({ name, role: 'reader', token: owner.token, secret: owner.secret });
      // Both readers are held at X while Redis goes down for longer than the client's reconnect attempts.
      proxy.arm({ kind: 'delay', nth: 1, delayMs: 1500 });
      proxy.arm({ kind: 'delay', nth: 1, delayMs: 1500 });
      const tick = runTick(farm, { force: true });
      await new Promise((r) => setTimeout(r, 300));
      await redis.restart(2500);
      const report = await tick;
      expect(report.bots.map((b) => b.name)).toEqual(['r1', 'r2']);
      for (const b of report.bots) {
        expect(b.status).toBe('failed');
        expect(b.detail).toMatch(/^Redis: /);
      }
    } finally {
      await farm.close();
    }
  }, 60_000);
});
