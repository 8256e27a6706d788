import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { tfctl } from '../helpers/cli.js';
import { runCli } from '../helpers/inproc.js';
import { loadConfig } from '../../src/config.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Farm } from '../../src/farm/farm.js';
import { retweeter } from '../../src/bots/retweeter/index.js';
import { startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Retweeters through the CLI on the sandbox: a reader's timeline, two rules in X's query language, the
 * retweets checked on the sandbox account itself (GET /sandbox/tweets), windows and max-age on the
 * sandbox's clock, and the farm events of a 401 reaching a webhook that was down meanwhile.
 */
let redis: PrivateRedis;
let sb: TestSandbox;
let receiver: Receiver;
let env: Record<string, string>;
let farmNo = 0;
const acc = new Map<string, Creds>();

beforeAll(async () => {
  redis = await startRedis();
  sb = await startTestSandbox({ tier: 'pro' });
  receiver = await startReceiver();
  for (const name of ['owner', 'author', 'spam_bot', 'farmacc', 'rtacc', 'rtacc2']) acc.set(name, await sb.account(name));
  for (const followee of ['author', 'spam_bot', 'farmacc']) await sb.follow('owner', followee);
});
afterAll(async () => {
  await receiver?.stop();
  await sb?.close();
  await redis?.stop();
});
beforeEach(() => {
  env = { REDIS_URL: redis.url, ...sb.cliEnv, TFCTL_PREFIX: `rt${++farmNo}` };
});

const run = (args: string[], extra: Record<string, string> = {}) => runCli(args, loadConfig({ ...env, ...extra }));
async function ok(args: string[], extra: Record<string, string> = {}) {
  const r = await run(args, extra);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}
const creds = (name: string) => ['--token', acc.get(name)!.token, '--secret', acc.get(name)!.secret];
/** The ids of the tweets this sandbox account retweeted, as X shows its tweets. */
async function retweetedOnX(account: string): Promise<string[]> {
  return (await sb.tweets(account)).flatMap((t) => (t.referenced_tweets ?? []).filter((r) => r.type === 'retweeted').map((r) => r.id)).sort();
}
interface Shown {
  decision_counts: Record<string, number>;
  recent_decisions: Array<{ tweet_id: string; decision: string; rule: string | null; at: string }>;
}
/** The kind's InfluxDB points, as stats --influx writes them. */
async function retweeterPoints(names: string[]) {
  const farm = await Farm.open(loadConfig(env));
  try {
    return await retweeter.figures!.points!(names, { redis: farm.redis, store: farm.store, now: () => farm.now() });
  } finally {
    await farm.close();
  }
}
const shown = async (bot: string, extra: Record<string, string> = {}) => JSON.parse((await ok(['show', bot, '--json'], extra)).stdout) as Shown;

describe('tfctl retweeter', () => {
  it('retweets exactly the tweets its rules match, once each across three ticks, never the farm\'s own; explains its rules', async () => {
    const seeds: Array<[string, string, boolean]> = [
      ['author', 'Новый релиз tfctl вышел сегодня', true],
      ['author', 'tfctl реклама: скидки на всё', false],
      ['author', 'Погода сегодня хорошая', false],
      ['author', '#rustlang 1.80 is out', true],
      ['author', 'Обзор tfctl и cron', true],
      ['author', 'Кошки и собаки', false],
      ['author', 'learning #rustlang today', true],
      ['spam_bot', 'tfctl лучший, купите', false],
      ['spam_bot', '#rustlang spam spam', false],
      ['farmacc', 'tfctl news from the farm itself', false],
    ];
    const ids: Record<string, boolean> = {};
    for (const [who, text, want] of seeds) ids[(await sb.tweet(who, text)).id] = want;
    const expected = Object.keys(ids).filter((id) => ids[id]).sort();
    expect(expected).toHaveLength(4);

    await ok(['create', 'r1', 'reader', ...creds('owner')]);
    await ok(['create', 'farm2', 'reader', ...creds('farmacc')]); // farmacc is a farm account: its tweets are the farm's own
    await ok(['create', 'rt', 'retweeter', '--source', 'r1', '--per-tick', '10', '--min-gap', '0', '--max-age', '1d', ...creds('rtacc')]);
    await ok(['rules', 'add', 'rt', 'tfctl -реклама -from:spam_bot', '--tag', 'tfctl']);
    await ok(['rules', 'add', 'rt', '#rustlang -from:spam_bot']);
    const bad = await run(['rules', 'add', 'rt', 'tfctl (OR x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^tfctl: invalid query at column \d+: /);
    const listed = JSON.parse((await ok(['rules', 'list', 'rt', '--json'])).stdout) as Array<{ id: string; value: string }>;
    expect(listed.map((r) => r.value)).toEqual(['tfctl -реклама -from:spam_bot', '#rustlang -from:spam_bot']);

    for (let i = 0; i < 3; i++) await ok(['tick', '--force']);
    expect(await retweetedOnX('rtacc')).toEqual(expected);

    const s = await shown('rt');
    expect(s.decision_counts).toMatchObject({ retweeted: 4, no_rule: 5, own_tweet: 0, capped: 0 });
    const retweeted = s.recent_decisions.filter((d) => d.decision === 'retweeted');
    expect(retweeted.map((d) => d.tweet_id).sort()).toEqual(expected);
    expect(new Set(retweeted.map((d) => d.rule))).toEqual(new Set(listed.map((r) => r.id)));
    const text = (await ok(['show', 'rt'])).stdout;
    expect(text).toContain('decisions: retweeted 4, no_rule 5');

    // stats (and so InfluxDB's tfctl_posts_hourly): its retweets per hour are its posts.
    const stats = JSON.parse((await ok(['stats', '--json', '--no-influx'])).stdout) as { bots: Array<{ name: string; posted: number; posts_hourly: number[]; decisions?: Record<string, number> }> };
    const rtStats = stats.bots.find((b) => b.name === 'rt')!;
    expect(rtStats.posted).toBe(4);
    expect(rtStats.posts_hourly.reduce((a, b) => a + b, 0)).toBe(4);
    expect(rtStats.decisions).toMatchObject({ retweeted: 4, no_rule: 5, too_old: 0 });
    const listed2 = JSON.parse((await ok(['list', '--json'])).stdout) as Array<{ name: string; decisions?: Record<string, number> }>;
    expect(listed2.find((b) => b.name === 'rt')!.decisions).toMatchObject({ retweeted: 4, no_rule: 5 });
    const points = await retweeterPoints(['rt']);
    expect(points).toEqual([expect.objectContaining({ measurement: 'tfctl_retweeter', tags: { bot: 'rt', prefix: env.TFCTL_PREFIX }, fields: expect.objectContaining({ retweeted: 4, no_rule: 5 }) })]);

    // Its events: one `retweeted` per retweet.
    const events = (await ok(['events', '--json', '--bot', 'rt'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; target_id: string });
    expect(events.filter((e) => e.type === 'retweeted').map((e) => e.target_id).sort()).toEqual(expected);

    // Explains a match and a miss.
    const match = await ok(['rules', 'test', 'rt', '--text', 'Новый tfctl', '--author', 'author']);
    expect(match.stdout).toMatch(/^match {3}\s*1 /m);
    expect(match.stdout).toContain(`matched by rule ${listed[0]!.id}`);
    const miss = JSON.parse((await ok(['rules', 'test', 'rt', '--text', 'tfctl реклама', '--author', 'author', '--json'])).stdout) as { matching_rules: unknown[]; rules: Array<{ matches: boolean; why: string }> };
    expect(miss.matching_rules).toEqual([]);
    expect(miss.rules[0]!.why).toMatch(/реклама/);
    const missText = await ok(['rules', 'test', 'rt', '--text', 'tfctl', '--author', 'spam_bot']);
    expect(missText.stdout).toContain('no rule matched (2 tried)');
    expect(missText.stdout).toMatch(/spam_bot/);
  });

  it('waits outside its window, retweets when it opens, and drops a tweet older than max-age (TFCTL_CLOCK=sandbox)', async () => {
    const clock = { TFCTL_CLOCK: 'sandbox' };
    const t0 = (await sb.advance(0)).now_ms;
    // A daily window opening an hour from now, for two hours (UTC).
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const open = Math.ceil((t0 + 3600_000) / 60_000) * 60_000;
    const window = `daily ${hhmm(open)}-${hhmm(open + 2 * 3600_000)}`;
    await ok(['create', 'r1', 'reader', ...creds('owner')], clock);
    await ok(['create', 'rt', 'retweeter', '--source', 'r1', '--max-age', '90m', '--window', window, '--tz', 'UTC', ...creds('rtacc2')], clock);
    await ok(['rules', 'add', 'rt', 'окно'], clock);
    await ok(['tick', '--force'], clock); // the reader's first fetch: nothing of what follows yet

    const old = await sb.tweet('author', 'первое окно, старое');
    await sb.advance(40 * 60);
    const young = await sb.tweet('author', 'второе окно, свежее');
    await ok(['tick', '--force'], clock);
    let s = await shown('rt', clock);
    expect(s.decision_counts).toMatchObject({ outside_window: 2, retweeted: 0, too_old: 0 });
    await ok(['tick', '--force', 'rt'], clock); // still outside: waiting is not logged again
    expect((await shown('rt', clock)).decision_counts.outside_window).toBe(2);
    expect(await retweetedOnX('rtacc2')).toEqual([]);

    await sb.advance(Math.ceil((open - t0) / 1000) - 40 * 60 + 20 * 60); // 20 min into the window: the old one is 80 min old
    await sb.advance(20 * 60); // 100 min: past max-age
    await ok(['tick', '--force'], clock);
    expect(await retweetedOnX('rtacc2')).toEqual([young.id]);
    s = await shown('rt', clock);
    expect(s.decision_counts).toMatchObject({ outside_window: 2, retweeted: 1, too_old: 1 });
    const last = new Map(s.recent_decisions.slice().reverse().map((d) => [d.tweet_id, d.decision]));
    expect(last.get(old.id)).toBe('too_old');
    expect(last.get(young.id)).toBe('retweeted');
    await ok(['tick', '--force'], clock);
    expect(await retweetedOnX('rtacc2')).toEqual([young.id]);
  });

  it('a 401 on the retweeter is failed and token_revoked, new tokens bring recovered; a webhook that was down gets them once', async () => {
    const hook = { TFCTL_WEBHOOK_URL: receiver.url };
    receiver.got.length = 0;
    const me = await sb.account('rtacc3');
    await ok(['create', 'r1', 'reader', ...creds('owner')], hook);
    await ok(['create', 'rt', 'retweeter', '--source', 'r1', '--min-gap', '0', '--token', me.token, '--secret', me.secret], hook);
    await ok(['rules', 'add', 'rt', 'вебхук'], hook);
    await ok(['tick', '--force'], hook);

    await receiver.stop();
    const first = await sb.tweet('author', 'вебхук раз');
    await sb.revoke('rtacc3');
    expect((await run(['tick', '--force'], hook)).code).toBe(1);
    const fresh = await sb.account('rtacc3');
    await ok(['set', 'rt', `token=${fresh.token}`, `secret=${fresh.secret}`], hook);
    await ok(['tick', '--force'], hook);
    expect(await retweetedOnX('rtacc3')).toEqual([first.id]);
    const types = (await ok(['events', '--json', '--bot', 'rt'])).stdout.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(['failed', 'token_revoked', 'retweeted', 'recovered']);

    await receiver.start();
    for (let i = 0; i < 20 && receiver.got.filter((e) => e.bot === 'rt').length < 4; i++) {
      await new Promise((r) => setTimeout(r, 500));
      await ok(['tick'], hook);
    }
    await ok(['tick'], hook);
    expect(receiver.got.filter((e) => e.bot === 'rt').map((e) => e.type)).toEqual(['failed', 'token_revoked', 'retweeted', 'recovered']);
    expect(new Set(receiver.ids).size).toBe(receiver.ids.length);
  });

  it("takes its rules from farm.yaml's rules section, as a collector does", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rt-farm-'));
    const file = join(dir, 'farm.yaml');
    writeFileSync(file, [
      'version: 1',
      `prefix: ${env.TFCTL_PREFIX}`,
      'bots:',
      '  r1:',
      '    kind: reader',
      '  rt:',
      '    kind: retweeter',
      '    source: r1',
      '    window: "mon-fri 09:00-18:00"',
      '    rules:',
      "      - 'tfctl -реклама'",
      '      - value: "#rustlang"',
      '        tag: rust',
      '',
    ].join('\n'));
    await ok(['apply', file, '--yes']);
    const rules = JSON.parse((await ok(['rules', 'list', 'rt', '--json'])).stdout) as Array<{ value: string; tag: string | null }>;
    expect(rules.map((r) => [r.value, r.tag]).sort()).toEqual([['#rustlang', 'rust'], ['tfctl -реклама', null]]);
    writeFileSync(file, readFileSync(file, 'utf8').replace("'tfctl -реклама'", "'tfctl (OR'"));
    const bad = await run(['apply', file, '--yes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/column/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('quotes with its text in quote mode, once', async () => {
    const me = await sb.account('quoter');
    await ok(['create', 'r1', 'reader', ...creds('owner')]);
    await ok(['create', 'q', 'retweeter', '--source', 'r1', '--mode', 'quote', '--quote', 'Стоит прочесть, {author}', '--max-age', '1d', '--token', me.token, '--secret', me.secret]);
    await ok(['rules', 'add', 'q', 'цитата']);
    const t = await sb.tweet('author', 'цитата дня');
    for (let i = 0; i < 2; i++) await ok(['tick', '--force']);
    const mine = await sb.tweets('quoter');
    expect(mine.map((x) => [x.text, x.referenced_tweets])).toEqual([['Стоит прочесть, @author', [{ type: 'quoted', id: t.id }]]]);
    expect((await shown('q')).decision_counts.retweeted).toBe(1);
  });

  it('refuses bad settings with exit 2 and lists as a consumer with its backlog, as a child process too', async () => {
    await ok(['create', 'r1', 'reader', ...creds('owner')]);
    for (const bad of [['--window', 'someday 9-5'], ['--tz', 'Mars/Olympus'], ['--mode', 'quote'], ['--mode', 'like'], ['--max-age', '0']]) {
      const r = await run(['create', 'x', 'retweeter', '--source', 'r1', ...bad]);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((await run(['list', '--json'])).stdout).not.toContain('"x"');
    await ok(['create', 'q', 'retweeter', '--source', 'r1', '--mode', 'quote', '--quote', 'Стоит прочесть, {author}', '--window', 'mon-fri 09:00-18:00', '--tz', 'Europe/Moscow']);
    const r = await tfctl(['show', 'q', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ role: 'retweeter', reader: 'r1', mode: 'quote', window: 'mon-fri 09:00-18:00', tz: 'Europe/Moscow', min_gap: '1m30s', min_gap_s: 90, max_age: '15m', max_age_s: 900, every: '15m', every_s: 900 });
    const listed = JSON.parse((await ok(['list', '--json'])).stdout) as Array<{ name: string; role: string; unprocessed: unknown }>;
    expect(listed.find((b) => b.name === 'q')).toMatchObject({ role: 'retweeter', unprocessed: 0 });
  });
});
