import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config.js';
import { runCli } from '../helpers/inproc.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';

/**
 * The bot registry through the commands, run in-process (the real program and each command's run(),
 * output to buffers). test/e2e/registry.test.ts runs each command once as a process.
 */
let redis: PrivateRedis;
let client: Redis;
let env: Config;

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

/** `tfctl ARGS` in-process; `with` changes the configuration (e.g. another prefix). */
const cli = (args: string[], config: Config = env) => runCli(args, config);

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  env = { ...loadConfig({}), redisUrl: redis.url, prefix: 'tf' };
});
afterAll(async () => redis?.stop());
beforeEach(async () => redis.flush());

async function expectUsageError(args: string[], pattern: RegExp) {
  const before = await snapshot();
  const r = await cli(args);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines.some((l) => pattern.test(l)), r.stderr).toBe(true);
  expect(await snapshot()).toBe(before);
  return r;
}

describe('the bot registry, in-process', () => {
  it('changes settings with set and validates them all before writing', async () => {
    await cli(['create', 'r1', 'reader'], env);
    await cli(['create', 'r2', 'reader'], env);
    await cli(['create', 'w1', 'writer', '--reader', 'r1', '--template', '{noun:gent} нет'], env);
    let r = await cli(['set', 'w1', 'every=30m', 'per-tick=2', 'grab=5', 'paused=yes'], env);
    expect(r.code, r.stderr).toBe(0);
    r = await cli(['show', 'w1', '--json'], env);
    expect(JSON.parse(r.stdout)).toMatchObject({ every: '30m', per_tick: 2, grab: 5, paused: true, status: 'paused' });

    await expectUsageError(['set', 'w1', 'every=2h', 'grab=0'], /invalid grab "0"/);
    await expectUsageError(['set', 'w1', 'colour=red'], /unknown setting "colour"/);
    await expectUsageError(['set', 'r1', 'template=%s'], /for writers/);
    await expectUsageError(['set', 'w1', 'reader=nobody'], /unknown reader or collector "nobody"/);
    await expectUsageError(['set', 'w1', 'template={noun:gentt}'], /gentt/);

    r = await cli(['set', 'w1', 'reader=r2'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(await client.xinfo('GROUPS', 'tf:{r2}:timeline')).toHaveLength(1);
    expect(await client.xinfo('GROUPS', 'tf:{r1}:timeline')).toHaveLength(0);
    r = await cli(['destroy', 'r1', '--yes'], env);
    expect(r.code, r.stderr).toBe(0);
  });

  it('answers bad input with exit 2, one line, and no change', async () => {
    await cli(['create', 'r1', 'reader'], env);
    await expectUsageError(['create', 'bad name', 'reader'], /invalid bot name/);
    await expectUsageError(['create', 'r1', 'reader'], /exists already/);
    await expectUsageError(['create', 'x', 'poster'], /unknown role "poster"/);
    await expectUsageError(['create', 'w1', 'writer', '--reader', 'ghost', '--template', '%s'], /unknown reader or collector "ghost"/);
    await expectUsageError(['create', 'w1', 'writer', '--template', '%s'], /needs --source or --reader/);
    await expectUsageError(['create', 'w1', 'writer', '--reader', 'r1', '--template', '%s', '--every', 'soon'], /invalid every "soon"/);
    await expectUsageError(['create', 'w1', 'writer', '--reader', 'r1', '--template', '%s', '--per-tick', 'many'], /invalid per-tick/);
    await expectUsageError(['create', 'r2', 'reader', '--template', '%s'], /writers only/);
    await expectUsageError(['create', 'r2', 'reader', '--token', 'only-token'], /go together/);
    await expectUsageError(['destroy', 'ghost', '--yes'], /unknown bot "ghost"/);
    await expectUsageError(['create'], /missing required argument/);
    expect((await cli([], env)).code).toBe(2); // no command at all
    expect((await cli(['--help'], env)).code).toBe(0);
  });

  it('a writer cannot use a writer as its reader', async () => {
    await cli(['create', 'r1', 'reader'], env);
    await cli(['create', 'w1', 'writer', '--reader', 'r1', '--template', '%s'], env);
    await expectUsageError(['create', 'w2', 'writer', '--reader', 'w1', '--template', '%s'], /"w1" is a writer, not a reader/);
  });

  it('destroys a writer and all its keys, and its consumer group', async () => {
    await cli(['create', 'r1', 'reader'], env);
    await cli(['create', '@w1', 'writer', '--reader', 'r1', '--template', '%s'], env);
    const r = await cli(['destroy', 'w1', '--yes'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(await client.keys('tf:*{w1}*')).toEqual([]);
    expect(await client.smembers('tf:{farm-wide}:bots')).toEqual(['r1']);
    expect(await client.xinfo('GROUPS', 'tf:{r1}:timeline')).toHaveLength(0);
  });

  it('keeps farms apart by prefix', async () => {
    await cli(['create', 'r1', 'reader'], { ...env, prefix: 'farmA' });
    const r = await cli(['list', '--json'], { ...env, prefix: 'farmB' });
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

});

describe('kind-specific commands, in-process', () => {
  it('previews what a writer would post from its source, takes nothing, and refuses a kind without a preview', async () => {
    await cli(['create', 'r1', 'reader']);
    await cli(['create', 'w1', 'writer', '--source', 'r1', '--template', 'Жизнь без {noun:gent,plur}.']);
    await client.xadd('tf:{r1}:timeline', '*', 'id', '101', 'author', 'masha', 'author_id', '42', 'text', 'Кошки спят в шкафу.', 'created_at', '');
    const before = await snapshot();
    let r = await cli(['preview', 'w1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const items = JSON.parse(r.stdout) as Array<{ source: string; noun: string; text: string; posted_before: boolean }>;
    expect(items.map((i) => [i.source, i.noun, i.text, i.posted_before])).toEqual([
      ['101', 'кошка', 'Жизнь без кошек.', false],
      ['101', 'шкаф', 'Жизнь без шкафов.', false],
    ]);
    r = await cli(['preview', 'w1']);
    expect(r.stdout).toBe('tweet 101: Кошки спят в шкафу.\n  [кошка] Жизнь без кошек.\n  [шкаф] Жизнь без шкафов.\n');
    r = await cli(['preview', 'w1', '--text', 'Собаки лают.']);
    expect(r.stdout).toContain('[собака] Жизнь без собак.');
    expect(await snapshot()).toBe(before);
    r = await cli(['preview', 'r1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/r1 is a reader, which has no preview/);
  });

  it("shows a writer's recent posts, and gives create, set and show one JSON shape", async () => {
    let r = await cli(['create', 'r1', 'reader', '--json']);
    const created = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(created).toMatchObject({ name: 'r1', role: 'reader', reader: null, every: '1h', cached: 0, token: 'missing' });
    await cli(['create', 'w1', 'writer', '--reader', 'r1', '--template', '%s!']);
    await client.lpush('tf:{w1}:posts', JSON.stringify({ id: '555', text: 'Кошка!', source: '101', noun: 'кошка', at: Date.UTC(2024, 0, 1) }));
    r = await cli(['set', 'w1', 'grab=7', '--json']);
    const set = JSON.parse(r.stdout) as Record<string, unknown>;
    r = await cli(['show', 'w1', '--json']);
    const shown = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ reader: 'r1', template: '%s!', per_tick: 1, grab: 7, unprocessed: 0, recent_posts: [{ id: '555', at: '2024-01-01T00:00:00.000Z', text: 'Кошка!' }] });
    const { recent_posts: _posts, ...rest } = shown;
    expect(Object.keys(set)).toEqual(Object.keys(rest));
    r = await cli(['show', 'w1']);
    expect(r.stdout).toMatch(/^template: %s!$/m);
    expect(r.stdout).toMatch(/^recent posts:\n {2}2024-01-01T00:00:00.000Z {2}555 {2}Кошка!$/m);
    expect(Object.keys(JSON.parse((await cli(['show', 'r1', '--json'])).stdout))).not.toContain('recent_posts');
  });
});
