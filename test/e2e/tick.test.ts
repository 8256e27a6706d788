import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { fileURLToPath } from 'node:url';
import { runBin, tfctl } from '../helpers/cli.js';
import { runCli } from '../helpers/inproc.js';
import { loadConfig } from '../../src/config.js';

const CRASH_TICK = fileURLToPath(new URL('../helpers/crash-tick.mjs', import.meta.url));
import { startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';

/**
 * The main job through the CLI: a private Redis, the X API sandbox (no seed: every tweet on the
 * timeline is written here, so each expected text is known), and `tfctl tick`. The first tests run
 * tfctl as cron does, a process per command; the others run the same commands in-process (the real
 * program and run(), output to buffers), which is quicker, and a crash is a process of its own.
 */
let redis: PrivateRedis;
let client: Redis;
let sb: TestSandbox;
let env: Record<string, string>;
let farmNo = 0;
/** How this test runs commands: as child processes, or in this process. */
let mode: 'process' | 'in-process' = 'in-process';
const accounts = new Map<string, Creds>();

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  sb = await startTestSandbox({ tier: 'pro' });
  for (const [name, creds] of await sb.seedHome('w_gent', 'w_loct', 'w_nomn')) accounts.set(name, creds);
  env = { REDIS_URL: redis.url, ...sb.cliEnv };
});
afterAll(async () => {
  await sb?.close();
  await redis?.stop();
});
beforeEach(() => {
  env.TFCTL_PREFIX = `farm${++farmNo}`; // every test gets a farm of its own on the same Redis and sandbox
  mode = 'in-process';
});

const run = (args: string[], extra: Record<string, string> = {}) =>
  mode === 'process' ? tfctl(args, { ...env, ...extra }) : runCli(args, loadConfig({ ...env, ...extra }));

const creds = (name: string) => ['--token', accounts.get(name)!.token, '--secret', accounts.get(name)!.secret];

async function ok(args: string[], extra: Record<string, string> = {}) {
  const r = await run(args, extra);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

async function tickJson(args: string[] = [], extra: Record<string, string> = {}) {
  const r = await run(['tick', '--json', ...args], extra);
  return { code: r.code, stderr: r.stderr, report: JSON.parse(r.stdout) as { bots: Array<{ name: string; status: string; detail: string; posts?: Array<{ text: string }> }>; summary: { ran: number; posted: number; fetched: number; failed: number } } };
}

/** The farm's own record of what a writer posted, and what X shows for its account. */
async function postedTexts(writer: string): Promise<string[]> {
  return (await client.lrange(`${env.TFCTL_PREFIX}:{${writer}}:posts`, 0, -1)).map((p) => JSON.parse(p).text as string).sort();
}
async function onX(account: string): Promise<string[]> {
  return (await sb.tweets(account)).map((t) => t.text);
}

async function farm(writers: Array<[string, string, string[]?]>) {
  await ok(['create', 'r1', 'reader', ...creds('owner')]);
  for (const [name, template, extra] of writers) await ok(['create', name, 'writer', '--reader', 'r1', '--template', template, '--grab', '1', ...creds(name), ...(extra ?? [])]);
}

describe('tfctl tick', () => {
  it('reads once, posts correctly inflected texts, and spends the minimum of API calls', async () => {
    await farm([['w_gent', 'Жизнь без {noun:gent,plur} не та.'], ['w_loct', 'Всю ночь думал о {noun:loct}.'], ['w_nomn', '%s – это когда тебя любят.']]);
    mode = 'process'; // the ticks, list and show as cron and an operator run them
    await sb.resetRequests();
    const first = await tickJson();
    expect(first.code, first.stderr).toBe(0);
    expect(first.report.summary).toMatchObject({ fetched: 5, posted: 3, failed: 0 });

    // The oldest cached tweet is "Сегодня кошка спала на диване весь день": its first noun is кошка.
    expect(await onX('w_gent')).toEqual(['Жизнь без кошек не та.']);
    expect(await onX('w_loct')).toEqual(['Всю ночь думал о кошке.']);
    expect(await onX('w_nomn')).toEqual(['Кошка – это когда тебя любят.']);

    const calls = await sb.requests();
    expect(calls['GET /2/users/:id/timelines/reverse_chronological']).toBe(1);
    expect(calls['POST /2/tweets']).toBe(3);
    expect(calls['GET /2/users/me'] ?? 0).toBe(0);

    // Nothing is due a second later: no bot runs and no API call is made.
    await sb.resetRequests();
    const second = await tickJson();
    expect(second.report.summary).toMatchObject({ ran: 0, posted: 0 });
    expect(total(await sb.requests())).toBe(0);

    // --force runs everything again: new texts from the next tweets, never a repeat.
    const third = await tickJson(['--force']);
    expect(third.report.summary.posted).toBe(3);
    for (const w of ['w_gent', 'w_loct', 'w_nomn']) {
      const texts = await onX(w);
      expect(texts).toHaveLength(2);
      expect(new Set(texts).size).toBe(2);
    }
    expect(await onX('w_gent')).toContain('Жизнь без книг не та.'); // from the next tweet: its batch (grab 1) was used up
    const list = JSON.parse((await ok(['list', '--json'])).stdout) as Array<{ name: string; posted: number; unprocessed: number | null; cached: number | null }>;
    expect(list.find((b) => b.name === 'w_gent')).toMatchObject({ posted: 2, unprocessed: 3 });
    const shown = JSON.parse((await ok(['show', 'w_gent', '--json'])).stdout) as { recent_posts: Array<{ text: string }> };
    expect(shown.recent_posts.map((p) => p.text)).toEqual(['Жизнь без книг не та.', 'Жизнь без кошек не та.']);
    // The first tweet, processed by every writer, has been trimmed from the cache.
    expect(list.find((b) => b.name === 'r1')).toMatchObject({ cached: 4 });
  });

  it('two runs started together post each writer\'s quota once', async () => {
    await farm([['w_gent', 'Опять думаю про {noun:accs,plur}.', ['--per-tick', '2', '--grab', '3']], ['w_nomn', 'Утро. {Noun}. Кофе.', ['--per-tick', '2', '--grab', '3']]]);
    mode = 'process'; // two runs at once are two processes, as two cron jobs or hosts would be
    // As cron runs them (no --force): however far apart the two start, a writer one of them ticked is not due
    // for the other, and one that both listed is skipped by the second ("ticked by another run").
    const [a, b] = await Promise.all([tickJson([]), tickJson([])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.report.summary.posted + b.report.summary.posted).toBe(4);
    for (const w of ['w_gent', 'w_nomn']) {
      const mine = (await postedTexts(w)).length;
      expect(mine).toBe(2);
    }
  });

  it('keeps every tweet through 503s and posts nothing twice once the fault clears', async () => {
    await farm([['w_gent', 'Снова без {noun:gent}.']]);
    await ok(['tick', 'r1']);
    await sb.fault('/2/tweets', 503, 2, 'POST');
    const failed = await tickJson(['--force', 'w_gent']);
    expect(failed.code).toBe(1);
    expect(failed.report.bots[0]).toMatchObject({ name: 'w_gent', status: 'failed' });
    expect(((await client.xpending(`${env.TFCTL_PREFIX}:{r1}:timeline`, 'w_gent')) as unknown[])[0]).toBe(1);
    expect((await tickJson(['--force', 'w_gent'])).code).toBe(1); // the second 503
    const healed = await tickJson(['--force', 'w_gent']);
    expect(healed.code, healed.stderr).toBe(0);
    expect(healed.report.summary.posted).toBe(1);
    const before = await postedTexts('w_gent');
    expect(before).toEqual(['Снова без кошки.']); // the tweet kept through the faults is the one posted
    await tickJson(['--force', 'w_gent']);
    const after = await postedTexts('w_gent');
    expect(after).toHaveLength(2);
    expect(new Set(after).size).toBe(2);
  });

  it('a crash between the POST and the bookkeeping does not post twice', async () => {
    await farm([['w_gent', 'А вот и {noun:nomn,plur}!']]);
    await ok(['tick', 'r1']);
    // A tick killed at the writer's after-post hook: the POST went through, the bookkeeping did not.
    const crashed = await runBin(CRASH_TICK, ['after-post', 'w_gent'], env);
    expect(crashed.code, crashed.stderr + crashed.stdout).not.toBe(0);
    expect(crashed.stderr).not.toMatch(/never reached/);
    expect(await onX('w_gent')).toContain('А вот и кошки!');
    const onXBefore = (await onX('w_gent')).length;

    // The dead run still holds the bot's lock, so an immediate tick leaves the bot alone; the lock
    // carries a TTL and expires by itself. Expire it now rather than wait.
    const lock = `${env.TFCTL_PREFIX}:lock:{w_gent}`;
    expect((await tickJson(['--force', 'w_gent'])).report.bots[0]!.detail).toMatch(/busy/);
    expect(await client.pttl(lock)).toBeGreaterThan(0);
    await client.del(lock);

    const next = await tickJson(['--force', 'w_gent']);
    expect(next.code, next.stderr).toBe(0);
    const texts = await onX('w_gent');
    expect(texts.filter((t) => t === 'А вот и кошки!')).toHaveLength(1);
    // The recovered post is recorded, and was the post of the due time this tick serves: nothing new.
    expect(texts.length).toBe(onXBefore);
    expect(await postedTexts('w_gent')).toContain('А вот и кошки!');
    // The next tick uses the next tweet.
    expect((await tickJson(['--force', 'w_gent'])).code).toBe(0);
    expect((await onX('w_gent')).length).toBe(onXBefore + 1);
  });

  it("one bot's 429 pauses only that bot, and a revoked token marks only that bot failing", async () => {
    await farm([['w_gent', 'Ещё немного {noun:gent}.'], ['w_loct', 'Снова о {noun:loct}.']]);
    await ok(['tick', 'r1']);
    await sb.fault('/2/tweets', 429, 1, 'POST');
    const limited = await tickJson(['--force', '--concurrency', '1', 'w_gent', 'w_loct']);
    expect(limited.code).toBe(0);
    expect(limited.report.bots.map((b) => b.status).sort()).toEqual(['ok', 'rate_limited']);
    const paused = limited.report.bots.find((b) => b.status === 'rate_limited')!.name;
    const again = await tickJson(['--force', 'w_gent', 'w_loct']);
    expect(again.report.bots.find((b) => b.name === paused)).toMatchObject({ status: 'skipped' });
    expect(again.report.bots.find((b) => b.name === paused)!.detail).toMatch(/rate-limited until/);

    // Revoke the other writer's tokens: it fails, is marked failing with the reason, and keeps its data.
    const other = paused === 'w_gent' ? 'w_loct' : 'w_gent';
    const postsBefore = await postedTexts(other);
    await sb.revoke(other);
    const revoked = await tickJson(['--force', other]);
    expect(revoked.code).toBe(1);
    const shown = JSON.parse((await ok(['show', other, '--json'])).stdout);
    expect(shown.status).toBe('failing');
    expect(shown.last_error).toMatch(/auth/i);
    expect(await postedTexts(other)).toEqual(postsBefore);
    const list = JSON.parse((await ok(['list', '--json'])).stdout) as Array<{ name: string; status: string }>;
    expect(list.filter((b) => b.status === 'failing').map((b) => b.name)).toEqual([other]);
    // A failing bot stays off, so cron does not hammer X with dead tokens.
    const later = await tickJson(['--force', other]);
    expect(later.report.bots[0]).toMatchObject({ status: 'skipped' });
  });

  it('--dry-run composes without posting or changing anything', async () => {
    await farm([['w_gent', 'Жизнь без {noun:gent,plur} не та.']]);
    await ok(['tick', 'r1']);
    const before = await client.xinfo('GROUPS', `${env.TFCTL_PREFIX}:{r1}:timeline`);
    const r = await ok(['tick', '--dry-run', '--force', 'w_gent']);
    expect(r.stdout).toContain('would post: Жизнь без кошек не та.');
    expect(await client.xinfo('GROUPS', `${env.TFCTL_PREFIX}:{r1}:timeline`)).toEqual(before);
    expect(await postedTexts('w_gent')).toEqual([]);
  });

  it('refuses an unknown bot name with exit 2', async () => {
    const r = await tfctl(['tick', 'ghost'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown bot "ghost"/);
  });
});

function total(calls: Record<string, number>): number {
  return Object.values(calls).reduce((a, b) => a + b, 0);
}
