import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { tfctl } from '../helpers/cli.js';
import { startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';

/**
 * The collector through the CLI, as a user runs it: rules, a cron tick that collects by recent search,
 * a writer consuming what it collected, `tfctl tail`. Private Redis, the sandbox with no seed.
 */
let redis: PrivateRedis;
let client: Redis;
let sb: TestSandbox;
let env: Record<string, string>;
let farmNo = 0;
let collectorAcct: Creds;
let writerAcct: Creds;
let aliceId: string;

// Rules: a keyword (кошка), a follow (alice), a phrase ("дождливый день").
const TWEETS: Array<[string, string, string[]]> = [
  ['bob', 'Моя кошка спит на диване', ['kw']],
  ['alice', 'Утро началось с чая', ['follow']],
  ['carol', 'Опять дождливый день в городе', ['phrase']],
  ['alice', 'Кошка и дождливый день', ['kw', 'follow', 'phrase']],
  ['bob', 'Кошка смотрит в окно: дождливый   день', ['kw', 'phrase']],
  ['alice', 'Книга на столе', ['follow']],
  ['carol', 'Кошка!', ['kw']],
  ['bob', 'Котлета на ужин', []],
  ['bob', 'Все кошки серы', []],
  ['carol', 'Играю с кошками', []],
  ['carol', 'Дождливый вечер', []],
  ['bob', 'день был дождливый', []],
  ['carol', 'Дождливый денёк', []],
  ['bob', 'Собака лает', []],
  ['carol', 'Город спит', []],
  ['bob', 'Новая книга', []],
  ['carol', 'кошкин дом', []],
  ['bob', 'Дождь и день', []],
  ['carol', 'alice пишет', []],
  ['bob', 'Чай с лимоном', []],
];

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  sb = await startTestSandbox({ tier: 'pro' });
  collectorAcct = await sb.account('coll_acct');
  writerAcct = await sb.account('w_acct');
  aliceId = (await sb.account('alice')).id;
  for (const u of ['bob', 'carol']) await sb.account(u);
  env = { REDIS_URL: redis.url, ...sb.cliEnv };
});
afterAll(async () => {
  await sb?.close();
  await redis?.stop();
});
beforeEach(() => {
  env.TFCTL_PREFIX = `coll${++farmNo}`;
});

async function cli(args: string[]) {
  return tfctl(args, env);
}
async function ok(args: string[]) {
  const r = await cli(args);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}
const creds = (c: Creds) => ['--token', c.token, '--secret', c.secret];

interface Tailed {
  id: string;
  author: string;
  text: string;
  matching_rules: Array<{ id: string; tag?: string }>;
}
async function tail(name: string): Promise<Tailed[]> {
  const r = await ok(['tail', name, '--json', '-n', '1000']);
  return r.stdout.trim() ? r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Tailed) : [];
}

describe('tfctl rules', () => {
  it('adds, lists, tests and removes rules; refuses bad queries with exit 2 at the column; publishes each change', async () => {
    await ok(['create', 'c1', 'collector', ...creds(collectorAcct)]);
    const sub = redis.client();
    const messages: string[] = [];
    await sub.subscribe(`${env.TFCTL_PREFIX}:rules`);
    sub.on('message', (_ch, m) => messages.push(m));

    const a = JSON.parse((await ok(['rules', 'add', 'c1', 'кошка', '--tag', 'cats', '--json'])).stdout);
    expect(a).toMatchObject({ id: '1', value: 'кошка', tag: 'cats', type: 'track' });
    expect((await ok(['rules', 'add', 'c1', '--type', 'follow', '123', '456'])).stdout).toContain('from:123 OR from:456');
    expect((await ok(['rules', 'add', 'c1', '--type', 'locations', '--', '-74.1 40.6 -73.9 40.8'])).stdout).toContain('bounding_box:[-74.1 40.6 -73.9 40.8]');

    const bad = await cli(['rules', 'add', 'c1', 'cat AND dog']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^tfctl: invalid query at column 5: /);
    const op = await cli(['rules', 'add', 'c1', 'cat foo:bar']);
    expect(op.code).toBe(2);
    expect(op.stderr).toContain('column 5');
    const long = await cli(['rules', 'add', 'c1', 'x'.repeat(513)]);
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('the pro tier (stream rules and recent-search queries) allows at most 512');
    const dup = await cli(['rules', 'add', 'c1', 'кошка']);
    expect(dup.code).toBe(2);

    const listed = JSON.parse((await ok(['rules', 'list', 'c1', '--json'])).stdout);
    expect(listed.map((r: { value: string }) => r.value)).toEqual(['кошка', 'from:123 OR from:456', 'bounding_box:[-74.1 40.6 -73.9 40.8]']);
    expect(await client.get(`${env.TFCTL_PREFIX}:{c1}:rules_version`)).toBe('3');

    const t = JSON.parse((await ok(['rules', 'test', 'c1', '--text', 'Кошка спит', '--author', '123', '--json'])).stdout);
    expect(t.matching_rules).toEqual([{ id: '1', tag: 'cats' }, { id: '2', tag: null }]);
    const none = JSON.parse((await ok(['rules', 'test', 'c1', '--text', 'котлета', '--json'])).stdout);
    expect(none.matching_rules).toEqual([]);

    await ok(['rules', 'rm', 'c1', '2']);
    expect((await cli(['rules', 'rm', 'c1', '99'])).code).toBe(2);
    expect(JSON.parse((await ok(['rules', 'list', '--json'])).stdout).map((r: { id: string }) => r.id)).toEqual(['1', '3']);
    expect(await client.get(`${env.TFCTL_PREFIX}:{c1}:rules_version`)).toBe('4');

    await ok(['create', 'w1', 'writer', '--source', 'c1', '--template', '%s']);
    const notRules = await cli(['rules', 'add', 'w1', 'кошка']);
    expect(notRules.code).toBe(2);
    expect(notRules.stderr).toContain('has no rules');

    await new Promise((r) => setTimeout(r, 100));
    expect(messages).toEqual(['c1', 'c1', 'c1', 'c1']);
    await sub.quit();
  });
});

describe('collector, cron mode', () => {
  it('collects exactly the matching tweets once each with every rule they match; a writer posts from them; the next tick takes only new ones', async () => {
    await ok(['create', 'coll', 'collector', ...creds(collectorAcct)]);
    const ids: Record<string, string> = {};
    ids.kw = JSON.parse((await ok(['rules', 'add', 'coll', 'кошка', '--tag', 'kw', '--json'])).stdout).id;
    ids.follow = JSON.parse((await ok(['rules', 'add', 'coll', '--type', 'follow', aliceId, '--tag', 'follow', '--json'])).stdout).id;
    ids.phrase = JSON.parse((await ok(['rules', 'add', 'coll', '"дождливый день"', '--tag', 'phrase', '--json'])).stdout).id;
    const posted: string[] = [];
    for (const [who, text] of TWEETS) posted.push((await sb.tweet(who, text)).id);
    await sb.resetRequests();

    const first = JSON.parse((await ok(['tick', 'coll', '--json'])).stdout);
    expect(first.bots[0]).toMatchObject({ name: 'coll', status: 'ok' });
    expect(first.bots[0].detail).toMatch(/^collected 7 new tweet\(s\) with 1 search call\(s\) for 3 rule\(s\) in 1 query\(ies\)/);
    expect((await sb.requests())['GET /2/tweets/search/recent']).toBe(1);

    const got = await tail('coll');
    const want = TWEETS.map(([, text, tags], i) => ({ id: posted[i]!, text, tags })).filter((t) => t.tags.length);
    expect(got.map((t) => t.id)).toEqual(want.map((t) => t.id)); // once each, oldest first
    for (const [i, t] of got.entries()) {
      expect(t.text).toBe(want[i]!.text);
      expect(t.matching_rules).toEqual(want[i]!.tags.map((tag) => ({ id: ids[tag], tag })));
    }

    // A writer consumes the collector exactly as it consumes a reader.
    await ok(['create', 'wr', 'writer', '--source', 'coll', '--template', '%s – это когда тебя любят.', '--grab', '1', ...creds(writerAcct)]);
    await ok(['tick', 'wr']);
    expect((await sb.tweets('w_acct')).map((t) => t.text)).toEqual(['Кошка – это когда тебя любят.']);

    // Second tick: only what is new, through since_id (a search without it would return the seven again).
    const fresh = (await sb.tweet('bob', 'Рыжая кошка')).id;
    await sb.tweet('carol', 'Ничего интересного');
    await sb.resetRequests();
    const second = JSON.parse((await ok(['tick', 'coll', '--force', '--json'])).stdout);
    expect(second.bots[0].detail).toBe('collected 1 new tweet(s) with 1 search call(s) for 3 rule(s) in 1 query(ies)');
    expect((await sb.requests())['GET /2/tweets/search/recent']).toBe(1);
    expect(await client.hgetall(`${env.TFCTL_PREFIX}:{coll}:since_ids`)).toEqual({ [ids.kw!]: fresh, [ids.follow!]: fresh, [ids.phrase!]: fresh });
    const after = await tail('coll');
    expect(after.map((t) => t.id)).toEqual([...want.map((t) => t.id), fresh]);

    const third = JSON.parse((await ok(['tick', 'coll', '--force', '--json'])).stdout);
    expect(third.bots[0]).toMatchObject({ status: 'idle', detail: 'no new tweets (1 search call(s))' });

    const shown = JSON.parse((await ok(['show', 'coll', '--json'])).stdout);
    expect(shown.rules.map((r: { hits_last_hour: number }) => r.hits_last_hour)).toEqual([5, 3, 3]);

    // list and stats show the same rolling per-rule counts; no stream runs, so no heartbeat.
    const perRule = [
      { id: ids.kw, value: 'кошка', tag: 'kw', hits_last_hour: 5 },
      { id: ids.follow, value: `from:${aliceId}`, tag: 'follow', hits_last_hour: 3 },
      { id: ids.phrase, value: '"дождливый день"', tag: 'phrase', hits_last_hour: 3 },
    ];
    const listed = (JSON.parse((await ok(['list', '--json'])).stdout) as Array<Record<string, unknown>>).find((b) => b.name === 'coll')!;
    expect(listed).toMatchObject({ rules: perRule, rule_hits_last_hour: 11, stream_heartbeat_age_s: null });
    // A writer's row gets none of the collector's keys.
    expect((JSON.parse((await ok(['list', '--json'])).stdout) as Array<Record<string, unknown>>).find((b) => b.name === 'wr')).not.toHaveProperty('rules');
    const stats = JSON.parse((await ok(['stats', '--json', '--no-influx'])).stdout) as { bots: Array<Record<string, unknown>> };
    expect(stats.bots.find((b) => b.name === 'coll')).toMatchObject({ rules: perRule, rule_hits_last_hour: 11, stream_heartbeat_age_s: null });
    expect((await ok(['list'])).stdout).toContain(`coll: 3 rules, 11 hits in the last hour (#${ids.kw} kw 5, #${ids.follow} follow 3, #${ids.phrase} phrase 3); stream not running\n`);
    expect((await ok(['stats', '--no-influx', '--no-chart'])).stdout).toContain('coll: 3 rules, 11 hits in the last hour');
  });
});

describe('tfctl rules import --traptor', () => {
  it("converts Traptor's rule hashes of all three types, from the farm's Redis or another", async () => {
    const other = await startRedis();
    const src = other.client();
    try {
      await src.hset('traptor-track:0:1', { rule_id: '1', tag: 'cats', value: 'кошка,рыжий кот' });
      await src.hset('traptor-follow:0:2', { rule_id: '2', tag: 'people', value: '2244994945' });
      await src.hset('traptor-locations:0:3', { rule_id: '3', tag: 'nyc', value: '-74.1,40.6,-73.9,40.8' });
      await src.hset('traptor-track:1:4', { rule_id: '4', value: 'dogs' });
      await src.set('traptor-notify', 'x'); // not a rule hash
      await ok(['create', 'imp', 'collector']);
      const r = JSON.parse((await ok(['rules', 'import', 'imp', '--traptor', '--id', '0', '--from', other.url, '--json'])).stdout);
      expect(r.imported.map((i: { from: string; value: string; tag: string; type: string }) => [i.from, i.value, i.tag, i.type])).toEqual([
        ['traptor-follow:0:2', 'from:2244994945', 'people', 'follow'],
        ['traptor-locations:0:3', 'bounding_box:[-74.1 40.6 -73.9 40.8]', 'nyc', 'locations'],
        ['traptor-track:0:1', 'кошка OR (рыжий кот)', 'cats', 'track'],
      ]);
      // Again: nothing new; only one type: just that.
      expect(JSON.parse((await ok(['rules', 'import', 'imp', '--traptor', '--from', other.url, '--type', 'track', '--json'])).stdout)).toMatchObject({ imported: [{ from: 'traptor-track:1:4', value: 'dogs', tag: 'traptor:4' }], skipped: ['traptor-track:0:1'] });
      expect((await cli(['rules', 'import', 'imp', '--traptor', '--from', other.url, '--type', 'follow', '--id', '9'])).code).toBe(2);
      // From the farm's own Redis.
      await client.hset('traptor-follow:7:1', { rule_id: '1', value: '12' });
      expect((await ok(['rules', 'import', 'imp', '--traptor', '--id', '7'])).stdout).toContain('traptor-follow:7:1 → rule 5: from:12');
      expect((await ok(['rules', 'list', 'imp', '--json'])).stdout).toContain('from:12');
    } finally {
      await src.quit();
      await other.stop();
    }
  });
});
