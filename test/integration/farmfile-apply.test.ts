import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as apply } from '../../src/cli/commands/apply.js';
import { run as diff } from '../../src/cli/commands/diff.js';
import { loadConfig, type Config } from '../../src/config.js';
import { bufferIo } from '../helpers/io.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';

/** apply in-process against a real Redis: the order of its steps is the one Redis's scripts accept. */
let redis: PrivateRedis;
let client: Redis;
let config: Config;
let dir: string;

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  config = loadConfig({ REDIS_URL: redis.url, TFCTL_PREFIX: 'fa' });
  dir = mkdtempSync(join(tmpdir(), 'tfctl-farmfile-apply-'));
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const reader = (name: string) => `  ${name}:\n    kind: reader\n`;
const writer = (name: string, source: string) => `  ${name}:\n    kind: writer\n    source: ${source}\n    template: "{noun} нет"\n`;

describe('apply in a safe order', () => {
  it('moves a consumer to a new source and destroys the old source in one apply, keeping what the consumer posted', async () => {
    const file = join(dir, 'farm.yaml');
    writeFileSync(file, `bots:\n${reader('old')}${writer('w', 'old')}${writer('gone', 'old')}`);
    await apply({ file, yes: true }, bufferIo(), config);
    // The writer has posted something: a text hash it must never post again.
    await client.sadd('fa:{w}:posted', 'some-hash');
    await client.xadd('fa:{new}:timeline', '*', 'id', '1');

    writeFileSync(file, `bots:\n${writer('w', 'new')}${reader('new')}`);
    const planned = bufferIo();
    expect(await diff({ file, prune: true }, planned, config)).toEqual({ changes: true });
    expect(planned.stdout).toBe(['+ reader new', '    every: 1h', '~ writer w', '    source: old → new', '- writer gone', '- reader old', '1 to create, 1 to change, 2 to destroy', ''].join('\n'));

    const io = bufferIo();
    await apply({ file, prune: true, yes: true }, io, config);
    expect(io.stdout).toMatch(/created reader new\nchanged writer w: source\ndestroyed writer gone\ndestroyed reader old\napplied: 1 created, 1 changed, 2 destroyed\n$/);
    expect((await client.smembers('fa:{farm-wide}:bots')).sort()).toEqual(['new', 'w']);
    expect(await client.hget('fa:bot:{w}', 'reader')).toBe('new');
    expect(await client.exists('fa:{old}:timeline')).toBe(0);
    // The consumer group moved to the new source's stream, and the writer's history stayed.
    expect(((await client.xinfo('GROUPS', 'fa:{new}:timeline')) as unknown[][]).map((g) => g[1])).toEqual(['w']);
    expect(await client.smembers('fa:{w}:posted')).toEqual(['some-hash']);
    expect(await diff({ file, prune: true }, bufferIo(), config)).toEqual({ changes: false });
  });

  it('pauses a bot the file pauses, at create and later, and unpausing clears its failure', async () => {
    const file = join(dir, 'paused.yaml');
    writeFileSync(file, `bots:\n${reader('p')}    paused: true\n`);
    await apply({ file, yes: true }, bufferIo(), config);
    expect(await client.hget('fa:bot:{p}', 'paused')).toBe('1');
    await client.hset('fa:bot:{p}', 'failing', '1', 'last_error', 'HTTP 401');
    writeFileSync(file, `bots:\n${reader('p')}`);
    await apply({ file, yes: true }, bufferIo(), config);
    expect(await client.hmget('fa:bot:{p}', 'paused', 'failing', 'last_error')).toEqual(['0', null, null]);
  });

  it("changes exactly the collector's rules that differ: kept rules keep their ids and counts, one version move, one message", async () => {
    const file = join(dir, 'rules.yaml');
    const collectorFile = (rules: string) => `bots:\n  col:\n    kind: collector\n    rules:\n${rules}`;
    writeFileSync(file, collectorFile('      - cats\n      - dogs\n      - value: from:12\n        type: follow\n'));
    await apply({ file, yes: true }, bufferIo(), config);
    const rulesOf = async () => Object.values(await client.hgetall('fa:{col}:rules')).map((v) => JSON.parse(v)).sort((a, b) => a.id - b.id);
    const first = await rulesOf();
    expect(first.map((r) => [r.value, r.type, r.tag])).toEqual([['cats', 'track', undefined], ['dogs', 'track', undefined], ['from:12', 'follow', undefined]]);
    const id = (value: string, rules = first) => rules.find((r) => r.value === value)!.id as string;
    // What the collector learned under its rules' ids: where each search stopped, and its hits.
    await client.hset('fa:{col}:since_ids', id('cats'), '100', id('from:12'), '200');
    const version = Number(await client.get('fa:{col}:rules_version'));

    // dogs goes, birds comes (tagged), cats gets a tag; the follow rule stays as it is.
    writeFileSync(file, collectorFile('      - value: cats\n        tag: pets\n      - value: from:12\n        type: follow\n      - value: birds\n        tag: sky\n'));
    const planned = bufferIo();
    expect(await diff({ file }, planned, config)).toEqual({ changes: true });
    expect(planned.stdout).toBe(`~ collector col\n    rules: + "birds" [sky], ~ "cats" [pets], - "dogs"\nnot in ${file}, kept (--prune destroys them): new, p, w\n0 to create, 1 to change, 0 to destroy\n`);
    const sub = redis.client();
    const messages: string[] = [];
    await sub.subscribe('fa:rules');
    sub.on('message', (_channel, bot) => messages.push(bot));
    try {
      await apply({ file, yes: true }, bufferIo(), config);
      const after = await rulesOf();
      expect(after.map((r) => [r.value, r.type, r.tag ?? null])).toEqual([['cats', 'track', 'pets'], ['from:12', 'follow', null], ['birds', 'track', 'sky']]);
      expect([id('cats', after), id('from:12', after)]).toEqual([id('cats'), id('from:12')]);
      expect(after.find((r) => r.value === 'cats').created_at).toBe(first[0].created_at);
      expect(await client.hgetall('fa:{col}:since_ids')).toEqual({ [id('cats')]: '100', [id('from:12')]: '200' });
      expect(Number(await client.get('fa:{col}:rules_version'))).toBe(version + 1);
      await new Promise((r) => setTimeout(r, 100));
      expect(messages).toEqual(['col']);
      expect(await diff({ file }, bufferIo(), config)).toEqual({ changes: false });
    } finally {
      sub.disconnect();
    }
  });

  describe("a scheduler's drafts", () => {
    const schedulerFile = (drafts: string) => `bots:\n  sch:\n    kind: scheduler\n    every: 2h\n    drafts:\n${drafts}`;
    const queueTexts = async () => {
      const ids = await client.lrange('fa:{sch}:queue', 0, -1);
      return Promise.all(ids.map(async (id) => JSON.parse((await client.hget('fa:{sch}:drafts', id))!).text as string));
    };

    it('queues the declared drafts in file order, inline and from a file; a second apply changes nothing', async () => {
      const file = join(dir, 'drafts.yaml');
      // A draft file as `drafts add` reads it: blocks between --- lines, comments left out.
      writeFileSync(join(dir, 'more.txt'), '# from the file\nthird draft\n---\nfourth draft,\non two lines   \n');
      writeFileSync(file, schedulerFile('      - first draft\n      - "second: draft"\n      - file: more.txt\n      - fifth draft\n'));
      const planned = bufferIo();
      expect(await diff({ file }, planned, config)).toEqual({ changes: true });
      expect(planned.stdout).toContain('    drafts:\n      + "first draft"\n      + "second: draft"\n      + "third draft"\n      + "fourth draft, on two lines"\n      + "fifth draft"\n');
      await apply({ file, yes: true }, bufferIo(), config);
      expect(await queueTexts()).toEqual(['first draft', 'second: draft', 'third draft', 'fourth draft,\non two lines', 'fifth draft']);
      const again = bufferIo();
      expect(await diff({ file }, again, config)).toEqual({ changes: false });
      expect(again.stdout).not.toContain('sch');
      await apply({ file, yes: true }, bufferIo(), config);
      expect(await queueTexts()).toEqual(['first draft', 'second: draft', 'third draft', 'fourth draft,\non two lines', 'fifth draft']);
    });

    it('an edited draft is one remove and one add; the rest of the queue and the posted history stay', async () => {
      const file = join(dir, 'drafts.yaml');
      const ids = await client.lrange('fa:{sch}:queue', 0, -1);
      // "first draft" is posted, as the publishing core's bookkeeping leaves it (store.ts, settle: posted).
      const posted = ids[0]!;
      await client.multi().lrem('fa:{sch}:queue', 0, posted).zadd('fa:{sch}:done', 1000, posted).hincrby('fa:{sch}:uses', posted, 1).exec();
      const before = { drafts: await client.hgetall('fa:{sch}:drafts'), done: await client.zrange('fa:{sch}:done', '0', '-1', 'WITHSCORES') };
      // The third draft is rewritten, and one more comes at the end.
      writeFileSync(join(dir, 'more.txt'), 'third draft, rewritten\n---\nfourth draft,\non two lines\n');
      writeFileSync(file, schedulerFile('      - first draft\n      - "second: draft"\n      - file: more.txt\n      - fifth draft\n'));
      const planned = bufferIo();
      expect(await diff({ file }, planned, config)).toEqual({ changes: true });
      expect(planned.stdout).toBe(`~ scheduler sch\n    drafts:\n      - "third draft"\n      + "third draft, rewritten"\nnot in ${file}, kept (--prune destroys them): col, new, p, w\n0 to create, 1 to change, 0 to destroy\n`);
      await apply({ file, yes: true }, bufferIo(), config);
      // The posted first draft is history: not queued again although the file still has it.
      expect(await queueTexts()).toEqual(['second: draft', 'fourth draft,\non two lines', 'fifth draft', 'third draft, rewritten']);
      const after = await client.hgetall('fa:{sch}:drafts');
      const kept = Object.keys(before.drafts).filter((id) => JSON.parse(before.drafts[id]!).text !== 'third draft');
      for (const id of kept) expect(after[id], id).toBe(before.drafts[id]);
      expect(Object.keys(after)).toHaveLength(Object.keys(before.drafts).length);
      expect(await client.zrange('fa:{sch}:done', '0', '-1', 'WITHSCORES')).toEqual(before.done);
      expect(await client.hget('fa:{sch}:uses', posted)).toBe('1');
      expect(await diff({ file }, bufferIo(), config)).toEqual({ changes: false });

      // A posted draft the file no longer names is history too: nothing to do.
      writeFileSync(file, schedulerFile('      - "second: draft"\n      - file: more.txt\n      - fifth draft\n'));
      expect(await diff({ file }, bufferIo(), config)).toEqual({ changes: false });
    });

    it('an over-long draft refuses the whole file at its line, and the farm stays as it was', async () => {
      const file = join(dir, 'drafts.yaml');
      const queue = await queueTexts();
      writeFileSync(file, schedulerFile(`      - "second: draft"\n      - ${'x'.repeat(281)}\n      - a new one\n`));
      await expect(apply({ file, yes: true }, bufferIo(), config)).rejects.toThrow(`${file}:7:9: bot "sch": draft 2: too long: 281 weighted characters, X allows 280`);
      // One in a draft file: its file and line are named too.
      writeFileSync(join(dir, 'long.txt'), `fine\n${'y'.repeat(300)}\n`);
      writeFileSync(file, schedulerFile('      - a new one\n      - file: long.txt\n'));
      await expect(apply({ file, yes: true }, bufferIo(), config)).rejects.toThrow(`${file}:7:9: bot "sch": draft file long.txt:2: too long: 300 weighted characters, X allows 280`);
      expect(await queueTexts()).toEqual(queue);
    });
  });

  it('asks before applying on a terminal, and a "no" changes nothing', async () => {
    const file = join(dir, 'ask.yaml');
    writeFileSync(file, `bots:\n${reader('asked')}`);
    const questions: string[] = [];
    const io = { ...bufferIo(), ask: async (q: string) => (questions.push(q), 'n') };
    await expect(apply({ file }, io, config)).rejects.toThrow('nothing applied');
    expect(questions).toEqual(['apply these changes? [y/N] ']);
    expect(await client.exists('fa:bot:{asked}')).toBe(0);
  });
});
