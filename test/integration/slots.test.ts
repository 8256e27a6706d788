import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { lua } from '../../src/store/scripts.js';
import { runCli } from '../helpers/inproc.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';
import { watchSlots, type SlotWatch } from '../helpers/slot-watch.js';

/**
 * Every Redis access of the farm is legal on a Redis Cluster: no script, MULTI or multi-key command
 * spans two slots, and no script touches a key outside its declared keys' slot. The farm runs on one
 * ordinary redis-server while a second connection watches everything it runs (test/helpers/slot-watch.ts).
 * The one exception is the one-time move of old key names (migrate.lua), which runs on one Redis only.
 */
let redis: PrivateRedis;
let client: Redis;
let sb: TestSandbox;
let config: Config;
let watch: SlotWatch;
let dir: string;
const accounts = new Map<string, Creds>();
const migrateScript = lua('migrate');

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  sb = await startTestSandbox({ tier: 'pro' });
  for (const [name, creds] of await sb.seedHome('w1', 'w2', 'rt', 'sch', 'col', 'tr')) accounts.set(name, creds);
  config = loadConfig({ REDIS_URL: redis.url, TFCTL_PREFIX: 'sl', ...sb.cliEnv });
  dir = mkdtempSync(join(tmpdir(), 'tfctl-slots-'));
  watch = await watchSlots(redis.url, { allow: (args) => args[0]!.toLowerCase() === 'eval' && args[1] === migrateScript });
});
afterAll(async () => {
  await watch?.stop();
  await sb?.close();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const creds = (name: string) => ['--token', accounts.get(name)!.token, '--secret', accounts.get(name)!.secret];
async function ok(args: string[], with_: Partial<Config> = {}) {
  const r = await runCli(args, { ...config, ...with_ });
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

describe('the slot watch', () => {
  it('finds a script, a transaction and a command that span two slots, and not one that stays in one', async () => {
    await watch.crossings();
    await client.eval("return redis.call('GET', KEYS[1])", 1, 'a{x}');
    await client.eval("redis.call('GET', KEYS[1]); return redis.call('GET', 'b{y}')", 1, 'a{x}');
    await client.multi().set('a{x}', '1').set('b{y}', '2').exec();
    await client.del('a{x}', 'b{y}');
    await client.multi().set('a{x}', '1').set('b{x}', '2').exec();
    const found = await watch.crossings();
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(/^script: [^]*\n {2}lua GET b\{y\}$/);
    expect(found[1]).toMatch(/^MULTI: /);
    expect(found[2]).toMatch(/^command: del a\{x\} b\{y\}/i);
  });
});

describe('every command of the farm on one Redis, watched', () => {
  it('create, set, rules, drafts, tick, list, stats, show, events, tail, top, apply, export, import, destroy: nothing crosses a slot', async () => {
    await watch.crossings();
    const before = watch.seen();
    await ok(['create', 'r1', 'reader', ...creds('owner')]);
    await ok(['create', 'r2', 'reader', ...creds('owner')]);
    await ok(['create', 'w1', 'writer', '--reader', 'r1', '--template', 'Без {noun:gent} никак.', '--grab', '1', ...creds('w1')]);
    await ok(['create', 'w2', 'writer', '--reader', 'r1', '--template', '%s!', ...creds('w2')]);
    await ok(['create', 'rt', 'retweeter', '--source', 'r1', '--min-gap', '0', '--max-age', '1d', ...creds('rt')]);
    await ok(['create', 'sch', 'scheduler', '--every', '1m', ...creds('sch')]);
    const drafts = join(dir, 'drafts.txt');
    writeFileSync(drafts, 'черновик один\n\nчерновик два\n');
    await ok(['drafts', 'add', 'sch', drafts]);
    await ok(['create', 'col', 'collector', ...creds('col')]);
    await ok(['rules', 'add', 'col', 'кошка', '--tag', 'cats']);
    await ok(['rules', 'add', 'col', 'ночь']);
    await ok(['rules', 'rm', 'col', '2']);
    await ok(['create', 'tr', 'tracker', '--users', '@author', '--out', dir, ...creds('tr')]);
    await ok(['set', 'w2', 'every=30m']);
    await ok(['set', 'w2', 'reader=r2']);
    await ok(['tick', '--json']);
    await ok(['tick', 'w1', '--force']);
    await ok(['list']);
    await ok(['list', '--json']);
    await ok(['stats', '--json']);
    await ok(['show', 'w1']);
    await ok(['show', 'w2', '--json']);
    await ok(['events', '--json']);
    await ok(['tail', 'r1', '--json']);
    await ok(['top', 'tr', '--json']);
    // A farm file (another farm): apply creates, changes and, with --prune, destroys.
    const farmFile = join(dir, 'farm.yaml');
    const bots = (template: string, more: string) =>
      `bots:\n  fr:\n    kind: reader\n  fw:\n    kind: writer\n    source: fr\n    template: "${template}"\n${more}`;
    writeFileSync(farmFile, bots('%s!', '  fc:\n    kind: collector\n    rules:\n      - кошка\n'));
    await ok(['apply', farmFile, '--yes'], { prefix: 'sl3' });
    writeFileSync(farmFile, bots('%s?', ''));
    await ok(['apply', farmFile, '--yes', '--prune'], { prefix: 'sl3' });
    const file = join(dir, 'farm.tar.gz');
    await ok(['export', file]);
    await ok(['import', file, '--replace']);
    await ok(['import', file], { prefix: 'sl2' });
    await ok(['list', '--json'], { prefix: 'sl2' });
    await ok(['destroy', 'w2', '--yes']);
    await ok(['destroy', 'col', '--yes']);
    await ok(['destroy', 'tr', '--yes']);
    await ok(['destroy', 'rt', '--yes']);
    await ok(['destroy', 'w1', '--yes']);
    await ok(['destroy', 'r1', '--yes']);
    expect(await watch.crossings()).toEqual([]);
    const seen = watch.seen();
    // The watch saw the farm at work: scripts (create, take, record-post, listings…) and transactions.
    expect(seen.scripts - before.scripts).toBeGreaterThan(20);
    expect(seen.transactions - before.transactions).toBeGreaterThan(5);
  });
});
