import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tfctl } from '../helpers/cli.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Farm as code through the CLI, as an operator runs it: a farm file applied to an empty farm, applied
 * again (nothing to do), edited (exactly that change, the bots' data kept), pruned, refused when wrong,
 * and a hand-made farm exported as a file and applied to an empty Redis.
 */
let redis: PrivateRedis;
let client: Redis;
let sb: TestSandbox;
let dir: string;
let env: Record<string, string>;
const accounts = new Map<string, Creds>();

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  sb = await startTestSandbox();
  for (const [name, creds] of await sb.seedHome('w1', 'w2')) accounts.set(name, creds);
  dir = mkdtempSync(join(tmpdir(), 'tfctl-apply-e2e-'));
  // The reader's secret comes from a file only its owner can read; every other secret from the environment.
  writeFileSync(join(dir, 'r1.secret'), `${accounts.get('owner')!.secret}\n`, { mode: 0o600 });
  env = {
    REDIS_URL: redis.url,
    TFCTL_PREFIX: 'tf',
    ...sb.cliEnv,
    R1_TOKEN: accounts.get('owner')!.token,
    W1_TOKEN: accounts.get('w1')!.token,
    W1_SECRET: accounts.get('w1')!.secret,
    W2_TOKEN: accounts.get('w2')!.token,
    W2_SECRET: accounts.get('w2')!.secret,
  };
});
afterAll(async () => {
  await sb?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[], extra: Record<string, string> = {}) => tfctl(args, { ...env, ...extra });
async function ok(args: string[], extra: Record<string, string> = {}) {
  const r = await run(args, extra);
  expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

/** Every key of the farm with its value (streams with their groups), to show what apply leaves alone. */
/** A sorted set's members and scores, from its snapshot (ZRANGE … WITHSCORES as JSON). */
function scores(snap: string): Record<string, string> {
  const flat = JSON.parse(snap) as string[];
  return Object.fromEntries(flat.flatMap((m, i) => (i % 2 === 0 ? [[m, flat[i + 1]!]] : [])));
}

async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const k of (await client.keys('*')).sort()) {
    const type = await client.type(k);
    let v: unknown;
    if (type === 'hash') v = await client.hgetall(k);
    else if (type === 'set') v = (await client.smembers(k)).sort();
    else if (type === 'list') v = await client.lrange(k, 0, -1);
    else if (type === 'zset') v = await client.zrange(k, '0', '-1', 'WITHSCORES');
    else if (type === 'string') v = await client.get(k);
    else if (type === 'stream') v = { entries: await client.xlen(k), groups: await client.xinfo('GROUPS', k) };
    out[k] = JSON.stringify(v);
  }
  return out;
}

const farmFile = (template: string, opts: { w2?: boolean; extra?: string } = {}) => `# the love farm
prefix: tf
defaults:
  writer:
    every: 30m
    grab: 1
bots:
  r1:
    kind: reader
    every: 10m
    token: env:R1_TOKEN
    secret: ./r1.secret
  w1:
    kind: writer
    source: r1
    template: "${template}"
    per-tick: 2
    token: env:W1_TOKEN
    secret: env:W1_SECRET
${
  opts.w2 === false
    ? ''
    : `  w2:
    kind: writer
    reader: r1
    template: "{noun:gent,plur} нет."
    token: env:W2_TOKEN
    secret: env:W2_SECRET
`
}${opts.extra ?? ''}`;

// Each step runs several cold CLI processes; on a busy machine that takes a while.
describe('tfctl diff / apply / export --yaml', { timeout: 180_000 }, () => {
  it('applies a farm file to an empty farm, sources first, and then finds nothing to do', async () => {
    const file = join(dir, 'farm.yaml');
    writeFileSync(file, farmFile('%s – это когда тебя любят.'));

    // An empty farm: everything to create, sources first; diff says so with exit 1.
    const plan = await run(['diff', file]);
    expect(plan.code, plan.stderr).toBe(1);
    expect(plan.stdout).toMatch(/^\+ reader r1\n[\s\S]*\n\+ writer w1\n[\s\S]*\n\+ writer w2\n/);
    expect(plan.stdout).toContain('    token: set\n');
    expect(plan.stdout.trim().split('\n').at(-1)).toBe('3 to create, 0 to change, 0 to destroy');
    for (const secret of [accounts.get('owner')!.secret, accounts.get('w1')!.token]) expect(plan.stdout + plan.stderr).not.toContain(secret);

    // Without --yes and without a terminal, apply refuses and changes nothing.
    const unconfirmed = await run(['apply', file]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/pass --yes/);
    expect(await client.keys('*')).toEqual([]);

    const first = await ok(['apply', file, '--yes']);
    expect(first.stdout).toMatch(/created reader r1\ncreated writer w1\ncreated writer w2\napplied: 3 created, 0 changed, 0 destroyed\n$/);
    const w1 = JSON.parse((await ok(['show', 'w1', '--json'])).stdout);
    expect(w1).toMatchObject({ role: 'writer', reader: 'r1', every: '30m', template: '%s – это когда тебя любят.', per_tick: 2, grab: 1, token: 'set', secret: 'set' });
    expect(JSON.parse((await ok(['show', 'r1', '--json'])).stdout)).toMatchObject({ every: '10m', token: 'set', secret: 'set' });

    // Applied again: nothing to do; diff exits 0.
    const again = await ok(['apply', file, '--yes']);
    expect(again.stdout).toBe(`no changes: the farm matches ${file}\n`);
    expect((await ok(['diff', file])).stdout).toBe(`no changes: the farm matches ${file}\n`);
  });

  it('applies an edited template as exactly that change, keeping every bot\'s data, and names a changed secret without showing it', async () => {
    const file = join(dir, 'farm.yaml');
    // The farm runs: the reader caches, the writers post.
    const ticked = JSON.parse((await ok(['tick', '--force', '--json'])).stdout) as { summary: { posted: number; fetched: number } };
    expect(ticked.summary).toMatchObject({ fetched: 5 });
    expect(ticked.summary.posted).toBeGreaterThan(0);
    const before = await snapshot();
    const listBefore = JSON.parse((await ok(['list', '--json'])).stdout) as Array<Record<string, unknown>>;

    // One template changes: diff shows exactly that field; apply changes it and nothing else.
    writeFileSync(file, farmFile('Всю ночь думал о {noun:loct}.'));
    const edit = await run(['diff', file, '--json']);
    expect(edit.code, edit.stderr).toBe(1);
    expect(JSON.parse(edit.stdout)).toEqual({
      file,
      prefix: 'tf',
      changes: true,
      create: [],
      change: [{ name: 'w1', kind: 'writer', fields: [{ key: 'template', from: '%s – это когда тебя любят.', to: 'Всю ночь думал о {noun:loct}.' }] }],
      destroy: [],
      kept: [],
    });
    expect((await ok(['apply', file, '--yes'])).stdout).toBe(
      '~ writer w1\n    template: "%s – это когда тебя любят." → "Всю ночь думал о {noun:loct}."\n0 to create, 1 to change, 0 to destroy\n' +
        'changed writer w1: template\napplied: 0 created, 1 changed, 0 destroyed\n',
    );
    const after = await snapshot();
    // Only w1's template field differs; its posted texts, its place in the reader's stream, the
    // reader's cache and every counter are as they were.
    const w1Key = 'tf:bot:{w1}';
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const k of Object.keys(before)) if (k !== w1Key) expect(after[k], k).toBe(before[k]);
    const [h0, h1] = [JSON.parse(before[w1Key]!), JSON.parse(after[w1Key]!)];
    expect(h1.template).toBe('Всю ночь думал о {noun:loct}.');
    expect({ ...h1, template: h0.template }).toEqual(h0);
    expect(JSON.parse((await ok(['list', '--json'])).stdout)).toEqual(listBefore);

    // A secret that changes is named, never shown.
    const newSecret = 'a-new-secret-value-for-w2';
    const secretDiff = await run(['diff', file], { W2_SECRET: newSecret });
    expect(secretDiff.code).toBe(1);
    expect(secretDiff.stdout).toBe(`~ writer w2\n    secret: changed\n0 to create, 1 to change, 0 to destroy\n`);
    expect(secretDiff.stdout + secretDiff.stderr).not.toContain(newSecret);
  });

  it('keeps a bot the file no longer names, and destroys it with --prune, touching nothing else', async () => {
    const file = join(dir, 'farm.yaml');

    // w2 leaves the file: kept without --prune, destroyed with it, and nothing else is touched.
    writeFileSync(file, farmFile('Всю ночь думал о {noun:loct}.', { w2: false }));
    const kept = await ok(['diff', file]);
    expect(kept.stdout).toBe(`not in ${file}, kept (--prune destroys them): w2\nno changes: the farm matches ${file}\n`);
    const prunePlan = await run(['diff', file, '--prune']);
    expect(prunePlan.code).toBe(1);
    expect(prunePlan.stdout).toBe('- writer w2\n0 to create, 0 to change, 1 to destroy\n');
    const beforePrune = await snapshot();
    expect((await ok(['apply', file, '--prune', '--yes'])).stdout).toMatch(/destroyed writer w2\napplied: 0 created, 0 changed, 1 destroyed\n$/);
    const afterPrune = await snapshot();
    expect(Object.keys(afterPrune).some((k) => k.includes('{w2}'))).toBe(false);
    for (const [k, v] of Object.entries(afterPrune)) {
      // The reader's stream loses only w2's consumer group.
      if (k === 'tf:{r1}:timeline') continue;
      if (k === 'tf:{farm-wide}:bots') expect(JSON.parse(v).sort()).toEqual(['r1', 'w1']);
      // The due index loses only w2.
      else if (k === 'tf:{farm-wide}:due') {
        const { w2, ...others } = scores(beforePrune[k]!);
        expect(w2).toBeDefined();
        expect(scores(v)).toEqual(others);
      }
      else expect(v, k).toBe(beforePrune[k]);
    }
    expect((await ok(['diff', file, '--prune'])).stdout).toBe(`no changes: the farm matches ${file}\n`);
  });

  it('refuses a file with an error at a known line whole: nothing changes', async () => {
    const file = join(dir, 'farm.yaml');

    // A file with an error on line 17 (and a new bot before it) is refused whole: nothing changes.
    const bad = farmFile('Всю ночь думал о {noun:loct}.', { w2: false }).replace('    per-tick: 2\n', '    per-tick: 0\n') + '  w3:\n    kind: writer\n    source: r1\n    template: "{noun} и я"\n';
    expect(bad.split('\n')[16]).toBe('    per-tick: 0');
    writeFileSync(file, bad);
    const frozen = await snapshot();
    const refused = await run(['apply', file, '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`tfctl: ${file}:17:15: bot "w1": invalid per-tick "0": must be a whole number from 1 to 50\n`);
    expect(await snapshot()).toEqual(frozen);
    const refusedDiff = await run(['diff', file]);
    expect(refusedDiff.code).toBe(2);
    expect(refusedDiff.stdout).toBe('');
  });

  it('refuses a secret written into the file, and a secret file others can read', async () => {
    const file = join(dir, 'secrets.yaml');
    writeFileSync(file, 'bots:\n  rx:\n    kind: reader\n    token: 12345-abcdef\n    secret: ./open.secret\n');
    writeFileSync(join(dir, 'open.secret'), 'x\n');
    chmodSync(join(dir, 'open.secret'), 0o644);
    const r = await run(['diff', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.replace(/^tfctl: /, '').trim().split('\n');
    expect(lines[0]).toBe(`${file}:4:12: bot "rx": token must be a reference, not the secret itself: env:NAME, or the path of a file only its owner can read (a secret written here would be committed with the file)`);
    expect(lines[1]).toBe(`${file}:5:13: bot "rx": secret file ${join(dir, 'open.secret')} can be read by others than its owner (mode 0644): chmod 600 ${join(dir, 'open.secret')}`);
    expect(r.stderr).not.toContain('12345-abcdef');
  });

  it("changes a template and a collector's rule as exactly those changes, keeping every bot's state", async () => {
    const file = join(dir, 'farm.yaml');
    const collector = (rules: string) => `  c1:\n    kind: collector\n    rules:\n${rules}`;
    const template = 'Всю ночь думал о {noun:loct}.';
    writeFileSync(file, farmFile(template, { w2: false, extra: collector('      - love\n      - value: from:12\n        type: follow\n      - nights\n') }));
    const created = await ok(['apply', file, '--yes']);
    expect(created.stdout).toMatch(/\n    rules: \+ "from:12" \(follow\), \+ "love", \+ "nights"\n1 to create, 0 to change, 0 to destroy\ncreated collector c1\napplied: 1 created/);
    const ids = JSON.parse((await ok(['rules', 'list', 'c1', '--json'])).stdout) as Array<{ id: string; value: string }>;
    expect(ids.map((r) => r.value).sort()).toEqual(['from:12', 'love', 'nights']);
    const idOf = (v: string) => ids.find((r) => r.value === v)!.id;
    // What the collector learned under its rules: where each search stopped.
    await client.hset('tf:{c1}:since_ids', idOf('love'), '111', idOf('from:12'), '222', idOf('nights'), '333');
    const before = await snapshot();

    // One template and one rule change (nights → stars); diff shows exactly those, apply does exactly those.
    writeFileSync(file, farmFile('{Noun} не спит.', { w2: false, extra: collector('      - love\n      - value: from:12\n        type: follow\n      - stars\n') }));
    const edit = await run(['diff', file, '--json']);
    expect(edit.code, edit.stderr).toBe(1);
    expect(JSON.parse(edit.stdout).change).toEqual([
      { name: 'c1', kind: 'collector', fields: [{ key: 'rules', change: '+ "stars", - "nights"' }] },
      { name: 'w1', kind: 'writer', fields: [{ key: 'template', from: template, to: '{Noun} не спит.' }] },
    ]);
    expect((await ok(['apply', file, '--yes'])).stdout).toMatch(/changed collector c1: rules\nchanged writer w1: template\napplied: 0 created, 2 changed, 0 destroyed\n$/);
    const after = await snapshot();
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(changed).toEqual(['tf:bot:{w1}', 'tf:{c1}:rules', 'tf:{c1}:rules_version']);
    const rules = JSON.parse((await ok(['rules', 'list', 'c1', '--json'])).stdout) as Array<{ id: string; value: string }>;
    // The two kept rules keep their ids (and so where their searches stopped); stars is new.
    expect(rules.filter((r) => r.value !== 'stars')).toEqual(ids.filter((r) => r.value !== 'nights'));
    expect(Number(rules.find((r) => r.value === 'stars')!.id)).toBeGreaterThan(Math.max(...ids.map((r) => Number(r.id))));
    const [h0, h1] = [JSON.parse(before['tf:bot:{w1}']!), JSON.parse(after['tf:bot:{w1}']!)];
    expect({ ...h1, template: h0.template }).toEqual(h0);
    expect((await ok(['diff', file])).stdout).toBe(`no changes: the farm matches ${file}\n`);
    await ok(['destroy', 'c1', '--yes']);
  });

  it('round trip: a farm made by hand, exported with --yaml and applied to an empty Redis, lists the same', async () => {
    const handRedis = await startRedis();
    const emptyRedis = await startRedis();
    try {
      const a = { ...env, REDIS_URL: handRedis.url, TFCTL_PREFIX: 'love' };
      const b = { ...env, REDIS_URL: emptyRedis.url, TFCTL_PREFIX: 'love' };
      const draftsFile = join(dir, 'queued.txt');
      writeFileSync(draftsFile, 'good night, farm\n---\na draft\non two lines\n---\n#love "quoted"\n');
      const creds = (n: string) => ['--token', accounts.get(n)!.token, '--secret', accounts.get(n)!.secret];
      for (const args of [
        ['create', 'src', 'reader', '--every', '15m', ...creds('owner')],
        ['create', 'alpha', 'writer', '--source', 'src', '--template', '{Noun:datv} не спится.', '--per-tick', '3', '--grab', '7', ...creds('w1')],
        ['create', 'beta', 'writer', '--reader', 'src', '--template', 'Нет {noun:gent}: "кавычки" и \\ тоже', '--every', '2h'],
        ['set', 'beta', 'paused=true'],
        ['create', 'col', 'collector', '--tier', 'basic', '--keep', '900'],
        ['rules', 'add', 'col', 'love OR nights', '--tag', 'romance'],
        ['rules', 'add', 'col', '--type', 'follow', '12,34'],
        ['rules', 'add', 'col', '"good night"'],
        ['create', 'sch', 'scheduler', '--every', '3h'],
        ['drafts', 'add', 'sch', draftsFile],
      ]) {
        const r = await tfctl(args, a);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      }
      const exported = await tfctl(['export', '--yaml'], a);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toContain('token: env:TFCTL_ALPHA_TOKEN');
      for (const secret of [accounts.get('w1')!.token, accounts.get('w1')!.secret]) expect(exported.stdout).not.toContain(secret);
      const file = join(dir, 'exported.yaml');
      writeFileSync(file, exported.stdout);
      // Written to a file instead of stdout: the same text.
      expect((await tfctl(['export', '--yaml', join(dir, 'exported2.yaml')], a)).code).toBe(0);
      expect(readFileSync(join(dir, 'exported2.yaml'), 'utf8')).toBe(exported.stdout);

      const secrets = {
        TFCTL_SRC_TOKEN: accounts.get('owner')!.token,
        TFCTL_SRC_SECRET: accounts.get('owner')!.secret,
        TFCTL_ALPHA_TOKEN: accounts.get('w1')!.token,
        TFCTL_ALPHA_SECRET: accounts.get('w1')!.secret,
      };
      const applied = await tfctl(['apply', file, '--yes'], { ...b, ...secrets });
      expect(applied.code, applied.stderr).toBe(0);
      // Rule ids are handed out by each farm in the order its rules were made (a removed rule's id is
      // never reused), as created_at is: the rules compare without them.
      const withoutRuleIds = (x: Record<string, unknown>) =>
        Array.isArray(x.rules) ? { ...x, rules: (x.rules as Array<Record<string, unknown>>).map(({ id: _id, ...r }) => r).sort((p, q) => String(p.value).localeCompare(String(q.value))) } : x;
      const list = async (e: Record<string, string>) => {
        const r = await tfctl(['list', '--json'], e);
        expect(r.code, r.stderr).toBe(0);
        // Created a few hundred milliseconds apart: each bot is first due when it was made.
        // A scheduler's next post follows from when it was made too.
        return (JSON.parse(r.stdout) as Array<Record<string, unknown>>).map((x) => withoutRuleIds({ ...x, next_due_at: typeof x.next_due_at, ...('next_post_at' in x ? { next_post_at: typeof x.next_post_at } : {}) }));
      };
      expect(await list(b)).toEqual(await list(a));
      for (const name of ['src', 'alpha', 'beta', 'col', 'sch']) {
        const show = async (e: Record<string, string>) => {
          // A scheduler's next post follows from when it was made, as its next due time does.
          const { created_at: _c, next_due_at: _n, next_post_at: _p, ...rest } = JSON.parse((await tfctl(['show', name, '--json'], e)).stdout);
          return withoutRuleIds(rest);
        };
        expect(await show(b), name).toEqual(await show(a));
      }
      const rulesOf = async (e: Record<string, string>) =>
        (JSON.parse((await tfctl(['rules', 'list', 'col', '--json'], e)).stdout) as Array<Record<string, unknown>>).map(({ id: _i, created_at: _c, ...r }) => r).sort((x, y) => String(x.value).localeCompare(String(y.value)));
      expect(await rulesOf(b)).toEqual(await rulesOf(a));
      expect((await rulesOf(a)).map((r) => [r.value, r.tag, r.type])).toEqual([['"good night"', null, 'track'], ['from:12 OR from:34', null, 'follow'], ['love OR nights', 'romance', 'track']]);
      // The scheduler's queue came inline, in its order.
      const queued = async (e: Record<string, string>) => (JSON.parse((await tfctl(['drafts', 'list', 'sch', '--json'], e)).stdout) as Array<{ text: string }>).map((d) => d.text);
      expect(await queued(a)).toEqual(['good night, farm', 'a draft\non two lines', '#love "quoted"']);
      expect(await queued(b)).toEqual(await queued(a));
      // The tokens themselves arrived, not only "set".
      expect(await emptyRedis.client().hget('love:bot:{alpha}', 'token')).toBe(accounts.get('w1')!.token);
      // And the copy exports as the same file.
      expect((await tfctl(['export', '--yaml'], b)).stdout).toBe(exported.stdout);
      // A file for another farm is refused.
      const wrongFarm = await tfctl(['diff', file], { ...b, ...secrets, TFCTL_PREFIX: 'tf' });
      expect(wrongFarm.code).toBe(2);
      expect(wrongFarm.stderr).toMatch(/the file is for the farm "love" but TFCTL_PREFIX is "tf"/);
    } finally {
      await handRedis.stop();
      await emptyRedis.stop();
    }
  });
});
