import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { OperationalError, UsageError } from '../../src/errors.js';
import { Farm } from '../../src/farm/farm.js';
import { Rules } from '../../src/bots/rules.js';
import { TrackerStore } from '../../src/bots/tracker/store.js';
import { BOT_FIELDS, BOT_MEASUREMENT, HOURLY_MEASUREMENT, writeStats } from '../../src/metrics/influx.js';
import { collectStats } from '../../src/metrics/stats.js';
import { hourOf } from '../../src/store/posts.js';
import { freePort, startRedis, type PrivateRedis } from '../helpers/redis.js';
import { INFLUXD, startInflux, type InfluxReply, type PrivateInflux } from '../helpers/influx.js';

const DASHBOARD = new URL('../../ansible/grafana/dashboard.json', import.meta.url);
const HOUR = 3_600_000;

let redis: PrivateRedis;
let influx: PrivateInflux;
let farm: Farm;
const now = Date.now();

/** The farm as the bots would leave it: a reader with a cache, two writers posting, some failing. */
async function seedFarm(f: Farm): Promise<void> {
  const k = f.store.keys;
  await f.store.create({ name: 'r1', role: 'reader', every: 3600, paused: false });
  await f.store.create({ name: 'w1', role: 'writer', source: 'r1', fields: { template: '%s', per_tick: '1', grab: '3' }, every: 3600, paused: false });
  await f.store.create({ name: 'w2', role: 'writer', source: 'r1', fields: { template: '%s', per_tick: '1', grab: '3' }, every: 3600, paused: false });
  for (let i = 0; i < 5; i++) await f.redis.xadd(k.timeline('r1'), '*', 'id', String(100 + i), 'text', `tweet ${i}`);
}

/** One simulated run at time t: counters move, posts land in t's hour, then stats are written at t. */
async function runAt(t: number, step: number): Promise<number> {
  const k = farm.store.keys;
  const m = farm.redis.multi();
  m.hincrby(k.bot('w1'), 'n_posted', 2).hincrby(k.hourly('w1'), hourOf(t), 2);
  m.hincrby(k.bot('w2'), 'n_posted', 1).hincrby(k.hourly('w2'), hourOf(t), 1);
  m.hincrby(k.bot('w1'), 'n_errors', step).hincrby(k.bot('r1'), 'n_errors', 1);
  m.hincrby(k.bot('w2'), 'n_rate_limited', 1).hincrby(k.bot('r1'), 'n_rate_limited', step);
  m.hincrby(k.bot('r1'), 'n_fetched', 5);
  m.hset(k.bot('r1'), 'last_tick_at', String(t));
  await m.exec();
  return writeStats(farm, `${influx.url}/tfctl`, t);
}

function series(reply: InfluxReply) {
  expect(reply.error).toBeUndefined();
  const r = reply.results[0]!;
  expect(r.error, JSON.stringify(r)).toBeUndefined();
  return r.series ?? [];
}

beforeAll(async () => {
  // One after the other, so that afterAll stops the first when the second cannot start.
  redis = await startRedis();
  if (INFLUXD) influx = await startInflux();
  farm = await Farm.open(loadConfig({ REDIS_URL: redis.url, TFCTL_PREFIX: 'tf' }));
  await seedFarm(farm);
});
afterAll(async () => {
  await farm?.close();
  await Promise.all([redis?.stop(), influx?.stop()]);
});

describe('collectStats', () => {
  it('reports backlogs, counters and posts per hour from Redis', async () => {
    const k = farm.store.keys;
    await farm.redis.hset(k.bot('w1'), 'rl:tweets', String(now + 10 * 60_000));
    await farm.redis.hincrby(k.hourly('w1'), hourOf(now - 25 * HOUR), 9); // outside the last 24h
    const s = await collectStats(farm, now);
    expect(s.bots.map((b) => b.name)).toEqual(['r1', 'w1', 'w2']);
    const [r1, w1] = s.bots;
    expect(r1).toMatchObject({ role: 'reader', cached: 5, unprocessed: null, backlog: 5, posted_24h: 0 });
    expect(w1).toMatchObject({ role: 'writer', reader: 'r1', cached: null, unprocessed: 5, backlog: 5, paused_until: new Date(now + 10 * 60_000).toISOString() });
    expect(w1!.posts_hourly).toHaveLength(24);
    expect(s.hours[23]).toBe(new Date(Number(hourOf(now)) * HOUR).toISOString());
    expect(s.totals).toMatchObject({ bots: 3, readers: 1, writers: 2, cached: 5, unprocessed: 10 });
    await farm.redis.hdel(k.bot('w1'), 'rl:tweets');
  });

  it('reads a big farm in a constant number of round trips', async () => {
    const big = await startRedis();
    const f = await Farm.open(loadConfig({ REDIS_URL: big.url, TFCTL_PREFIX: 'big' }));
    try {
      await f.store.create({ name: 'r', role: 'reader', every: 3600, paused: false });
      const p = f.redis.pipeline();
      for (let i = 0; i < 300; i++) {
        p.sadd(f.store.keys.bots(), `w${i}`);
        p.hset(f.store.keys.bot(`w${i}`), { role: 'writer', reader: 'r', every_s: '3600', created_at: '1', next_due_at: '1', n_posted: String(i) });
        p.xgroup('CREATE', f.store.keys.timeline('r'), `w${i}`, '0', 'MKSTREAM');
        p.hincrby(f.store.keys.hourly(`w${i}`), hourOf(now), 1);
      }
      await p.exec();
      // Count what goes to Redis: a pipeline is one round trip, a command outside one is one more.
      let trips = 0;
      const send = f.redis.sendCommand.bind(f.redis);
      f.redis.sendCommand = ((cmd: never, stream?: unknown) => {
        if (!stream) trips++;
        return send(cmd, stream as never);
      }) as typeof f.redis.sendCommand;
      const pipeline = f.redis.pipeline.bind(f.redis);
      f.redis.pipeline = ((...a: never[]) => (trips++, pipeline(...a))) as typeof f.redis.pipeline;
      const s = await collectStats(f, now);
      expect(s.totals).toMatchObject({ bots: 301, writers: 300, posted: (299 * 300) / 2, posted_24h: 300 });
      expect(trips).toBeLessThanOrEqual(5);
    } finally {
      await f.close();
      await big.stop();
    }
  });
});

// Without influxd there is nothing real to write to: these say so in their name rather than pass empty.
const WITHOUT_INFLUXD = INFLUXD ? '' : ' — SKIPPED: influxd is not installed (apt-get install influxdb)';
describe.skipIf(!INFLUXD)(`writeStats to a real influxd${WITHOUT_INFLUXD}`, () => {
  it('writes integer fields tagged by bot, role and prefix, creating the database', async () => {
    const times = [now - 3 * HOUR, now - 2 * HOUR, now - HOUR, now - 5 * 60_000];
    let written = 0;
    for (const [i, t] of times.entries()) written += await runAt(t, i + 1);
    // 3 bot points per run, plus each writer's non-empty hours and current hour.
    expect(written).toBeGreaterThanOrEqual(4 * 3 + 2 * 4);

    const dbs = series(await influx.query('SHOW DATABASES'))[0]!.values.flat();
    expect(dbs).toContain('tfctl');
    const points = series(await influx.query(`SELECT * FROM "${BOT_MEASUREMENT}" WHERE "bot" = 'w1'`, 'tfctl'))[0]!;
    expect(points.values).toHaveLength(4);
    const col = (name: string) => points.columns.indexOf(name);
    const last = points.values[3]!;
    expect(last[col('role')]).toBe('writer');
    expect(last[col('prefix')]).toBe('tf');
    expect(last[col('unprocessed')]).toBe(5);
    expect(last[col('errors')]).toBe(1 + 2 + 3 + 4);
    expect(last[col('posted')]).toBe(8);

    const types = series(await influx.query(`SHOW FIELD KEYS FROM "${BOT_MEASUREMENT}"`, 'tfctl'))[0]!.values;
    expect(types.map(([, type]) => type)).toEqual(types.map(() => 'integer'));
    expect(types.map(([name]) => name).sort()).toEqual([...BOT_FIELDS].sort());

    const hourly = series(await influx.query(`SELECT sum("posts") FROM "${HOURLY_MEASUREMENT}" WHERE time > now() - 24h GROUP BY "bot"`, 'tfctl'));
    expect(Object.fromEntries(hourly.map((s) => [s.tags!.bot, s.values[0]![1]]))).toEqual({ w1: 8, w2: 4 });
  });

  it("writes a collector's hits per rule and minute, and a tracker's retweet count per tweet and minute, as integers", async () => {
    const k = farm.store.keys;
    const t = now - 2 * 60_000;
    const minute = (ms: number) => Math.floor(ms / 60_000);
    // A collector with two rules and hits in two minutes of the last hour (and one older, not written).
    await farm.store.create({ name: 'c1', role: 'collector', every: 3600, paused: false });
    const [kw, vip] = await new Rules(farm.redis, k).add('c1', [{ value: 'кошка', type: 'track' }, { value: 'from:12', tag: 'vip', type: 'follow' }], { count: 10, length: 512, why: 'test' }, now);
    await farm.redis.hset(k.own('c1', 'rule_hits'), `${kw!.id}:${minute(t)}`, '3', `${kw!.id}:${minute(now)}`, '2', `${vip!.id}:${minute(t)}`, '4', `${vip!.id}:${minute(now - 2 * HOUR)}`, '9');
    // A tracker with two accounts' tweets and two minute snapshots.
    await farm.store.create({ name: 't1', role: 'tracker', fields: { users: '12,34' }, every: 60, paused: false });
    const tracker = new TrackerStore(farm.redis, k, 't1');
    await tracker.setUsers(new Map([['12', 'alice'], ['34', 'bob']]));
    await tracker.addTweets('12', new Map([['1001', { author_id: '12', text: 'a', created_at: t }]]), new Map(), undefined, t);
    await tracker.addTweets('34', new Map([['1002', { author_id: '34', text: 'b', created_at: t }]]), new Map(), undefined, t);
    const m0 = minute(t) * 60_000;
    await tracker.saveSnapshot({ at: m0, counts: { '1001': [5, 0], '1002': [1, 0] }, batches: 1, of: 1 }, new Map(), 0, {});
    await tracker.saveSnapshot({ at: m0 + 60_000, counts: { '1001': [8, 3], '1002': [4, 3] }, batches: 1, of: 1 }, new Map(), 0, {});

    // A retweeter with decisions so far.
    await farm.store.create({ name: 'rt1', role: 'retweeter', source: 'r1', every: 900, paused: false });
    await farm.redis.hset(k.own('rt1', 'decision_counts'), 'retweeted', '3', 'no_rule', '5');

    await writeStats(farm, `${influx.url}/tfctl`, now);
    const decided = series(await influx.query(`SELECT "retweeted", "no_rule", "too_old" FROM "tfctl_retweeter" WHERE "bot" = 'rt1'`, 'tfctl'))[0]!;
    expect(decided.values.map((v) => v.slice(1))).toEqual([[3, 5, 0]]);
    const hits = series(await influx.query(`SELECT "hits" FROM "tfctl_rule_hits" WHERE time > now() - 24h GROUP BY "bot", "rule", "tag"`, 'tfctl'));
    expect(Object.fromEntries(hits.map((x) => [`${x.tags!.rule}${x.tags!.tag ? `:${x.tags!.tag}` : ''}`, x.values.map((v) => v[1])]))).toEqual({ [kw!.id]: [3, 2], [`${vip!.id}:vip`]: [4] });
    const collector = series(await influx.query(`SELECT "rules", "hits_last_hour", "heartbeat_age_s" FROM "tfctl_collector" WHERE "bot" = 'c1'`, 'tfctl'))[0]!;
    expect(collector.values.at(-1)!.slice(1)).toEqual([2, 9, null]);
    const rts = series(await influx.query(`SELECT "retweets" FROM "tfctl_tweet_retweets" WHERE time > now() - 24h GROUP BY "tracker", "author", "tweet"`, 'tfctl'));
    expect(rts.map((x) => [x.tags, x.values.map((v) => [Date.parse(v[0] as string), v[1]])])).toEqual([
      [{ tracker: 't1', author: 'alice', tweet: '1001' }, [[m0, 5], [m0 + 60_000, 8]]],
      [{ tracker: 't1', author: 'bob', tweet: '1002' }, [[m0, 1], [m0 + 60_000, 4]]],
    ]);
    for (const m of ['tfctl_rule_hits', 'tfctl_collector', 'tfctl_tweet_retweets']) {
      const types = series(await influx.query(`SHOW FIELD KEYS FROM "${m}"`, 'tfctl'))[0]!.values;
      expect(types.map(([, type]) => type), m).toEqual(types.map(() => 'integer'));
    }
  });

  it('runs every query of the Grafana dashboard and each returns data', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
    const panels: Array<Record<string, any>> = [];
    const walk = (list: Array<Record<string, any>>) => {
      for (const p of list) {
        panels.push(p);
        walk(p.panels ?? []);
      }
    };
    walk(dashboard.panels);
    const vars = (dashboard.templating.list as Array<Record<string, any>>).filter((v) => v.type === 'query');
    expect(vars.map((v) => v.name)).toEqual(expect.arrayContaining(['bot']));

    // What Grafana substitutes before a query reaches InfluxDB.
    const grafana = (q: string, bot: string) =>
      q
        .replaceAll('$timeFilter', 'time > now() - 24h')
        .replaceAll('$__interval_ms', '60000')
        .replaceAll('$__interval', '1m')
        .replaceAll('$prefix', 'tf')
        .replaceAll('$bot', bot);
    const run = async (what: string, q: string, bot: string) => {
      const query = grafana(q, bot);
      expect(query, what).not.toMatch(/\$\w/);
      const s = series(await influx.query(query, 'tfctl'));
      expect(s.length, `${what}: ${query}`).toBeGreaterThan(0);
      expect(s.some((x) => x.values.some((row) => row.slice(1).some((v) => v !== null))), `${what}: ${query}`).toBe(true);
      return s;
    };

    for (const v of vars) await run(`variable ${v.name}`, v.query, '(c1|r1|rt1|t1|w1|w2)');
    const bots = (await run('bot variable', vars.find((v) => v.name === 'bot')!.query, '')).flatMap((s) => s.values.map((r) => r[1]));
    expect(bots).toEqual(['c1', 'r1', 'rt1', 't1', 'w1', 'w2']);

    const queried = panels.filter((p) => p.type !== 'row');
    expect(queried.length).toBeGreaterThanOrEqual(6);
    expect(queried.filter((p) => p.repeat === 'bot').map((p) => p.type).sort()).toEqual(['stat', 'timeseries']);
    for (const p of queried) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets) {
        // A repeated panel gets one bot each; the others see "All", which Grafana writes as (a|b|c).
        // A kind's own panel is tried with one bot of that kind.
        const one = t.query.includes('tfctl_rule_hits') ? 'c1' : t.query.includes('tfctl_tweet_retweets') ? 't1' : t.query.includes('tfctl_retweeter') ? 'rt1' : 'w1';
        const choices = p.repeat === 'bot' ? ['r1', 'w1'] : ['(c1|r1|rt1|t1|w1|w2)', one];
        for (const bot of choices) await run(`panel "${p.title}" (bot=${bot})`, t.query, bot);
      }
    }
    const titles = queried.map((p) => p.title.toLowerCase()).join('|');
    for (const word of ['posts per hour', 'errors', 'rate-limit', 'hits per rule', 'top tweets']) expect(titles).toContain(word);
  });

  it('says which InfluxDB it cannot reach, without credentials', async () => {
    const port = await freePort();
    const err = await writeStats(farm, `http://tfctl:s3cret-pw@127.0.0.1:${port}/tfctl`).catch((e: Error) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toContain(`http://127.0.0.1:${port}/tfctl`);
    expect((err as Error).message).not.toContain('s3cret');
    await expect(writeStats(farm, 'ftp://127.0.0.1/tfctl')).rejects.toBeInstanceOf(UsageError);
    await expect(writeStats(farm, 'not a url')).rejects.toBeInstanceOf(UsageError);
  });
});
