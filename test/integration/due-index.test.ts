import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandsRun } from '../helpers/monitor.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { loadConfig } from '../../src/config.js';
import { Farm } from '../../src/farm/farm.js';
import { runTick } from '../../src/farm/tick.js';

// The tick reads only the bots the due index names. Time is the farm's clock, moved by the test; the
// readers have no tokens (they fail at once, without network) except `flaky`, whose X refuses connections.
let redis: PrivateRedis;
let farm: Farm;
let probe: Redis;
let now = Date.UTC(2030, 0, 1);
const HOUR = 3_600_000;

beforeAll(async () => {
  redis = await startRedis();
  probe = new Redis(redis.url);
  farm = await Farm.open({ ...loadConfig({ TFCTL_CONSUMER_KEY: 'ck', TFCTL_CONSUMER_SECRET: 'cs', TFCTL_X_API: 'http://127.0.0.1:9' }), redisUrl: redis.url, prefix: 'due' });
  farm.now = () => now;
  for (let i = 0; i < 30; i++) await farm.create({ name: `r${i}`, role: 'reader', every: '1h' });
});
afterAll(async () => {
  probe?.disconnect();
  await farm?.close();
  await redis?.stop();
});

/** Commands Redis ran (calls by command, from INFO commandstats, Lua's own included) while `fn` ran. */
async function commandsDuring(fn: () => Promise<unknown>): Promise<Record<string, number>> {
  const stats = async () => {
    const out: Record<string, number> = {};
    for (const m of (await probe.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]!] = Number(m[2]);
    return out;
  };
  const before = await stats();
  await fn();
  const after = await stats();
  const diff: Record<string, number> = {};
  for (const [cmd, n] of Object.entries(after)) if (cmd !== 'info' && n !== (before[cmd] ?? 0)) diff[cmd] = n - (before[cmd] ?? 0);
  return diff;
}

const ran = (r: Awaited<ReturnType<typeof runTick>>) => r.bots.filter((b) => b.status !== 'skipped').map((b) => b.name).sort();
const score = (name: string) => probe.zscore('due:{farm-wide}:due', name).then((s) => (s === null ? null : Number(s)));

describe('the due index', () => {
  it('runs the due bots; an idle tick is one ZRANGEBYSCORE and reads no bot', async () => {
    const first = await runTick(farm);
    expect(first.summary.ran).toBe(30);
    now += 10 * 60_000;
    let idle: Awaited<ReturnType<typeof runTick>> | undefined;
    expect(await commandsDuring(async () => (idle = await runTick(farm)))).toEqual({ zrangebyscore: 1 });
    expect(idle!.bots).toEqual([]);
    now += HOUR;
    expect((await runTick(farm)).summary.ran).toBe(30);
    expect(await score('r0')).toBe(Number(await probe.hget('due:bot:{r0}', 'next_due_at')));
  });

  it('follows set every, pause and destroy', async () => {
    await farm.set('r1', ['every=3h']);
    await farm.set('r2', ['paused=true']);
    await farm.destroy('r3');
    expect(await score('r1')).toBe(now + 3 * HOUR);
    expect(await score('r2')).toBeNull();
    expect(await score('r3')).toBeNull();
    now += HOUR + 1000;
    const names = ran(await runTick(farm));
    expect(names).toHaveLength(27);
    expect(names).not.toContain('r1');
    expect(names).not.toContain('r2');
    await farm.set('r2', ['paused=false']);
    now += 2 * HOUR;
    expect(ran(await runTick(farm))).toEqual(expect.arrayContaining(['r1', 'r2']));
  });

  it('honours the backoff of a transient failure', async () => {
    await farm.create({ name: 'flaky', role: 'reader', every: '1h', token: '1-a', secret: 's' });
    const failed = await runTick(farm, { names: ['flaky'] });
    expect(failed.bots[0]).toMatchObject({ status: 'failed' });
    expect(await probe.hget('due:bot:{flaky}', 'retries')).toBe('1');
    expect(await score('flaky')).toBe(now + 60_000);
    now += 30_000;
    expect(ran(await runTick(farm))).not.toContain('flaky');
    now += 31_000;
    expect(ran(await runTick(farm))).toEqual(['flaky']);
    expect(await score('flaky')).toBe(now + 120_000);
  });

  it('drops what it finds stale, and is rebuilt once when missing', async () => {
    // Written behind the index's back: the index says due, the hash says an hour away.
    await probe.hset('due:bot:{r4}', 'next_due_at', String(now + HOUR));
    await probe.zadd('due:{farm-wide}:due', '0', 'r4', '0', 'ghost');
    const r = await runTick(farm);
    expect(ran(r)).not.toContain('r4');
    expect(await score('r4')).toBe(now + HOUR);
    expect(await score('ghost')).toBeNull();

    // A farm from before the index: the first tick builds it, and the next idle tick reads no bot again.
    await probe.del('due:{farm-wide}:due');
    const rebuilt = await commandsDuring(() => runTick(farm));
    expect(rebuilt.hgetall).toBeGreaterThan(0);
    expect(await probe.zcard('due:{farm-wide}:due')).toBe(1 + 30); // the marker; 30 bots less r3, plus flaky
    expect(await commandsDuring(() => runTick(farm))).toEqual({ zrangebyscore: 1 });
    now += 4 * HOUR;
    expect(ran(await runTick(farm))).toHaveLength(30);
  });

  it("is built from a farm's first bot on, and not marked built by a new bot of a farm that has none", async () => {
    const open = (prefix: string) => Farm.open({ ...loadConfig({ TFCTL_CONSUMER_KEY: 'ck', TFCTL_CONSUMER_SECRET: 'cs', TFCTL_X_API: 'http://127.0.0.1:9' }), redisUrl: redis.url, prefix });
    const fresh = await open('due-new');
    const legacy = await open('due-old');
    try {
      fresh.now = () => now;
      await fresh.create({ name: 'a', role: 'reader' });
      await fresh.create({ name: 'b', role: 'reader' });
      expect(await fresh.store.dueIndex.due(now)).toEqual(['a', 'b']);
      // Its first tick runs them, and builds nothing: no rebuild lock is taken.
      let first: Awaited<ReturnType<typeof runTick>> | undefined;
      const touched = (await commandsRun(redis.url, async () => (first = await runTick(fresh)))).flat();
      expect(ran(first!)).toEqual(['a', 'b']);
      expect(touched).toContain('due-new:{farm-wide}:due');
      expect(touched).not.toContain('due-new:{farm-wide}:due_lock');

      // A farm whose index was lost (or that predates it) keeps waiting for its rebuild: a new bot does not mark it.
      await legacy.create({ name: 'c', role: 'reader' });
      await probe.del('due-old:{farm-wide}:due');
      await legacy.create({ name: 'd', role: 'reader' });
      expect(await legacy.store.dueIndex.due(now)).toBeNull();
    } finally {
      await fresh.close();
      await legacy.close();
    }
  });
});
