import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { tfctl } from '../helpers/cli.js';
import { startCluster, type ClusterNode, type PrivateCluster } from '../helpers/cluster.js';
import { runCli } from '../helpers/inproc.js';
import { pausedTick } from '../helpers/paused-tick.js';
import { loadConfig } from '../../src/config.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { Keys } from '../../src/store/keys.js';

/**
 * A writer's tick ends in two places on a cluster: its own keys' end step (bookkeeping, release) on its
 * master, the farm's due index on the farm-wide keys' master. Here the writer's master dies after its
 * POST, before its end step, with its replica frozen, so no failover can save the end step, while the
 * due index's node is fine. The index must not then say the writer is done: its next tick must find the post on X and record
 * it, before its next due time. It did not: the index was written beside the failed end step, said 24 h
 * later, and the writer was left out of every tick (its post on X, in no record of the farm's).
 * The same when the end step is in on the master but its replica never gets it: the index is set only
 * once a replica has the end step (WAIT 1).
 */
let cluster: PrivateCluster;
let redis: Cluster;
let sb: TestSandbox;

beforeAll(async () => {
  [cluster, sb] = await Promise.all([startCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 }), startTestSandbox({ tier: 'pro' })]);
  redis = cluster.client();
  await sb.seedHome();
});
afterAll(async () => {
  await sb?.close();
  await cluster?.stop();
});

/** A farm of a reader and one writer, on a master `fits` accepts; the reader has ticked. */
async function farm(prefix: string, fits: (master: ClusterNode) => Promise<boolean>): Promise<{ env: Record<string, string>; name: string }> {
  const env = { REDIS_URL: cluster.seedsUrl, TFCTL_REDIS_CLUSTER: '1', TFCTL_PREFIX: prefix, ...sb.cliEnv, TFCTL_CLOCK: 'sandbox', TFCTL_LOCK_TTL_MS: '2000' };
  const run = async (args: string[]) => {
    const r = await runCli(args, loadConfig(env));
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  };
  let name = '';
  for (let i = 0; !name && i < 100; i++) if (await fits(await masterOf(`{w${i}}`))) name = `w${i}`;
  expect(name).not.toBe('');
  const owner = await sb.account('owner');
  const w = await sb.account(`${prefix}_${name}`);
  await run(['create', 'r1', 'reader', '--token', owner.token, '--secret', owner.secret]);
  await run(['create', name, 'writer', '--reader', 'r1', '--template', 'Снова о {noun:loct}.', '--grab', '1', '--every', '24h', '--token', w.token, '--secret', w.secret]);
  await run(['tick', 'r1']);
  return { env, name };
}

const masterOf = async (key: string) => cluster.masterOf(Number(await redis.cluster('KEYSLOT', key)));

/**
 * The writer's tick, paused after its POST and before its end step; there `atPause` gets the writer's
 * master and its replica (frozen by then, and thawed once the tick is over and `after` ran).
 */
async function tickLosing(env: Record<string, string>, name: string, steps: string[], atPause: (master: ClusterNode) => Promise<void>, after: (master: ClusterNode) => Promise<void> = async () => {}): Promise<void> {
  const master = await masterOf(`{${name}}`);
  const [replica] = await cluster.replicasOf(master.port);
  let frozen = false;
  try {
    const tick = await pausedTick(env, 'before-ack', name, async () => {
      cluster.freeze(replica!.port);
      frozen = true;
      await atPause(master);
    });
    steps.push(`tick: paused ${tick.paused}, exit ${tick.code}, ${tick.report.slice(0, 400)}`);
    expect(tick.paused, tick.stderr).toBe(true);
    await after(master);
  } finally {
    if (frozen) cluster.thaw(replica!.port);
  }
  await cluster.waitHealthy();
}

/** Cron's ticks (as the due index has them) until the writer's post is recorded; then X and the record. */
async function tickUntilRecorded(env: Record<string, string>, name: string, steps: string[]): Promise<{ onX: string[]; recorded: string[]; story: string }> {
  const prefix = env.TFCTL_PREFIX!;
  for (let round = 0; round < 4; round++) {
    const r = await tfctl(['tick', '--json'], env);
    steps.push(`tick ${round + 1}: exit ${r.code}, ${r.stdout ? JSON.stringify((JSON.parse(r.stdout) as { summary: unknown }).summary) : r.stderr}`);
    const shown = JSON.parse((await tfctl(['show', name, '--json'], env)).stdout) as { posted: number };
    if (shown.posted === 1) break;
    await sb.advance(15 * 60);
    await new Promise((res) => setTimeout(res, 2100)); // the dead run's lock lapses
  }
  const onX = (await sb.tweets(`${prefix}_${name}`)).map((t) => t.text);
  const recorded = (await redis.lrange(`${prefix}:{${name}}:posts`, 0, -1)).map((p) => (JSON.parse(p) as { text: string }).text);
  return { onX, recorded, story: `${steps.join('; ')}; on X: ${JSON.stringify(onX)}; recorded: ${JSON.stringify(recorded)}` };
}

describe("a writer's end step lost with its master", () => {
  it('leaves the writer due, and its next tick records the post made', async () => {
    // A writer on another master than the farm-wide keys and its source.
    const farmWide = (await masterOf(new Keys('end').due())).port;
    const source = (await masterOf('{r1}')).port;
    const { env, name } = await farm('end', async (m) => m.port !== farmWide && m.port !== source);
    const steps: string[] = [];
    // The replica frozen (no failover for now), the master killed: the end step, the tick's next command
    // to that master, fails.
    await tickLosing(env, name, steps, (master) => cluster.killMaster({ port: master.port }, { wait: false }).then(() => {}));
    expect((await sb.tweets(`end_${name}`)).length).toBe(1);
    // The due index errs early, never late: it may not say later than the bot's hash.
    const indexed = Number(await redis.zscore(new Keys('end').due(), name));
    const hashed = Number(await redis.hget(`end:bot:{${name}}`, 'next_due_at'));
    steps.push(`the index says ${indexed}, the hash ${hashed}`);
    expect(indexed, steps.join('; ')).toBeLessThanOrEqual(hashed);

    const { onX, recorded, story } = await tickUntilRecorded(env, name, steps);
    console.log(`end step: ${story}`);
    // The post of the failed tick is recorded, and it was that due time's post: the tick that found it
    // posts nothing of its own. One post on X, and the farm's record is what X shows.
    expect(onX, story).toHaveLength(1);
    expect(recorded, story).toEqual(onX);
    const next = Number(await redis.hget(`end:bot:{${name}}`, 'next_due_at'));
    expect(next - (await sb.advance(0)).now_ms, story).toBeGreaterThan(23 * 3600_000);
  });

  it('one its replica never got leaves the writer due too, and the next tick records the post', async () => {
    // A writer on a master with a replica (the test before left one without), not the farm-wide keys' one.
    const farmWide = (await masterOf(new Keys('unrep').due())).port;
    const { env, name } = await farm('unrep', async (m) => m.port !== farmWide && (await cluster.replicasOf(m.port)).length > 0);
    const steps: string[] = [];
    // The replica cut off (its intents are on it), so the end step is on the master alone; once the tick
    // is over the master dies and the replica takes over without it.
    await tickLosing(
      env,
      name,
      steps,
      async (master) => void steps.push(`cut ${await cluster.ask(master.port, 'CLIENT', 'KILL', 'TYPE', 'replica')} link(s)`),
      (master) => cluster.killMaster({ port: master.port }, { wait: false }).then(() => {}),
    );
    expect((await sb.tweets(`unrep_${name}`)).length).toBe(1);
    steps.push(`after the failover the hash says ${await redis.hget(`unrep:bot:{${name}}`, 'next_due_at')}, the index ${await redis.zscore(new Keys('unrep').due(), name)}`);

    const { onX, recorded, story } = await tickUntilRecorded(env, name, steps);
    console.log(`unreplicated end step: ${story}`);
    expect(onX, story).toHaveLength(1);
    expect(recorded, story).toEqual(onX);
  });
});
