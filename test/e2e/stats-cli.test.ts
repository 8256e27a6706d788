import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox } from '../helpers/sandbox.js';
import { Keys } from '../../src/store/keys.js';
import { hourOf } from '../../src/store/posts.js';
import { tfctl } from '../helpers/cli.js';
import { startInflux, type PrivateInflux } from '../helpers/influx.js';
import { freePort, startRedis, type PrivateRedis } from '../helpers/redis.js';

let redis: PrivateRedis;
let influx: PrivateInflux;
let client: Redis;
let env: Record<string, string>;
const k = new Keys('tf');

async function ok(args: string[], extra: Record<string, string> = {}) {
  const r = await tfctl(args, { ...env, ...extra });
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
}

beforeAll(async () => {
  // One after the other, so that afterAll stops the first when the second cannot start.
  redis = await startRedis();
  influx = await startInflux();
  client = redis.client();
  // TFCTL_INFLUX_URL may be set on the machine running the tests: each test says what it wants.
  env = { REDIS_URL: redis.url, TFCTL_PREFIX: 'tf', TFCTL_INFLUX_URL: '' };
  await ok(['create', 'r1', 'reader']);
  await ok(['create', 'w1', 'writer', '--reader', 'r1', '--template', '%s']);
  await ok(['create', 'w2', 'writer', '--reader', 'r1', '--template', '%s']);
  // What ticks would have left behind: a cache, counters, posts in this hour and 3 hours ago.
  for (let i = 0; i < 4; i++) await client.xadd(k.timeline('r1'), '*', 'id', String(i + 1), 'text', `t${i}`);
  const now = Date.now();
  await client
    .multi()
    .hincrby(k.bot('w1'), 'n_posted', 12)
    .hincrby(k.hourly('w1'), hourOf(now), 2)
    .hincrby(k.hourly('w1'), hourOf(now - 3 * 3_600_000), 3)
    .hincrby(k.hourly('w2'), hourOf(now), 1)
    .hincrby(k.bot('w2'), 'n_errors', 2)
    .hincrby(k.bot('r1'), 'n_rate_limited', 1)
    .exec();
});
afterAll(async () => {
  await Promise.all([redis?.stop(), influx?.stop()]);
});

describe('tfctl stats', () => {
  it('prints every bot\'s figures as JSON', async () => {
    const r = await ok(['stats', '--json']);
    const s = JSON.parse(r.stdout);
    expect(s.bots.map((b: { name: string }) => b.name)).toEqual(['r1', 'w1', 'w2']);
    expect(s.bots[0]).toMatchObject({ role: 'reader', cached: 4, unprocessed: null, rate_limited: 1, last_tick_at: null });
    expect(s.bots[1]).toMatchObject({ role: 'writer', reader: 'r1', unprocessed: 4, posted: 12, posted_24h: 5 });
    expect(s.bots[1].posts_hourly.slice(-4)).toEqual([3, 0, 0, 2]);
    expect(s.bots[2]).toMatchObject({ errors: 2, posted_24h: 1 });
    expect(s.totals).toMatchObject({ bots: 3, posted_24h: 6, errors: 2, rate_limited: 1 });
    expect(s.influx).toBeUndefined();
  });

  it('prints a table, and the chart only where asked or on a wide terminal', async () => {
    let r = await ok(['stats']);
    expect(r.stdout).toMatch(/^farm \S+ on 127\.0\.0\.1:\d+\/0\nNAME +ROLE +BACKLOG +POSTED +24H +ERRORS +RL PAUSES +LAST TICK +NEXT DUE\n/);
    expect(r.stdout).toMatch(/\nw1 +writer<r1 +4 unprocessed +12 +5 +0 +0 +never +due\n/);
    expect(r.stdout).toContain('total: 3 bots');
    expect(r.stdout).not.toContain('│'); // stdout is a pipe here: no chart
    r = await ok(['stats', '--chart']);
    expect(r.stdout).toContain('posts per hour (UTC), last 24h');
    expect(r.stdout).toMatch(/\nw1 .* [·▁-█]{24}\n/);
  });

  it('writes the figures to InfluxDB with --influx, and a query returns them', async () => {
    const r = await ok(['stats', '--influx', `${influx.url}/farm1`]);
    const m = /influx: (\d+) points written to (\S+)/.exec(r.stdout);
    expect(m?.[2]).toBe(`${influx.url}/farm1`);
    // 3 bot points, w1's two hours and w2's current hour.
    expect(Number(m?.[1])).toBe(6);
    const reply = await influx.query('SELECT "posted", "unprocessed", "role" FROM "tfctl_bot" WHERE "bot" = \'w1\'', 'farm1');
    expect(reply.results[0]!.series![0]!.values[0]!.slice(1)).toEqual([12, 4, 'writer']);
    const hourly = await influx.query('SELECT sum("posts") FROM "tfctl_posts_hourly" WHERE time > now() - 24h', 'farm1');
    expect(hourly.results[0]!.series![0]!.values[0]![1]).toBe(6);
  });

  it('honours TFCTL_INFLUX_URL, and --no-influx', async () => {
    let r = await ok(['stats', '--json'], { TFCTL_INFLUX_URL: `${influx.url}/farm2` });
    expect(JSON.parse(r.stdout).influx).toEqual({ url: `${influx.url}/farm2`, database: 'farm2', points: 6 });
    const count = async () => (await influx.query('SELECT count("posted") FROM "tfctl_bot"', 'farm2')).results[0]!.series![0]!.values[0]![1];
    expect(await count()).toBe(3);
    r = await ok(['stats', '--json', '--no-influx'], { TFCTL_INFLUX_URL: `${influx.url}/farm2` });
    expect(JSON.parse(r.stdout).influx).toBeUndefined();
    expect(await count()).toBe(3);
  });

  it('fails with one line: exit 1 for an unreachable InfluxDB, 2 for a bad URL', async () => {
    const port = await freePort();
    let r = await tfctl(['stats', '--influx', `http://me:pw-1234@127.0.0.1:${port}/tfctl`], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`http://127.0.0.1:${port}/tfctl`);
    expect(r.stderr).not.toContain('pw-1234');
    expect(r.stdout).toContain('total: 3 bots'); // the figures are still shown
    r = await tfctl(['stats', '--influx', 'influx.example:8086'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tfctl: invalid InfluxDB URL/);
  });

  it('stays quick for a farm of 1000 writers', async () => {
    const big = new Keys('big');
    const p = client.pipeline();
    p.sadd(big.bots(), 'r').hset(big.bot('r'), { role: 'reader', every_s: '3600', created_at: '1', next_due_at: '1' });
    for (let i = 0; i < 1000; i++) {
      p.sadd(big.bots(), `w${i}`);
      p.hset(big.bot(`w${i}`), { role: 'writer', reader: 'r', template: '%s', every_s: '3600', created_at: '1', next_due_at: '1', n_posted: '1' });
      p.xgroup('CREATE', big.timeline('r'), `w${i}`, '0', 'MKSTREAM');
      p.hincrby(big.hourly(`w${i}`), hourOf(Date.now()), 1);
    }
    await p.exec();
    const started = Date.now();
    const r = await ok(['stats', '--json'], { TFCTL_PREFIX: 'big' });
    const took = Date.now() - started;
    const s = JSON.parse(r.stdout);
    expect(s.totals).toMatchObject({ bots: 1001, writers: 1000, posted: 1000, posted_24h: 1000 });
    // A loose bound (a process start included, on a busy CI machine): the round trips themselves are
    // counted in test/integration/influx.test.ts.
    expect(took).toBeLessThan(10_000);
  });
});

describe('tfctl tick with TFCTL_INFLUX_URL', () => {
  it('writes the figures after the tick', async () => {
    const sb = await startTestSandbox({ tier: 'pro' });
    try {
      // Two accounts, one following a third, who tweets.
      const reader = await sb.account('tick_reader');
      const writer = await sb.account('tick_writer');
      await sb.account('tick_author');
      await sb.follow('tick_reader', 'tick_author');
      for (const text of ['Кошка спит на диване', 'Во дворе лежит снег']) await sb.tweet('tick_author', text);

      const tickEnv = { TFCTL_PREFIX: 'ticked', ...sb.cliEnv, TFCTL_INFLUX_URL: `${influx.url}/ticked` };
      await ok(['create', 'tr', 'reader', '--token', reader.token, '--secret', reader.secret], tickEnv);
      await ok(['create', 'tw', 'writer', '--reader', 'tr', '--template', '%s', '--token', writer.token, '--secret', writer.secret], tickEnv);
      const r = await tfctl(['tick'], { ...env, ...tickEnv });
      expect(r.stderr).not.toMatch(/stats not written/);

      const reply = await influx.query('SELECT last("fetched") FROM "tfctl_bot" GROUP BY "bot"', 'ticked');
      const byBot = Object.fromEntries((reply.results[0]!.series ?? []).map((x) => [x.tags!.bot, x.values[0]![1]]));
      expect(Object.keys(byBot).sort()).toEqual(['tr', 'tw']);
      expect(byBot.tr).toBe(2); // the reader's two tweets, counted by the tick and written after it
    } finally {
      await sb.close();
    }
  });
});
