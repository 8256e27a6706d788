import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { BIN, tfctl } from '../helpers/cli.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * `tfctl stream` as a supervisor runs it: a child process on the filtered stream of the sandbox, rules
 * changed while it runs, a disconnect, and credentials X refuses.
 */
let redis: PrivateRedis;
let client: Redis;
let sb: TestSandbox;
let env: Record<string, string>;
let farmNo = 0;

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  sb = await startTestSandbox({ tier: 'pro' });
  for (const u of ['coll_acct', 'bob', 'carol']) await sb.account(u);
  env = { REDIS_URL: redis.url, ...sb.cliEnv };
});
afterAll(async () => {
  await sb?.close();
  await redis?.stop();
});
beforeEach(() => {
  env.TFCTL_PREFIX = `str${++farmNo}`;
});

async function ok(args: string[], extra: Record<string, string> = {}) {
  const r = await tfctl(args, { ...env, ...extra });
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

interface Running {
  child: ChildProcess;
  events: Array<Record<string, unknown>>;
  exited: Promise<number>;
  waitFor(event: string, n?: number, ms?: number): Promise<Record<string, unknown>>;
}

function startStream(name: string, extra: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [BIN, 'stream', name, '--heartbeat', '1s'], { env: { ...process.env, TFCTL_DEBUG: '', ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Array<Record<string, unknown>> = [];
  let buf = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        events.push(JSON.parse(line));
      } catch {
        events.push({ event: 'text', line });
      }
    }
  });
  const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
  return {
    child,
    events,
    exited,
    async waitFor(event, n = 1, ms = 30_000) {
      const end = Date.now() + ms;
      for (;;) {
        const hits = events.filter((e) => e.event === event);
        if (hits.length >= n) return hits[n - 1]!;
        if (Date.now() > end || child.exitCode !== null) throw new Error(`no ${event} #${n}; stderr:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

async function xRules(): Promise<Array<{ id: string; value: string; tag?: string }>> {
  const c = await sb.bearerClient();
  return (await c.v2.get<{ data?: Array<{ id: string; value: string; tag?: string }> }>('tweets/search/stream/rules')).data ?? [];
}

async function tailIds(name: string): Promise<Array<{ id: string; text: string; via: string; matching_rules: Array<{ id: string }> }>> {
  const r = await ok(['tail', name, '--json', '-n', '1000']);
  return r.stdout.trim() ? r.stdout.trim().split('\n').map((l) => JSON.parse(l)) : [];
}

async function until<T>(fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tfctl stream', () => {
  it('puts a rule added while it runs on X within a second, collects a matching tweet, and fills the gap after a disconnect', async () => {
    await ok(['create', 'sc', 'collector']);
    await ok(['rules', 'add', 'sc', 'кошка', '--tag', 'cats']);
    const s = startStream('sc');
    try {
      await s.waitFor('gap_filled');
      expect((await xRules()).map((r) => r.value)).toEqual(['кошка']);
      expect(await client.hlen(`${env.TFCTL_PREFIX}:{sc}:x_rules`)).toBe(1);
      expect(Number(await client.get(`${env.TFCTL_PREFIX}:{sc}:heartbeat`))).toBeGreaterThan(0);

      await ok(['rules', 'add', 'sc', '"дождливый день"', '--tag', 'rain']);
      const added = Date.now();
      await until(async () => (await xRules()).some((r) => r.value === '"дождливый день"'), 5_000);
      expect(Date.now() - added).toBeLessThan(1000);

      const t1 = await sb.tweet('bob', 'Кошка и дождливый день');
      const first = await until(async () => (await tailIds('sc')).find((t) => t.id === t1.id));
      expect(first.via).toBe('stream');
      expect(first.matching_rules.map((r) => r.id)).toEqual(['1', '2']);

      // Dropped by X; a tweet posted before it is back is found by the gap-filling search.
      await sb.disconnectStreams();
      const t2 = await sb.tweet('carol', 'Рыжая кошка');
      await s.waitFor('connected', 2);
      await s.waitFor('gap_filled', 2);
      const all = await until(async () => {
        const got = await tailIds('sc');
        return got.some((t) => t.id === t2.id) && got;
      });
      expect(all.filter((t) => t.id === t2.id)).toHaveLength(1);
      expect(all.map((t) => t.id)).toEqual([t1.id, t2.id]);
      expect(all[1]!.via).toBe('search'); // it was posted with no stream open: only the gap fill could find it

      // A removed rule leaves X too.
      await ok(['rules', 'rm', 'sc', '1']);
      await until(async () => !(await xRules()).some((r) => r.value === 'кошка'), 5_000);

      const shown = JSON.parse((await ok(['show', 'sc', '--json'])).stdout);
      expect(shown.stream_heartbeat_age_s).toBeLessThanOrEqual(2);
      // list and stats show the running stream's heartbeat age too.
      const listed = (JSON.parse((await ok(['list', '--json'])).stdout) as Array<Record<string, unknown>>).find((b) => b.name === 'sc')!;
      expect(listed.stream_heartbeat_age_s).toBeLessThanOrEqual(2);
      const stats = JSON.parse((await ok(['stats', '--json', '--no-influx'])).stdout) as { bots: Array<Record<string, unknown>> };
      expect(stats.bots.find((b) => b.name === 'sc')!.stream_heartbeat_age_s).toBeLessThanOrEqual(2);
      expect((await ok(['list'])).stdout).toMatch(/\nsc: \d+ rules?, .*; stream running, heartbeat \ds ago\n/);
    } finally {
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    }
    expect(await client.exists(`${env.TFCTL_PREFIX}:{sc}:heartbeat`)).toBe(0);
  });

  it('exits 3 on wrong app keys, and on a bearer token X has invalidated', async () => {
    await ok(['create', 'sx', 'collector']);
    await ok(['rules', 'add', 'sx', 'кошка']);
    const wrong = startStream('sx', { TFCTL_CONSUMER_SECRET: 'not-the-secret' });
    expect(await wrong.exited).toBe(3);

    const s = startStream('sx');
    await s.waitFor('connected');
    const bearer = (await client.get(`${env.TFCTL_PREFIX}:{farm-wide}:app:bearer`))!;
    const basic = Buffer.from(`${sb.app.consumer_key}:${sb.app.consumer_secret}`).toString('base64');
    const res = await fetch(`${sb.url}/oauth2/invalidate_token`, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: `access_token=${bearer}` });
    expect(res.status).toBe(200);
    await sb.disconnectStreams();
    expect(await s.exited).toBe(3);
    // The refused token is dropped: the next start asks X for a new one.
    expect(await client.exists(`${env.TFCTL_PREFIX}:{farm-wide}:app:bearer`)).toBe(0);
  });

  it('exits 3 when the app is not enrolled for the filtered stream (403 client-not-enrolled), without retrying', async () => {
    // X answers a Basic app's stream calls with 403 client-not-enrolled: no reconnect can change that.
    const basic = await startTestSandbox({ tier: 'basic' });
    try {
      await ok(['create', 'sb', 'collector', '--tier', 'basic']);
      await ok(['rules', 'add', 'sb', 'кошка']);
      const before = await basic.requests();
      const s = startStream('sb', basic.cliEnv);
      expect(await s.exited).toBe(3);
      const failed = s.events.find((e) => e.event === 'text' || e.event === 'error' || e.event === 'fatal');
      expect(JSON.stringify(s.events)).toMatch(/client-not-enrolled|not enrolled/);
      expect(failed).toBeDefined();
      // One refused call, not a loop of reconnects.
      const after = await basic.requests();
      const streamCalls = Object.entries(after).filter(([k]) => k.includes('/2/tweets/search/stream')).reduce((n, [k, v]) => n + v - (before[k] ?? 0), 0);
      expect(streamCalls).toBe(1);
    } finally {
      await basic.close();
    }
  });
});
