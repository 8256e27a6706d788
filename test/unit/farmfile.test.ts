import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bots/bot.js';
import { collector } from '../../src/bots/collector/index.js';
import { KINDS } from '../../src/bots/index.js';
import { count, setting } from '../../src/bots/settings.js';
import type { BotKind, KindContext } from '../../src/bots/types.js';
import { UsageError } from '../../src/errors.js';
import { FarmFileError, parseFarmFile, type FarmFile } from '../../src/farmfile/parse.js';
import { planFarm } from '../../src/farmfile/plan.js';
import { planJson, planLines } from '../../src/farmfile/render.js';

const dir = mkdtempSync(join(tmpdir(), 'tfctl-farmfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'farm.yaml');
const env = { R_TOKEN: 'rt', R_SECRET: 'rs' };

const parse = (text: string, kinds?: readonly BotKind[]) => parseFarmFile(text, { file, env, kinds });

/** The problems a file is refused with, as `file:line:col: message` without the folder. */
async function problems(text: string, kinds?: readonly BotKind[]): Promise<string[]> {
  try {
    await parse(text, kinds);
  } catch (err) {
    if (err instanceof FarmFileError) return err.lines().map((l) => l.slice(dir.length + 1));
    throw err;
  }
  throw new Error('the file was accepted');
}

function bot(name: string, role: string, extra: Partial<Bot> = {}): Bot {
  return { name, role, every: 3600, paused: false, settings: {}, createdAt: 0, nextDueAt: 0, failing: false, counters: {}, pauses: {}, ...extra };
}
const writerBot = (name: string, source: string, template: string, extra: Partial<Bot> = {}) =>
  bot(name, 'writer', { source, settings: { template, perTick: 1, grab: 3 }, ...extra });

const noCtx = {} as KindContext;
const plan = (f: FarmFile, bots: Bot[], prune = false, kinds?: readonly BotKind[]) => planFarm(f, bots, { prune, ctx: noCtx, kinds });

describe('farm file: reading and checking', () => {
  it('reads bots by kind with defaults per kind, aliases and key spellings, and resolves secret references', async () => {
    const f = await parse(`prefix: tf
defaults:
  writer:
    every: 30m
    grab: 5
bots:
  r:
    kind: reader
    token: env:R_TOKEN
    secret: env:R_SECRET
  "@w":
    kind: writer
    reader: r
    template: "%s – это когда тебя любят."
    per_tick: 2
    grab: 7
`);
    expect(f.prefix?.value).toBe('tf');
    const byKey = (i: number) => Object.fromEntries([...f.bots[i]!.values.values()].map((v) => [v.setting.key, v.value]));
    expect(f.bots.map((b) => [b.name, b.kind.name])).toEqual([
      ['r', 'reader'],
      ['w', 'writer'],
    ]);
    expect(byKey(0)).toEqual({ token: 'rt', secret: 'rs' });
    // the bot's own grab beats the kind's default; every comes from the defaults
    expect(byKey(1)).toEqual({ every: 1800, grab: 7, source: 'r', template: '%s – это когда тебя любят.', 'per-tick': 2 });
    // The reference is kept for messages; the value never is shown.
    expect([...f.bots[0]!.values.values()].map((v) => v.ref)).toEqual(['env:R_TOKEN', 'env:R_SECRET']);
  });

  it('reports every problem at its line and column, in order, and nothing else', async () => {
    expect(
      await problems(`bots:
  r:
    kind: reader
    every: soon
  w:
    kind: writer
    tempalte: "{noun}"
    source: r
  v:
    kind: reader
    per-tick: 2
  x:
    kind: robot
  w2:
    kind: writer
    source: w2
    template: "{noun:genitive}"
colour: red
`),
    ).toEqual([
      'farm.yaml:4:12: bot "r": invalid every "soon": use a number with a unit, e.g. 90s, 30m, 2h, 1d',
      'farm.yaml:5:3: bot "w" is a writer and needs template: what it posts, e.g. "%s – это когда тебя любят." or "{noun:gent,plur}"',
      'farm.yaml:7:5: unknown setting "tempalte" for bot "w" (a writer): use kind, every, paused, token, secret, source, template, per-tick, grab, hashtags, hashtag-mode',
      'farm.yaml:11:5: per-tick is for writers, schedulers and retweeters; bot "v" is a reader',
      'farm.yaml:13:11: unknown kind "robot" for bot "x": use reader, writer, collector, tracker, scheduler, retweeter (see tfctl kinds)',
      'farm.yaml:16:13: bot "w2" cannot be its own source',
      expect.stringMatching(/^farm\.yaml:17:15: bot "w2": .*genitive/),
      'farm.yaml:18:1: unknown key "colour": a farm file has version, prefix, defaults, bots',
    ]);
  });

  it('refuses YAML it cannot read, with the place YAML names', async () => {
    expect(await problems('bots:\n  r:\n    kind: reader\n  r:\n    kind: reader\n')).toEqual(['farm.yaml:4:3: Map keys must be unique']);
    expect(await problems('bots:\n  r:\n    kind: reader\n   every: 1h\n')).toEqual([expect.stringMatching(/^farm\.yaml:4:\d+: /)]);
    expect(await problems('bots:\n')).toEqual(['farm.yaml:1:1: bots: is empty: an empty farm is written "bots: {}"']);
    expect((await parse('bots: {}\n')).bots).toEqual([]);
    expect(await problems('')).toEqual(['farm.yaml:1:1: the file is empty: it needs "bots:" with the farm\'s bots']);
    expect(await problems('- a\n- b\n')).toEqual(['farm.yaml:1:1: expected a mapping: bots:, and optionally prefix:, defaults:, version:']);
    expect(await problems('version: 2\nbots: {}\n')).toEqual(['farm.yaml:1:10: version must be 1 (the only farm file version there is)']);
    expect(await problems('bots:\n  r:\n    kind: reader\n    every:\n      - 1h\n')).toEqual(['farm.yaml:5:7: every must be a single value, not a list']);
    expect(await problems('bots:\n  a b:\n    kind: reader\n')).toEqual([expect.stringMatching(/^farm\.yaml:2:3: invalid bot name "a b"/)]);
    expect(await problems('defaults:\n  writer:\n    colour: red\nbots: {}\n')).toEqual([
      'farm.yaml:3:5: unknown setting "colour" for defaults for writers (a writer): use kind, every, paused, token, secret, source, template, per-tick, grab, hashtags, hashtag-mode',
    ]);
  });

  it('takes secrets only as references: env:NAME or a file only its owner can read', async () => {
    const secretFile = join(dir, 'w.secret');
    writeFileSync(secretFile, 'from-a-file\n', { mode: 0o600 });
    const f = await parse(`bots:\n  r:\n    kind: reader\n    token: env:R_TOKEN\n    secret: ./w.secret\n`);
    expect(f.bots[0]!.values.get([...f.bots[0]!.values.keys()].find((s) => s.key === 'secret')!)!.input).toBe('from-a-file');
    writeFileSync(join(dir, 'g.secret'), 'x', { mode: 0o640 });
    expect(await problems(`bots:\n  r:\n    kind: reader\n    token: env:NOT_SET_ANYWHERE\n    secret: file:g.secret\n`)).toEqual([
      'farm.yaml:4:12: bot "r": token: the environment variable NOT_SET_ANYWHERE is not set',
      `farm.yaml:5:13: bot "r": secret file ${join(dir, 'g.secret')} can be read by others than its owner (mode 0640): chmod 600 ${join(dir, 'g.secret')}`,
    ]);
    expect(await problems(`bots:\n  r:\n    kind: reader\n    token: env:R_TOKEN\n`)).toEqual(['farm.yaml:4:12: bot "r": token and secret go together']);
    expect((await problems(`bots:\n  r:\n    kind: reader\n    token: abc\n    secret: env:R_SECRET\n`))[0]).toMatch(/^farm\.yaml:4:12: bot "r": token must be a reference, not the secret itself/);
  });
});

describe('farm file: the plan', () => {
  it('creates sources before consumers, changes field by field, and with --prune destroys consumers before their sources', async () => {
    const f = await parse(`bots:
  w1:
    kind: writer
    source: r2
    template: "{noun} нет"
  r2:
    kind: reader
  w3:
    kind: writer
    source: r2
    template: "{noun}"
`);
    const p = await plan(f, [bot('r1', 'reader'), writerBot('w1', 'r1', '{noun} нет'), writerBot('w2', 'r1', '%s'), writerBot('w3', 'r2', '{noun}')], true);
    expect(p.create.map((c) => c.name)).toEqual(['r2']);
    expect(p.update.map((u) => [u.name, u.fields, u.changes])).toEqual([['w1', [{ key: 'source', from: 'r1', to: 'r2' }], { source: 'r2' }]]);
    // w3 matches; w2 (a consumer) goes before r1 (its source).
    expect(p.destroy.map((d) => d.name)).toEqual(['w2', 'r1']);
    expect(planLines(p, 'farm.yaml')).toEqual(['+ reader r2', '    every: 1h', '~ writer w1', '    source: r1 → r2', '- writer w2', '- reader r1', '1 to create, 1 to change, 2 to destroy']);
    // Without --prune the others are kept and named.
    const kept = await plan(f, [bot('r1', 'reader'), bot('r2', 'reader'), writerBot('w1', 'r2', '{noun} нет'), writerBot('w3', 'r2', '{noun}')]);
    expect(planLines(kept, 'farm.yaml')).toEqual(['not in farm.yaml, kept (--prune destroys them): r1', 'no changes: the farm matches farm.yaml']);
  });

  it('shows a secret only as changed, and leaves alone a secret the file does not give', async () => {
    const f = await parse(`bots:\n  r:\n    kind: reader\n    token: env:R_TOKEN\n    secret: env:R_SECRET\n  s:\n    kind: reader\n`);
    const p = await plan(f, [bot('r', 'reader', { token: 'old', secret: 'rs' }), bot('s', 'reader', { token: 'from-auth', secret: 'kept' })]);
    expect(planJson(p, 'farm.yaml', 'tf').change).toEqual([{ name: 'r', kind: 'reader', fields: [{ key: 'token', secret: true }] }]);
    expect(JSON.stringify(planJson(p, 'farm.yaml', 'tf'))).not.toMatch(/old|"rt"|from-auth/);
    expect(p.update[0]!.changes).toEqual({ token: 'rt' });
  });

  it('goes back to a default when the file stops giving a setting, and pauses only when told', async () => {
    const f = await parse(`bots:\n  w:\n    kind: writer\n    source: r\n    template: "{noun}"\n  r:\n    kind: reader\n    paused: true\n`);
    const p = await plan(f, [bot('r', 'reader'), writerBot('w', 'r', '{noun}', { every: 600, settings: { template: '{noun}', perTick: 4, grab: 3 } })]);
    expect(planLines(p, 'f')).toEqual(['~ reader r', '    paused: false → true', '~ writer w', '    every: 10m → 1h', '    per-tick: 4 → 1', '0 to create, 2 to change, 0 to destroy']);
  });

  it("takes a kind's own default for a setting the file leaves out (a tracker is due every minute, not every hour)", async () => {
    const f = await parse('bots:\n  t:\n    kind: tracker\n    users: "12"\n');
    // Created as create would make it: every 1m.
    const p = await plan(f, []);
    expect(p.create[0]!.fields).toContainEqual({ key: 'every', to: '1m' });
    // A tracker that has its kind's default is left alone: a second apply changes nothing.
    const made = bot('t', 'tracker', { every: 60, settings: { users: [{ id: '12' }], keep: 15 * 60, since: 86400 } });
    const again = await plan(f, [made]);
    expect(planLines(again, 'f')).toEqual(['no changes: the farm matches f']);
  });

  it('refuses what the farm cannot become: a changed kind, a missing or pruned source, a consumer as source', async () => {
    const refusal = async (text: string, bots: Bot[], prune = false) => {
      try {
        await plan(await parse(text), bots, prune);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message.replaceAll(`${dir}/`, '');
      }
      throw new Error('planned');
    };
    expect(await refusal('bots:\n  r:\n    kind: reader\n', [writerBot('r', 'x', '{noun}')])).toMatch(/^farm\.yaml:2:3: bot "r" is a writer in the farm and a reader in the file: a bot's kind cannot change/);
    expect(await refusal('bots:\n  w:\n    kind: writer\n    source: nobody\n    template: "{noun}"\n', [])).toBe('farm.yaml:4:13: bot "w": its source "nobody" is neither in the file nor in the farm');
    expect(await refusal('bots:\n  w:\n    kind: writer\n    source: r\n    template: "{noun}"\n', [bot('r', 'reader')], true)).toBe(
      'farm.yaml:4:13: bot "w": its source "r" is not in the file, so --prune would destroy it',
    );
    expect(await refusal('bots:\n  w:\n    kind: writer\n    source: v\n    template: "{noun}"\n  v:\n    kind: writer\n    source: w\n    template: "{noun}"\n', [])).toBe(
      'farm.yaml:4:13: bot "w": its source "v" is a writer, not a reader or collector\nfarm.yaml:8:13: bot "v": its source "w" is a writer, not a reader or collector',
    );
  });

  it("takes a kind's own sections from its declaration: parsed by the kind, compared and replaced whole", async () => {
    // A kind of this test's own with a `rules` section, as a later kind (a retweeter) would declare it.
    const stored = new Map<string, string[]>([['t', ['cats', 'dogs']]]);
    const tracker: BotKind = {
      name: 'tracker',
      plural: 'trackers',
      family: 'standalone',
      summary: 'test kind',
      settings: [setting({ key: 'limit', prop: 'limit', field: 'limit', value: count(1, 9), default: 3, arg: '<n>', help: 'a limit' })],
      backlog: { label: 'waiting', spec: { of: 'none' } },
      publishes: false,
      tick: () => Promise.reject(new Error('not in this test')),
      sections: [
        {
          key: 'rules',
          help: 'queries',
          parse(value) {
            if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !v.trim())) throw new UsageError('rules must be a list of queries');
            return value.map((v: string) => v.trim());
          },
          read: async (b) => stored.get(b.name),
          write: async (b, value) => void stored.set(b.name, value as string[]),
        },
      ],
    };
    const kinds = [...KINDS, tracker];
    const f = await parse('bots:\n  t:\n    kind: tracker\n    rules:\n      - cats\n      - birds\n  u:\n    kind: tracker\n    rules: [fish]\n', kinds);
    const p = await plan(f, [bot('t', 'tracker', { settings: { limit: 3 } })], false, kinds);
    expect(planLines(p, 'f')).toEqual(['+ tracker u', '    every: 1h', '    limit: 3', '    rules: 1 added', '~ tracker t', '    rules: 1 added, 1 removed', '1 to create, 1 to change, 0 to destroy']);
    expect(p.update[0]!.sections.map((s) => s.value)).toEqual([['cats', 'birds']]);
    expect(await problems('bots:\n  t:\n    kind: tracker\n    rules: cats\n', kinds)).toEqual(['farm.yaml:4:12: bot "t": rules must be a list of queries']);
    expect(await problems('bots:\n  r:\n    kind: reader\n    rules: [cats]\n', kinds)).toEqual(['farm.yaml:4:5: rules is for collectors, retweeters and trackers; bot "r" is a reader']);
  });

  it("reads a collector's rules as `tfctl rules add` checks them, within its tier's limits, and diffs them rule by rule", async () => {
    const text = `bots:
  c:
    kind: collector
    rules:
      - cats
      - value: from:12
        type: follow
      - value: "\\"good morning\\""
        tag: greeting
`;
    const f = await parse(text);
    // The normal form: sorted by query, a bare query when that is all a rule has.
    expect([...f.bots[0]!.sections.values()].map((v) => v.value)).toEqual([[{ value: '"good morning"', tag: 'greeting' }, 'cats', { value: 'from:12', type: 'follow' }]]);
    // What the collector has now (its read, without Redis here): the greeting untagged, dogs, the follow rule.
    const had = ['"good morning"', 'dogs', { value: 'from:12', type: 'follow' }];
    const section = { ...collector.sections![0]!, read: async () => had };
    const kinds = KINDS.map((k) => (k === collector ? { ...collector, sections: [section] } : k));
    const withKinds = await parse(text, kinds);
    const c = bot('c', 'collector', { settings: { keep: 5000, keepFor: 7 * 86400, tier: 'pro' } });
    const p = await plan(withKinds, [c], false, kinds);
    expect(planLines(p, 'f')).toEqual(['~ collector c', '    rules: ~ "\\"good morning\\"" [greeting], + "cats", - "dogs"', '0 to create, 1 to change, 0 to destroy']);
    // Checked against the tier the file gives (the default, pro, allows 512 characters; enterprise 2,048).
    const long = `"${'a'.repeat(600)}"`;
    expect(await problems(`bots:\n  c:\n    kind: collector\n    rules: ['${long}']\n`)).toEqual([`farm.yaml:4:12: bot "c": rule 1: rule is ${long.length} characters; the pro tier (stream rules and recent-search queries) allows at most 512`]);
    expect((await parse(`bots:\n  c:\n    kind: collector\n    tier: enterprise\n    rules: ['${long}']\n`)).bots).toHaveLength(1);
    expect(await problems('bots:\n  c:\n    kind: collector\n    rules:\n      - cats\n      - "(cats"\n      - cats\n')).toEqual([
      `farm.yaml:5:7: bot "c": rule 2: invalid query at column 1: missing ')' to close this '(': (cats`,
    ]);
    expect(await problems('bots:\n  c:\n    kind: collector\n    rules: [cats, cats]\n')).toEqual(['farm.yaml:4:12: bot "c": rule 2: the rule "cats" is given twice']);
    expect(await problems('bots:\n  c:\n    kind: collector\n    rules:\n      - query: cats\n')).toEqual(['farm.yaml:5:7: bot "c": rule 1: unknown key "query": a rule has value, tag and type']);
  });
});

describe("farm file: a scheduler's drafts", () => {
  const sched = (drafts: string) => `bots:\n  s:\n    kind: scheduler\n    drafts:\n${drafts}`;
  it('reads inline drafts (block scalars trimmed as draft files are) and draft files in order', async () => {
    writeFileSync(join(dir, 'd.txt'), '# a comment\nfrom the file\n\nand another\n');
    const f = await parse(sched('      - |\n        two\n        lines\n      - file: d.txt\n'));
    const drafts = [...f.bots[0]!.sections.values()][0]!.value as Array<{ text: string; from: string }>;
    expect(drafts.map((d) => d.text)).toEqual(['two\nlines', 'from the file', 'and another']);
    expect(drafts.map((d) => d.from)).toEqual([file, 'd.txt:2', 'd.txt:4']);
  });
  it('refuses an empty draft, one given twice, and a missing file, each at its item', async () => {
    expect(await problems(sched('      - ok\n      - ""\n'))).toEqual(['farm.yaml:6:9: bot "s": draft 2: empty draft']);
    writeFileSync(join(dir, 'dup.txt'), 'ok\n');
    expect(await problems(sched('      - ok\n      - file: dup.txt\n'))).toEqual(['farm.yaml:6:9: bot "s": draft file dup.txt:1: duplicate of draft 1']);
    expect(await problems(sched('      - ok\n      - file: nope.txt\n'))).toEqual(['farm.yaml:6:9: bot "s": cannot read the draft file nope.txt: no such file']);
    expect(await problems(sched('      file: d.txt\n'))).toEqual(['farm.yaml:5:7: bot "s": drafts must be a list: each item a draft\'s text, or file: a draft file']);
  });
});
