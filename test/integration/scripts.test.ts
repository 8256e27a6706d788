import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { script } from '../../src/store/scripts.js';

let redis: PrivateRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/**
 * A tick's bots share one connection with auto-pipelining: a script's first run can be batched with other
 * bots' commands. ioredis's defineCommand then failed outside any promise ("results[i] is not iterable")
 * and the uncaught error ended the whole tick.
 */
describe('the script loader under auto-pipelining', () => {
  it('runs a script first used among other commands of the same batch, on fresh connections', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      for (let trial = 0; trial < 10; trial++) {
        const r = new Redis(redis.url, { enableAutoPipelining: true, lazyConnect: true });
        await r.connect();
        const jobs: Array<Promise<unknown>> = [];
        for (let i = 0; i < 8; i++) {
          jobs.push(r.hset(`t${trial}:k{${i}}`, 'a', 1));
          jobs.push(script(r, 'record-post')([`t${trial}:a{${i}}`, `t${trial}:b{${i}}`, `t${trial}:c{${i}}`, `t${trial}:d{${i}}`, `t${trial}:e{${i}}`], ['h', '', 10, '0', 'posted']));
        }
        expect(await Promise.all(jobs)).toHaveLength(16);
        r.disconnect();
      }
      await new Promise((res) => setTimeout(res, 50));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });

  it('runs again after Redis forgot its scripts (SCRIPT FLUSH, a restart)', async () => {
    const r = new Redis(redis.url, { enableAutoPipelining: true });
    const run = script(r, 'record-post');
    await run(['f:a{1}', 'f:b{1}', 'f:c{1}', 'f:d{1}', 'f:e{1}'], ['h', '', 10, '0', 'posted']);
    await r.script('FLUSH');
    await run(['f:a{1}', 'f:b{1}', 'f:c{1}', 'f:d{1}', 'f:e{1}'], ['h2', '', 10, '0', 'posted']);
    expect(await r.smembers('f:a{1}')).toEqual(expect.arrayContaining(['h', 'h2']));
    r.disconnect();
  });
});
