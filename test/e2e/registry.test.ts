import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { BIN, tfctl } from '../helpers/cli.js';
import { FarmStore } from '../../src/store/farm-store.js';

let redis: PrivateRedis;
let client: Redis;
let env: Record<string, string>;

/** Every key of the farm with its type and content, to prove a failed command changed nothing. */
async function snapshot(): Promise<string> {
  const keys = (await client.keys('*')).sort(); // tests may use KEYS on their private server
  const parts: string[] = [];
  for (const k of keys) {
    const type = await client.type(k);
    const value = type === 'hash' ? await client.hgetall(k) : type === 'set' ? (await client.smembers(k)).sort() : type === 'stream' ? await client.xinfo('GROUPS', k) : type;
    parts.push(`${k} ${type} ${JSON.stringify(value)}`);
  }
  return parts.join('\n');
}

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  env = { REDIS_URL: redis.url, TFCTL_PREFIX: 'tf' };
});
afterAll(async () => redis?.stop());
beforeEach(async () => redis.flush());

async function expectUsageError(args: string[], pattern: RegExp) {
  const before = await snapshot();
  const r = await tfctl(args, env);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines.some((l) => pattern.test(l)), r.stderr).toBe(true);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(await snapshot()).toBe(before);
  return r;
}

describe('the bot registry through the CLI', () => {
  it('creates a reader and a writer, lists and shows them, and protects the reader', async () => {
    let r = await tfctl(['create', 'r1', 'reader', '--token', 'READER-TOKEN-123', '--secret', 'READER-SECRET-456'], env);
    expect(r.code, r.stderr).toBe(0);
    r = await tfctl(['create', 'w1', 'writer', '--reader', 'r1', '--template', '%s – это когда тебя любят.'], env);
    expect(r.code, r.stderr).toBe(0);

    r = await tfctl(['list', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(list.map((b) => [b.name, b.role])).toEqual([['r1', 'reader'], ['w1', 'writer']]);
    expect(list[1]).toMatchObject({ reader: 'r1', unprocessed: 0, posted: 0, status: 'due' });

    r = await tfctl(['show', 'w1', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const w1 = JSON.parse(r.stdout);
    expect(w1).toMatchObject({ name: 'w1', role: 'writer', reader: 'r1', template: '%s – это когда тебя любят.', every: '1h', per_tick: 1, grab: 3, token: 'missing', secret: 'missing' });

    r = await tfctl(['show', 'r1', '--json'], env);
    expect(JSON.parse(r.stdout)).toMatchObject({ token: 'set', secret: 'set' });
    for (const args of [['list'], ['list', '--json'], ['show', 'r1'], ['show', 'r1', '--json']]) {
      const out = await tfctl(args, env);
      expect(out.stdout + out.stderr).not.toMatch(/READER-(TOKEN|SECRET)/);
    }

    r = await expectUsageError(['destroy', 'r1', '--yes'], /w1/);
    r = await expectUsageError(['destroy', 'r1'], /w1/);
    r = await expectUsageError(['show', 'nope'], /unknown bot "nope"/);
  });

  it('answers bad input with exit 2, one line, no stack trace, and no change', async () => {
    await tfctl(['create', 'r1', 'reader'], env);
    await expectUsageError(['create', 'w1', 'writer', '--reader', 'ghost', '--template', '%s'], /unknown reader or collector "ghost"/);
    await expectUsageError(['set', 'r1', 'template=%s'], /for writers/);
    await expectUsageError(['create'], /missing required argument/);
    expect((await tfctl([], env)).code).toBe(2); // no command at all
    expect((await tfctl(['--help'], env)).code).toBe(0);
  });

  it('forgets the old account when a bot gets new tokens', async () => {
    await tfctl(['create', 'r1', 'reader', '--token', '11-old', '--secret', 'old'], env);
    await client.hset('tf:bot:{r1}', 'user_id', '11', 'username', 'old_owner');
    const r = await tfctl(['set', 'r1', 'token=22-new', 'secret=new'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(await client.hmget('tf:bot:{r1}', 'token', 'user_id', 'username')).toEqual(['22-new', null, null]);
  });

  it('stops quietly when its reader closes the pipe (tfctl list | head)', async () => {
    await tfctl(['create', 'r1', 'reader'], env);
    // Enough bots that the listing overflows the pipe's buffer, so the child is still writing when it closes.
    const pipe = client.pipeline();
    for (let i = 0; i < 3000; i++) pipe.hset(`tf:bot:{w${i}}`, 'role', 'writer', 'reader', 'r1', 'template', '%s').sadd('tf:{farm-wide}:bots', `w${i}`);
    await pipe.exec();
    // A real shell pipe into head, as users hit it (a child's stdio socket buffers too much to show it).
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('bash', ['-c', 'err=$(mktemp); "$0" "$1" list 2>"$err" | head -1 >/dev/null; echo "${PIPESTATUS[0]}"; cat "$err"; rm -f "$err"', process.execPath, BIN], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    const [code, ...stderr] = r.stdout.split('\n');
    expect(stderr.join('\n').trim()).toBe('');
    expect(code).toBe('0');
  });

  it('still logs what ioredis does when DEBUG asks for it', async () => {
    await tfctl(['create', 'r1', 'reader'], env);
    // (`list` does not load ioredis: see src/store/oneshot.ts.)
    const r = await tfctl(['show', 'r1'], { ...env, DEBUG: 'ioredis:redis' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ioredis:redis status\[127\.0\.0\.1:\d+\]: connecting -> connect/);
    expect(r.stdout).toMatch(/^name: r1$/m);
  });

  it('writes a listing larger than a pipe holds in full before it exits', async () => {
    const store = new FarmStore(client, 'tf');
    const names = Array.from({ length: 2500 }, (_, i) => `r${String(i).padStart(4, '0')}`);
    await Promise.all(names.map((name) => store.create({ name, role: 'reader', every: 3600, paused: false })));
    const r = await tfctl(['list'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(65536);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2 + names.length); // the farm's name, the column heads, the bots
    expect(lines.at(-1)).toMatch(/^r2499 +reader +due +0 cached +0$/);
  });

  it('exits 1 with one line naming the URL when Redis cannot be reached', async () => {
    for (const args of [['list'], ['show', 'w1'], ['create', 'r9', 'reader']]) {
      const r = await tfctl(args, { REDIS_URL: 'redis://127.0.0.1:1/0' });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('redis://127.0.0.1:1/0');
      expect(r.stderr).toContain('ECONNREFUSED');
    }
  });
});
