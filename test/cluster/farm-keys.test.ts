import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { Keys } from '../../src/store/keys.js';
import { slotOf } from '../../src/store/slots.js';
import { startCluster, type PrivateCluster } from '../helpers/cluster.js';
import { runCli } from '../helpers/inproc.js';
import { startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';

/**
 * The farm's registry, listings and archives on a six-node Redis Cluster (TFCTL_REDIS_CLUSTER=1): create,
 * set, list, stats, show, tick, export, import and destroy, through the commands. Bots' keys land on every
 * master; the farm-wide keys in one slot.
 */
let cluster: PrivateCluster;
let sb: TestSandbox;
let config: Config;
let dir: string;
const accounts = new Map<string, Creds>();
const keys = new Keys('ck');

beforeAll(async () => {
  cluster = await startCluster({ masters: 3, replicasPerMaster: 1 });
  sb = await startTestSandbox({ tier: 'pro' });
  for (const [name, creds] of await sb.seedHome(...Array.from({ length: 12 }, (_, i) => `w${i}`))) accounts.set(name, creds);
  config = loadConfig({ REDIS_URL: cluster.url, TFCTL_REDIS_CLUSTER: '1', TFCTL_PREFIX: 'ck', ...sb.cliEnv });
  dir = mkdtempSync(join(tmpdir(), 'tfctl-cluster-keys-'));
});
afterAll(async () => {
  await sb?.close();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const creds = (name: string) => ['--token', accounts.get(name)!.token, '--secret', accounts.get(name)!.secret];
async function ok(args: string[], with_: Partial<Config> = {}) {
  const r = await runCli(args, { ...config, ...with_ });
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}
const list = async (prefix = 'ck') => JSON.parse((await ok(['list', '--json'], { prefix })).stdout) as Array<{ name: string; reader: string | null; cached: number | null; unprocessed: number | null; posted: number }>;

describe('a farm on a Redis Cluster', () => {
  it('creates, lists, ticks, moves a consumer, exports, imports and destroys, with bots on every master', async () => {
    await ok(['create', 'r1', 'reader', ...creds('owner')]);
    await ok(['create', 'r2', 'reader', ...creds('owner')]);
    for (let i = 0; i < 12; i++) await ok(['create', `w${i}`, 'writer', '--reader', 'r1', '--template', '%s!', '--grab', '1', ...creds(`w${i}`)]);
    // Twelve bots' slots fall on more than one master; the farm-wide keys share one slot.
    const masters = new Set(await Promise.all(Array.from({ length: 12 }, (_, i) => cluster.masterOf(slotOf(keys.bot(`w${i}`))).then((n) => n.port))));
    expect(masters.size).toBeGreaterThan(1);
    expect(new Set([keys.bots(), keys.due(), keys.events(), keys.appBearer()].map(slotOf)).size).toBe(1);

    expect((await list()).map((b) => b.name)).toEqual(['r1', 'r2', ...Array.from({ length: 12 }, (_, i) => `w${i}`)].sort());
    const tick = JSON.parse((await ok(['tick', '--json'])).stdout) as { summary: { posted: number; failed: number } };
    expect(tick.summary).toMatchObject({ posted: 12, failed: 0 });
    const after = await list();
    expect(after.find((b) => b.name === 'w0')).toMatchObject({ posted: 1, reader: 'r1', unprocessed: after.find((b) => b.name === 'r1')!.cached! - 1 });
    expect(after.find((b) => b.name === 'r1')!.cached).toBeGreaterThan(0);
    await ok(['stats', '--json']);
    await ok(['show', 'w3', '--json']);
    await ok(['set', 'w11', 'reader=r2']);
    const moved = await list();
    // Its group on r2 starts at r2's oldest entry: all of r2's cache is unprocessed for it.
    expect(moved.find((b) => b.name === 'w11')).toMatchObject({ reader: 'r2', unprocessed: moved.find((b) => b.name === 'r2')!.cached });
    // A source read from is refused; its last consumer gone, it goes.
    expect((await runCli(['destroy', 'r2', '--yes'], config)).code).toBe(2);

    const file = join(dir, 'farm.tar.gz');
    const exported = JSON.parse((await ok(['export', file, '--json'])).stdout) as { counts?: { bots: number } };
    expect(JSON.stringify(exported)).toContain('"bots":14');
    const before = await list();
    await ok(['import', file, '--replace']);
    expect(await list()).toEqual(before);
    await ok(['import', file], { prefix: 'ck2' });
    expect((await list('ck2')).map((b) => [b.name, b.cached, b.unprocessed, b.posted])).toEqual(before.map((b) => [b.name, b.cached, b.unprocessed, b.posted]));

    await ok(['destroy', 'w11', '--yes']);
    await ok(['destroy', 'r2', '--yes']);
    for (let i = 0; i < 11; i++) await ok(['destroy', `w${i}`, '--yes']);
    await ok(['destroy', 'r1', '--yes']);
    expect(await list()).toEqual([]);
    // Nothing of a bot is left on any master: only the farm-wide keys.
    const left: string[] = [];
    const client = cluster.client();
    for (const node of client.nodes('master')) left.push(...(await node.keys('ck:*')));
    expect(left.filter((k) => !k.startsWith(keys.farmWide()))).toEqual([]);
  });
});
