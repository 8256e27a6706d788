import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { tfctl } from '../helpers/cli.js';
import { startCluster, type PrivateCluster } from '../helpers/cluster.js';
import { startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { bufferIo } from '../helpers/io.js';
import { loadConfig } from '../../src/config.js';
import { run as events } from '../../src/cli/commands/events.js';

/**
 * The farm's everyday commands on a six-node Redis Cluster, each a `tfctl` process as cron and an
 * operator run it: create, set, list, show, destroy, a tick of a reader and writers whose keys live on
 * different masters, posting through the X API sandbox, the events, and export then import.
 */
let cluster: PrivateCluster;
let redis: Cluster;
let sb: TestSandbox;
let dir: string;
const accounts = new Map<string, Creds>();
// Writers whose slots fall on different masters (checked below): the farm really is spread out.
const WRITERS: Array<[string, string]> = [
  ['w_gent', 'Жизнь без {noun:gent,plur} не та.'],
  ['w_loct', 'Всю ночь думал о {noun:loct}.'],
  ['w_nomn', '%s – это когда тебя любят.'],
  ['w_accs', 'Опять думаю про {noun:accs,plur}.'],
];

beforeAll(async () => {
  [cluster, sb] = await Promise.all([startCluster({ masters: 3, replicasPerMaster: 1 }), startTestSandbox({ tier: 'pro' })]);
  redis = cluster.client();
  for (const [name, creds] of await sb.seedHome(...WRITERS.map(([w]) => w))) accounts.set(name, creds);
  dir = mkdtempSync(join(tmpdir(), 'tfctl-cluster-farm-'));
});
afterAll(async () => {
  await sb?.close();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const env = (prefix: string) => ({ REDIS_URL: cluster.url, TFCTL_REDIS_CLUSTER: '1', TFCTL_PREFIX: prefix, ...sb.cliEnv });
const creds = (name: string) => ['--token', accounts.get(name)!.token, '--secret', accounts.get(name)!.secret];

async function ok(prefix: string, args: string[]) {
  const r = await tfctl(args, env(prefix));
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}
const json = async <T>(prefix: string, args: string[]) => JSON.parse((await ok(prefix, [...args, '--json'])).stdout) as T;
type Listed = Array<{ name: string; role: string; status: string; posted: number; unprocessed: number | null; cached: number | null; every: string }>;
const onX = async (account: string) => (await sb.tweets(account)).map((t) => t.text).sort();

describe('a farm on a Redis Cluster', () => {
  it('its writers live on different masters', async () => {
    const masters = new Set<number>();
    for (const [w] of WRITERS) masters.add((await cluster.masterOf(Number(await redis.cluster('KEYSLOT', `{${w}}`)))).port);
    expect(masters.size).toBeGreaterThanOrEqual(2);
  });

  it('create, set, list, show and destroy', async () => {
    const p = 'ops';
    await ok(p, ['create', 'r1', 'reader', ...creds('owner')]);
    for (const [name, template] of WRITERS) await ok(p, ['create', name, 'writer', '--reader', 'r1', '--template', template, '--grab', '1', ...creds(name)]);
    await ok(p, ['set', 'w_gent', 'every=30m', 'per_tick=2']);

    const list = await json<Listed>(p, ['list']);
    expect(list.map((b) => b.name).sort()).toEqual(['r1', ...WRITERS.map(([w]) => w)].sort());
    expect(list.find((b) => b.name === 'r1')).toMatchObject({ role: 'reader', status: 'due' });
    expect(list.find((b) => b.name === 'w_gent')).toMatchObject({ role: 'writer', every: '30m' });
    const text = await ok(p, ['list']);
    expect(text.stdout).toContain(`farm ops on cluster 127.0.0.1:${cluster.nodes[0]!.port}`);

    const shown = await json<Record<string, unknown>>(p, ['show', 'w_gent']);
    expect(shown).toMatchObject({ name: 'w_gent', role: 'writer', every: '30m', token: 'set', secret: 'set' });
    expect(JSON.stringify(shown)).toMatch(/"per_tick":\s*"?2/);

    // A source still used by writers is refused; a writer goes with all its keys.
    const refused = await tfctl(['destroy', 'r1', '--yes'], env(p));
    expect(refused.code).toBe(2);
    await ok(p, ['destroy', 'w_accs', '--yes']);
    expect((await json<Listed>(p, ['list'])).map((b) => b.name)).not.toContain('w_accs');
    expect(await redis.exists(`${p}:bot:{w_accs}`)).toBe(0);
    const gone = await tfctl(['show', 'w_accs'], env(p));
    expect(gone.code).toBe(2);
  });

  it('a tick: one read, each writer posts once through the sandbox, events say so; export then import', async () => {
    const p = 'tick';
    await ok(p, ['create', 'r1', 'reader', ...creds('owner')]);
    for (const [name, template] of WRITERS.slice(0, 3)) await ok(p, ['create', name, 'writer', '--reader', 'r1', '--template', template, '--grab', '1', ...creds(name)]);
    await sb.resetRequests();
    const first = await tfctl(['tick', '--json'], env(p));
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).summary).toMatchObject({ fetched: 5, posted: 3, failed: 0 });
    expect(await onX('w_gent')).toEqual(['Жизнь без кошек не та.']);
    expect(await onX('w_loct')).toEqual(['Всю ночь думал о кошке.']);
    expect(await onX('w_nomn')).toEqual(['Кошка – это когда тебя любят.']);
    const calls = await sb.requests();
    expect(calls['GET /2/users/:id/timelines/reverse_chronological']).toBe(1);
    expect(calls['POST /2/tweets']).toBe(3);

    // Nothing due a moment later; --force runs all again with the next tweets, never a repeat.
    expect(JSON.parse((await ok(p, ['tick', '--json'])).stdout).summary).toMatchObject({ ran: 0, posted: 0 });
    expect(JSON.parse((await ok(p, ['tick', '--json', '--force'])).stdout).summary).toMatchObject({ posted: 3, failed: 0 });
    for (const [w] of WRITERS.slice(0, 3)) {
      const texts = await onX(w);
      expect(texts).toHaveLength(2);
      expect(new Set(texts).size).toBe(2);
    }
    const list = await json<Listed>(p, ['list']);
    expect(list.find((b) => b.name === 'w_gent')).toMatchObject({ posted: 2, unprocessed: 3 });
    const shown = await json<{ recent_posts: Array<{ text: string }> }>(p, ['show', 'w_gent']);
    expect(shown.recent_posts.map((x) => x.text)).toEqual(['Жизнь без книг не та.', 'Жизнь без кошек не та.']);

    // The farm's events, in the farm's one slot: a `posted` per post.
    const events = (await ok(p, ['events', '--json', '--since', '1h'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; bot: string });
    expect(events.filter((e) => e.type === 'posted').map((e) => e.bot).sort()).toEqual(['w_gent', 'w_gent', 'w_loct', 'w_loct', 'w_nomn', 'w_nomn']);

    // Export, then import under another prefix of the same cluster: the same farm, which ticks on.
    const archive = join(dir, 'tick.tar.gz');
    const exported = await json<{ counts: { bots: number } }>(p, ['export', archive]);
    expect(exported.counts.bots).toBe(4);
    expect(existsSync(archive)).toBe(true);
    const imported = await json<{ bots: string[] }>('copy', ['import', archive]);
    expect(imported.bots.sort()).toEqual(['r1', 'w_gent', 'w_loct', 'w_nomn']);
    const strip = (l: Listed) => l.map(({ name, role, posted, unprocessed, cached }) => ({ name, role, posted, unprocessed, cached })).sort((a, b) => a.name.localeCompare(b.name));
    expect(strip(await json<Listed>('copy', ['list']))).toEqual(strip(await json<Listed>(p, ['list'])));
    // The copy remembers what was posted: its next tick posts new texts, never one of the originals'.
    await ok(p, ['destroy', 'w_gent', '--yes']);
    await ok(p, ['destroy', 'w_loct', '--yes']);
    await ok(p, ['destroy', 'w_nomn', '--yes']);
    const copied = JSON.parse((await ok('copy', ['tick', '--json', '--force'])).stdout);
    expect(copied.summary).toMatchObject({ posted: 3, failed: 0 });
    for (const [w] of WRITERS.slice(0, 3)) {
      const texts = await onX(w);
      expect(texts).toHaveLength(3);
      expect(new Set(texts).size).toBe(3);
    }
  });

  it('events --follow sees a tick\'s posts as they come, and the webhook gets each once', async () => {
    const p = 'ev';
    const receiver = await startReceiver();
    try {
      await ok(p, ['create', 'r1', 'reader', ...creds('owner')]);
      await ok(p, ['create', 'w_accs', 'writer', '--reader', 'r1', '--template', 'Опять думаю про {noun:accs,plur}.', '--grab', '1', ...creds('w_accs')]);
      // Followed on a connection of its own (XREAD BLOCK on the events' node), in this process.
      const io = bufferIo();
      const following = events({ follow: true, json: true, forMs: 6000 }, io, loadConfig(env(p)));
      await new Promise((r) => setTimeout(r, 500));
      const tick = await tfctl(['tick', '--json'], { ...env(p), TFCTL_WEBHOOK_URL: receiver.url });
      expect(tick.code, tick.stderr).toBe(0);
      await following;
      const seen = io.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; bot: string });
      expect(seen.map((e) => `${e.type}:${e.bot}`)).toEqual(['posted:w_accs']);
      expect(receiver.got.map((e) => `${e.type}:${e.bot}`)).toEqual(['posted:w_accs']);
      await ok(p, ['tick']); // nothing due: nothing is sent again
      expect(receiver.got).toHaveLength(1);
    } finally {
      await receiver.stop();
    }
  });
});
