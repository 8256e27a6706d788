import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CODEC } from '../../src/bots/index.js';
import { loadConfig, type Config } from '../../src/config.js';
import { Farm } from '../../src/farm/farm.js';
import { runTick } from '../../src/farm/tick.js';
import { FarmStore, ioWire, readOverview, type Wire } from '../../src/store/farm-store.js';
import { Keys } from '../../src/store/keys.js';
import { migrate } from '../../src/store/migrate.js';
import { script } from '../../src/store/scripts.js';
import { runCli } from '../helpers/inproc.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';

/**
 * A bot's keys and the farm-wide ones (the bots set, the due index) are in different cluster slots, so
 * create and destroy are steps, not one script. A run cut short between two leaves a state the farm
 * copes with; these tests write such states by hand on a real Redis and run the commands on them. Then
 * the move of a farm's keys from their names before the farm-wide tag, and the listing's round trips.
 */
let redis: PrivateRedis;
let client: Redis;
let config: Config;
const keys = new Keys('fs');

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  // No X API is reached: readers without tokens fail at once.
  config = loadConfig({ REDIS_URL: redis.url, TFCTL_PREFIX: 'fs', TFCTL_CONSUMER_KEY: 'ck', TFCTL_CONSUMER_SECRET: 'cs', TFCTL_X_API: 'http://127.0.0.1:9' });
});
afterAll(async () => redis?.stop());
beforeEach(async () => {
  await redis.flush();
  await ok(['create', 'r1', 'reader', '--token', '1-a', '--secret', 's']);
  await ok(['create', 'w1', 'writer', '--reader', 'r1', '--template', '%s', '--token', '2-a', '--secret', 's']);
});

async function ok(args: string[], with_: Partial<Config> = {}) {
  const r = await runCli(args, { ...config, ...with_ });
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}
const listed = async () => (JSON.parse((await ok(['list', '--json'])).stdout) as Array<{ name: string; backlog: number }>).map((b) => b.name);
const groups = async (source: string) => ((await client.xinfo('GROUPS', keys.timeline(source))) as unknown[][]).map((g) => String(g[1])).sort();

describe('a create cut short', () => {
  it('after the name went into the set and the index: nothing shows; create of the name finishes', async () => {
    await client.sadd(keys.bots(), 'w9');
    await client.zadd(keys.due(), '9999999999999', 'w9'); // a later time than a new bot's: create puts it right
    expect(await listed()).toEqual(['r1', 'w1']);
    await ok(['create', 'w9', 'writer', '--reader', 'r1', '--template', '%s']);
    expect(await listed()).toEqual(['r1', 'w1', 'w9']);
    expect(Number(await client.zscore(keys.due(), 'w9'))).toBeLessThanOrEqual(Date.now());
    expect(await groups('r1')).toEqual(['w1', 'w9']);
  });

  it('after the group was made on the source: create of the name keeps that group; destroy of the source is not refused by it', async () => {
    await client.sadd(keys.bots(), 'w8');
    await client.xgroup('CREATE', keys.timeline('r1'), 'w8', '0', 'MKSTREAM');
    expect(await listed()).toEqual(['r1', 'w1']);
    await ok(['create', 'w8', 'writer', '--reader', 'r1', '--template', '%s']);
    expect(await groups('r1')).toEqual(['w1', 'w8']);
    // A group nobody reads from (its create never finished) goes with the source's stream.
    await client.sadd(keys.bots(), 'w7');
    await client.xgroup('CREATE', keys.timeline('r1'), 'w7', '0');
    await ok(['destroy', 'w1', '--yes']);
    await ok(['destroy', 'w8', '--yes']);
    await ok(['destroy', 'r1', '--yes']);
    expect(await client.exists(keys.timeline('r1'))).toBe(0);
  });

  it('a create refused (the name exists, no source) writes nothing', async () => {
    const before = JSON.stringify([await client.smembers(keys.bots()), await client.zrange(keys.due(), '0', '-1', 'WITHSCORES'), await groups('r1')]);
    expect((await runCli(['create', 'w1', 'writer', '--reader', 'r1', '--template', '%s'], config)).code).toBe(2);
    expect((await runCli(['create', 'w5', 'writer', '--reader', 'nope', '--template', '%s'], config)).code).toBe(2);
    expect((await runCli(['create', 'w5', 'writer', '--reader', 'w1', '--template', '%s'], config)).code).toBe(2);
    expect(JSON.stringify([await client.smembers(keys.bots()), await client.zrange(keys.due(), '0', '-1', 'WITHSCORES'), await groups('r1')])).toBe(before);
  });
});

describe('a destroy cut short', () => {
  it("after the bot's keys went: nothing shows, the tick drops it from the index, create of the name starts afresh", async () => {
    // What destroy leaves when it stops after its first step: the name, its due time and its group.
    await client.del(...keys.botKeys('w1'));
    expect(await listed()).toEqual(['r1']);
    const r = await runCli(['destroy', 'w1', '--yes'], config);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown bot "w1"/);
    const farm = await Farm.open(config);
    try {
      await runTick(farm); // the first builds the index (from the hashes there are)
      await runTick(farm); // the next finds w1 due, without a hash
      expect(await client.zscore(keys.due(), 'w1')).toBeNull();
      // The store's own destroy of such a name finishes the job: the name leaves the set.
      await expect(farm.store.destroy('w1')).rejects.toThrow(/unknown bot "w1"/);
      expect(await client.sismember(keys.bots(), 'w1')).toBe(0);
    } finally {
      await farm.close();
    }
    await ok(['create', 'w1', 'writer', '--reader', 'r1', '--template', '%s']);
    expect(await listed()).toEqual(['r1', 'w1']);
    expect(await groups('r1')).toEqual(['w1']);
  });

  it('refuses a source its consumers read from, and one that gained a group since it looked (a consumer made meanwhile)', async () => {
    const r = await runCli(['destroy', 'r1', '--yes'], config);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/used by w1/);
    // The bot's step itself, told of no groups while the stream has w1's: it keeps the source.
    await expect(script(client, 'destroy-bot')(keys.botKeys('r1'), [CODEC.sources.join(',')])).rejects.toThrow(/CHANGED/);
    expect(await client.exists(keys.bot('r1'))).toBe(1);
  });

  it("moves a consumer's group with set reader=, and removes it with the consumer", async () => {
    await ok(['create', 'r2', 'reader']);
    await ok(['set', 'w1', 'reader=r2']);
    expect(await groups('r1')).toEqual([]);
    expect(await groups('r2')).toEqual(['w1']);
    await ok(['destroy', 'w1', '--yes']);
    expect(await groups('r2')).toEqual([]);
    expect(await client.smembers(keys.bots())).toEqual(expect.arrayContaining(['r1', 'r2']));
    expect(await client.sismember(keys.bots(), 'w1')).toBe(0);
    expect(await client.zscore(keys.due(), 'w1')).toBeNull();
  });
});

/** Puts a farm's farm-wide keys back under their names from before the farm-wide tag. */
async function makeOld(): Promise<void> {
  for (const [old, now] of keys.legacy()) if (await client.exists(now)) await client.rename(now, old);
}
const oldNames = async () => (await Promise.all(keys.legacy().map(([old]) => client.exists(old)))).reduce((a, b) => a + b, 0);

describe('a farm from before the farm-wide tag', () => {
  beforeEach(async () => {
    await client.set(keys.appBearer(), 'bearer');
    await client.xadd(keys.events(), '*', 'type', 'failed', 'bot', 'r1');
  });

  it('lists the same with list --json, in process and over the one-shot socket, its keys moved by the listing', async () => {
    const expected = (await ok(['list', '--json'])).stdout;
    const farmWide = JSON.stringify(await Promise.all(keys.legacy().map(([, now]) => client.dump(now))));
    await makeOld();
    expect(await oldNames()).toBe(4); // the bots set, the bearer, the events, the due index
    expect(await client.exists(keys.bots())).toBe(0);
    expect((await ok(['list', '--json'])).stdout).toBe(expected);
    expect(await oldNames()).toBe(0);
    expect(JSON.stringify(await Promise.all(keys.legacy().map(([, now]) => client.dump(now))))).toBe(farmWide);
    // The in-process store (show, stats, destroy's checks) moves them the same way.
    await makeOld();
    const store = new FarmStore(client, 'fs', CODEC);
    expect((await store.overview()).map((b) => b.name)).toEqual(['r1', 'w1']);
    expect(await oldNames()).toBe(0);
    await makeOld();
    expect((await new FarmStore(client, 'fs', CODEC).names())).toEqual(['r1', 'w1']);
    expect(await oldNames()).toBe(0);
    expect(await migrate(client, keys)).toBe(false); // nothing left to move
  });

  it('is counted (and moved) by tfctl config', async () => {
    await makeOld();
    const { diagnose } = await import('../../src/farm/doctor.js');
    const report = await diagnose({ REDIS_URL: redis.url, TFCTL_PREFIX: 'fs' });
    expect(report.redis).toMatchObject({ ok: true, bots: 2 });
    expect(await oldNames()).toBe(0);
  });

  it('is moved by the first tick (its due index is not found under its new name)', async () => {
    await makeOld();
    const farm = await Farm.open(config);
    try {
      const report = await runTick(farm);
      expect(report.bots.map((b) => b.name).sort()).toEqual(['r1', 'w1']);
    } finally {
      await farm.close();
    }
    expect(await oldNames()).toBe(0);
    expect(await client.zscore(keys.due(), 'w1')).not.toBeNull();
    expect(await client.get(keys.appBearer())).toBe('bearer');
  });

  it('is moved before create and destroy change it; what both names hold is merged', async () => {
    await makeOld();
    // Something wrote under the new names first: sets and sorted sets are merged, lower scores win.
    await client.sadd(keys.bots(), 'ghost');
    await client.zadd(keys.due(), '1', 'w1', '5', 'ghost');
    await client.zadd(`fs:{farm-events}:due`, '7', 'r1', '9', 'w1');
    await client.hset(keys.eventState(), 'a', 'new');
    await client.hset('fs:{farm-events}:state', 'a', 'old', 'b', 'old');
    expect(await migrate(client, keys)).toBe(true);
    expect((await client.smembers(keys.bots())).sort()).toEqual(['ghost', 'r1', 'w1']);
    expect(await client.zscore(keys.due(), 'w1')).toBe('1');
    expect(await client.zscore(keys.due(), 'r1')).toBe('7');
    expect(await client.hgetall(keys.eventState())).toEqual({ a: 'new', b: 'old' });
    expect(await oldNames()).toBe(0);

    await makeOld();
    await ok(['create', 'w2', 'writer', '--reader', 'r1', '--template', '%s']);
    expect(await oldNames()).toBe(0);
    expect((await client.smembers(keys.bots())).sort()).toEqual(['ghost', 'r1', 'w1', 'w2']);
    await makeOld();
    await ok(['destroy', 'w2', '--yes']);
    expect(await oldNames()).toBe(0);
    expect((await client.smembers(keys.bots())).sort()).toEqual(['ghost', 'r1', 'w1']);
  });
});

describe('the listing', () => {
  /** A Wire that counts its round trips: commands sent while none is waiting start a new one. */
  function counted(wire: Wire): Wire & { trips: number } {
    let waiting = 0;
    const c = {
      trips: 0,
      async send(commands: Array<Array<string | number>>) {
        if (waiting++ === 0) c.trips++;
        try {
          return await wire.send(commands);
        } finally {
          waiting--;
        }
      },
      async load(text: string) {
        if (waiting++ === 0) c.trips++;
        try {
          return await wire.load(text);
        } finally {
          waiting--;
        }
      },
    };
    return c;
  }

  it('reads every bot in two round trips; named consumers whose source is not named, in three', async () => {
    for (let i = 0; i < 20; i++) await ok(['create', `w${i + 10}`, 'writer', '--reader', 'r1', '--template', '%s']);
    await client.xadd(keys.timeline('r1'), '*', 'text', 'a');
    const wire = counted(ioWire(client));
    const all = await readOverview(wire, keys, CODEC);
    expect(wire.trips).toBe(2);
    expect(all).toHaveLength(22);
    expect(all.find((b) => b.name === 'w1')).toMatchObject({ backlog: 1, source: 'r1' });
    expect(all.find((b) => b.name === 'r1')).toMatchObject({ backlog: 1 });
    const named = counted(ioWire(client));
    expect((await readOverview(named, keys, CODEC, ['w1'])).map((b) => [b.name, b.backlog])).toEqual([['w1', 1]]);
    expect(named.trips).toBe(3);
    const both = counted(ioWire(client));
    expect((await readOverview(both, keys, CODEC, ['r1', 'w1'])).map((b) => [b.name, b.backlog])).toEqual([['r1', 1], ['w1', 1]]);
    expect(both.trips).toBe(2);
  });
});
