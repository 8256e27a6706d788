import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runBin, tfctl } from '../helpers/cli.js';
import { runCli } from '../helpers/inproc.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';

const CRASH_TICK = fileURLToPath(new URL('../helpers/crash-tick.mjs', import.meta.url));
const HOUR = 3_600_000;

/**
 * Schedulers end to end: a private Redis, the X API sandbox, and the farm on the sandbox's clock
 * (TFCTL_CLOCK=sandbox), moved forward an hour at a time as cron would find it. Drafts are added by the
 * CLI as a user does (files and stdin, a child process); ticks run in-process (the real program), and
 * a crash is a process of its own killed with SIGKILL.
 */
let redis: PrivateRedis;
let client: Redis;
let sb: TestSandbox;
let env: Record<string, string>;
let dir: string;
let farmNo = 0;
const accounts = new Map<string, Creds>();

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  sb = await startTestSandbox({ tier: 'pro' });
  for (const name of ['sched', 'recycler', 'inboxer']) accounts.set(name, await sb.account(name));
  env = { REDIS_URL: redis.url, ...sb.cliEnv, TFCTL_CLOCK: 'sandbox' };
  dir = mkdtempSync(join(tmpdir(), 'tfctl-sched-'));
});
afterAll(async () => {
  await sb?.close();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  env.TFCTL_PREFIX = `sched${++farmNo}`;
});

const inproc = (args: string[]) => runCli(args, loadConfig(env));
const creds = (name: string) => ['--token', accounts.get(name)!.token, '--secret', accounts.get(name)!.secret];

async function ok(args: string[], how: 'process' | 'in-process' = 'in-process', input?: string) {
  const r = how === 'process' ? await tfctl(args, env, input) : await inproc(args);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

async function tick(name: string) {
  const r = await inproc(['tick', name, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { bots: Array<{ status: string; detail: string; posts?: Array<{ text: string }> }> }).bots[0]!;
}

describe('scheduler', () => {
  it('posts one draft per 8 sandbox hours in queue order, none twice over 48 hours with a kill -9 in the middle', async () => {
    await ok(['create', 's1', 'scheduler', '--every', '8h', ...creds('sched')], 'process');
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.txt');
    writeFileSync(a, 'Первый черновик.   \n# a comment\n\nВторой черновик.\n');
    writeFileSync(b, 'Третий,\nв две строки.\n---\nЧетвёртый.\n');
    const added = await ok(['drafts', 'add', 's1', a, b], 'process');
    expect(added.stdout).toMatch(/added 4 draft/);
    // stdin, and the same draft again: refused with its place, the rest imported.
    const more = await ok(['drafts', 'add', 's1', '-'], 'process', 'Пятый, из stdin.\nВторой черновик.\n');
    expect(more.stdout).toMatch(/added 1 draft.*1 refused/);
    expect(more.stderr).toContain('-:2: duplicate of draft 2');
    // --strict: a file with a draft over 280 imports nothing, exit 2, the line named.
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, `Шестой.\n${'я'.repeat(281)}\n`);
    const strict = await tfctl(['drafts', 'add', 's1', bad, '--strict'], env);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(`${bad}:2: too long: 281 weighted characters`);

    const queued = JSON.parse((await ok(['drafts', 'list', 's1', '--json'])).stdout) as Array<{ id: string; text: string; position: number }>;
    const order = ['Первый черновик.', 'Второй черновик.', 'Третий,\nв две строки.', 'Четвёртый.', 'Пятый, из stdin.'];
    expect(queued.map((d) => d.text)).toEqual(order);

    // 48 sandbox hours, a cron run every hour; the run of hour 16 is killed after X answered its POST.
    const start = (await sb.advance(0)).now_ms;
    for (let h = 0; h <= 48; h++) {
      if (h > 0) await sb.advance(3600);
      if (h === 16) {
        // Its lock outlives it only for its TTL (short here, so the test need not wait two minutes).
        const crashed = await runBin(CRASH_TICK, ['after-post', 's1'], { ...env, TFCTL_LOCK_TTL_MS: '1000' });
        expect(crashed.code, crashed.stderr).not.toBe(0);
        expect(crashed.stderr).not.toMatch(/never reached/);
        await new Promise((r) => setTimeout(r, 1100));
        continue;
      }
      const r = await tick('s1');
      expect(r.status, `hour ${h}: ${r.detail}`).not.toBe('failed');
    }
    const onX = (await sb.tweets('sched')).sort((x, y) => Date.parse(x.created_at) - Date.parse(y.created_at));
    expect(onX.map((t) => t.text)).toEqual(order);
    const hours = onX.map((t) => Math.round((Date.parse(t.created_at) - start) / HOUR));
    expect(hours).toEqual([0, 8, 16, 25, 33]); // the crashed run's post is recovered at 17, counted as that period's
    for (let i = 1; i < onX.length; i++) expect(Date.parse(onX[i]!.created_at) - Date.parse(onX[i - 1]!.created_at)).toBeGreaterThanOrEqual(8 * HOUR - 60_000);

    // The farm's own record agrees, and the queue is empty.
    const all = JSON.parse((await ok(['drafts', 'list', 's1', '--all', '--json'])).stdout) as Array<{ status: string; uses: number }>;
    expect(all.map((d) => [d.status, d.uses])).toEqual(order.map(() => ['posted', 1]));
    const show = JSON.parse((await ok(['show', 's1', '--json'])).stdout) as Record<string, unknown>;
    expect(show.queue_length).toBe(0);
    expect(show.unprocessed).toBe(0);
    expect(await client.hlen(`${env.TFCTL_PREFIX}:{s1}:intents`)).toBe(0);
    // One event when the queue ran empty (at hour 33, with the last draft), not one per idle tick after it.
    const events = (await ok(['events', '--bot', 's1', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; at: string });
    const empty = events.filter((e) => e.type === 'queue_empty');
    expect(empty).toHaveLength(1);
    expect(Math.round((Date.parse(empty[0]!.at) - start) / HOUR)).toBe(33);
  });

  it('with --recycle posts the draft posted longest ago once its cooldown passed, skipping one X still has', async () => {
    await ok(['create', 's2', 'scheduler', '--every', '1h', '--recycle', 'true', '--cooldown', '2h', '--max-uses', '2', ...creds('recycler')]);
    await ok(['drafts', 'add', 's2', '-'], 'process', 'Раз.\nДва.\n');
    // The sandbox refuses an identical live text: "Раз." is deleted on X after its first post, "Два." is not.
    const hourly: string[] = [];
    for (let h = 0; h < 8; h++) {
      if (h > 0) await sb.advance(3600);
      const r = await tick('s2');
      hourly.push(`${r.status}:${r.posts?.map((p) => p.text).join('|') ?? ''}`);
      if (h === 0) {
        const raz = (await sb.tweets('recycler')).find((t) => t.text === 'Раз.')!;
        await sb.client(accounts.get('recycler')!).v2.deleteTweet(raz.id);
      }
    }
    expect(hourly[0]).toBe('ok:Раз.');
    expect(hourly[1]).toBe('ok:Два.');
    expect(hourly[2]).toBe('ok:Раз.'); // recycled: its cooldown passed, X no longer has it
    expect(hourly[3]).toMatch(/^idle:/); // "Два." is still on X: the 403 skips it, its text untouched
    const rows = JSON.parse((await ok(['drafts', 'list', 's2', '--all', '--json'])).stdout) as Array<{ text: string; uses: number }>;
    expect(rows.find((r) => r.text === 'Раз.')!.uses).toBe(2);
    expect(rows.find((r) => r.text === 'Два.')!.uses).toBe(1);
    // Max uses reached for "Раз.", "Два." always a duplicate: nothing else was ever posted, no altered text.
    expect(hourly.slice(4).every((x) => x.startsWith('idle:'))).toBe(true);
    expect((await sb.tweets('recycler')).map((t) => t.text).sort()).toEqual(['Два.', 'Раз.']);
  });

  it('--inbox imports a dropped file once and moves it; a bad one goes to rejected/ with a .why', async () => {
    const inbox = join(dir, 'inbox');
    await ok(['create', 's3', 'scheduler', '--every', '1h', '--inbox', inbox, ...creds('inboxer')]);
    // No inbox folder yet: the tick fails, saying so.
    const missing = await inproc(['tick', 's3', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(`cannot read the inbox ${inbox}`);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(inbox, { recursive: true });
    writeFileSync(join(inbox, 'monday.txt'), 'Из папки один.\nИз папки два.\n');
    writeFileSync(join(inbox, 'notes.md'), 'not a draft file\n');
    await sb.advance(3600);
    const first = await tick('s3');
    expect(first.detail).toMatch(/imported 2 draft\(s\) from 1 file/);
    expect(first.posts?.map((p) => p.text)).toEqual(['Из папки один.']);
    expect(existsSync(join(inbox, 'monday.txt'))).toBe(false);
    expect(readFileSync(join(inbox, 'imported', 'monday.txt'), 'utf8')).toBe('Из папки один.\nИз папки два.\n');
    expect(existsSync(join(inbox, 'notes.md'))).toBe(true);

    writeFileSync(join(inbox, 'tuesday.txt'), `Хороший.\n${'я'.repeat(300)}\n`);
    await sb.advance(3600);
    const second = await tick('s3');
    expect(second.detail).toMatch(/rejected tuesday\.txt/);
    expect(readdirSync(join(inbox, 'rejected')).sort()).toEqual(['tuesday.txt', 'tuesday.txt.why']);
    expect(readFileSync(join(inbox, 'rejected', 'tuesday.txt.why'), 'utf8')).toContain('tuesday.txt:2: too long: 300 weighted characters');
    const queued = JSON.parse((await ok(['drafts', 'list', 's3', '--json'])).stdout) as Array<{ text: string }>;
    expect(queued.map((d) => d.text)).toEqual([]); // "Из папки два." went out in the second tick; nothing of tuesday.txt was imported
    expect(second.posts?.map((p) => p.text)).toEqual(['Из папки два.']);
  });
});
