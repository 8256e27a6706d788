import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/main.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';

/**
 * `npm run demo` against an operator's Redis (REDIS_URL): it never works in the operator's farm
 * (TFCTL_PREFIX), and leaves nothing behind unless asked to keep its farm.
 */
let redis: PrivateRedis;
const saved = process.env.TFCTL_PREFIX;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(() => {
  if (saved === undefined) delete process.env.TFCTL_PREFIX;
  else process.env.TFCTL_PREFIX = saved;
});

describe('npm run demo', () => {
  it("uses a prefix of its own, not TFCTL_PREFIX, and removes its farm when done", async () => {
    const client = redis.client();
    await client.flushall();
    await client.set('tf:operator-key', 'mine');
    process.env.TFCTL_PREFIX = 'tf';
    const lines: string[] = [];
    const { prefix, posted } = await runDemo({ redisUrl: redis.url, say: (l) => lines.push(l) });
    expect(prefix).not.toBe('tf');
    expect(posted).toBeGreaterThan(0);
    expect(await client.keys('*')).toEqual(['tf:operator-key']);
    expect(lines.join('\n')).toMatch(/removed the demo farm/);
  }, 60_000);

  it('keeps its farm with keep, and says how to look at it', async () => {
    const client = redis.client();
    await client.flushall();
    const lines: string[] = [];
    const { prefix } = await runDemo({ redisUrl: redis.url, keep: true, say: (l) => lines.push(l) });
    expect((await client.keys(`${prefix}:*`)).length).toBeGreaterThan(0);
    expect(lines.join('\n')).toContain(`TFCTL_PREFIX=${prefix} tfctl list`);
  }, 60_000);
});
