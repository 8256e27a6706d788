import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { tfctl } from '../helpers/cli.js';
import { startCluster, type PrivateCluster } from '../helpers/cluster.js';
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

describe("a writer's end step lost with its master", () => {
  it('leaves the writer due, and its next tick records the post made', async () => {
    const env = { REDIS_URL: cluster.seedsUrl, TFCTL_REDIS_CLUSTER: '1', TFCTL_PREFIX: 'end', ...sb.cliEnv, TFCTL_CLOCK: 'sandbox', TFCTL_LOCK_TTL_MS: '2000' };
    const run = async (args: string[]) => {
      const r = await runCli(args, loadConfig(env));
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    };
    // A writer on another master than the farm-wide keys and its source.
    const farmWide = (await cluster.masterOf(Number(await redis.cluster('KEYSLOT', new Keys('end').due())))).port;
    const source = (await cluster.masterOf(Number(await redis.cluster('KEYSLOT', '{r1}')))).port;
    let name = '';
    for (let i = 0; !name && i < 100; i++) {
      const m = await cluster.masterOf(Number(await redis.cluster('KEYSLOT', `{w${i}}`)));
      if (m.port !== farmWide && m.port !== source) name = `w${i}`;
    }
    expect(name).not.toBe('');
    const owner = await sb.account('owner');
    const w = await sb.account(`end_${name}`);
    await run(['create', 'r1', 'reader', '--token', owner.token, '--secret', owner.secret]);
    await run(['create', name, 'writer', '--reader', 'r1', '--template', 'Снова о {noun:loct}.', '--grab', '1', '--every', '24h', '--token', w.token, '--secret', w.secret]);
    await run(['tick', 'r1']);

    const master = await cluster.masterOf(Number(await redis.cluster('KEYSLOT', `{${name}}`)));
    const [replica] = await cluster.replicasOf(master.port);
    const steps: string[] = [];
    let frozen = false;
    try {
      // After the POST, before the end step: the replica frozen (no failover for now), the master killed;
      // the end step, the tick's next command to that master, fails.
      const tick = await pausedTick(env, 'before-ack', name, async () => {
        cluster.freeze(replica!.port);
        frozen = true;
        await cluster.killMaster({ port: master.port }, { wait: false });
      });
      steps.push(`tick: paused ${tick.paused}, exit ${tick.code}, ${tick.report.slice(0, 400)}`);
      expect(tick.paused, tick.stderr).toBe(true);
    } finally {
      if (frozen) cluster.thaw(replica!.port);
    }
    await cluster.waitHealthy();
    expect((await sb.tweets(`end_${name}`)).length).toBe(1);
    // The due index errs early, never late: it may not say later than the bot's hash.
    const indexed = Number(await redis.zscore(new Keys('end').due(), name));
    const hashed = Number(await redis.hget(`end:bot:{${name}}`, 'next_due_at'));
    steps.push(`the index says ${indexed}, the hash ${hashed}`);
    expect(indexed, steps.join('; ')).toBeLessThanOrEqual(hashed);

    for (let round = 0; round < 4; round++) {
      const r = await tfctl(['tick', '--json'], env);
      steps.push(`tick ${round + 1}: exit ${r.code}, ${r.stdout ? JSON.stringify((JSON.parse(r.stdout) as { summary: unknown }).summary) : r.stderr}`);
      const shown = JSON.parse((await tfctl(['show', name, '--json'], env)).stdout) as { posted: number };
      if (shown.posted === 1) break;
      await sb.advance(15 * 60);
      await new Promise((res) => setTimeout(res, 2100)); // the dead run's lock lapses
    }
    const onX = (await sb.tweets(`end_${name}`)).map((t) => t.text);
    const recorded = (await redis.lrange(`end:{${name}}:posts`, 0, -1)).map((p) => (JSON.parse(p) as { text: string }).text);
    const story = `${steps.join('; ')}; on X: ${JSON.stringify(onX)}; recorded: ${JSON.stringify(recorded)}`;
    console.log(`end step: ${story}`);
    // The post of the failed tick is recorded, and it was that due time's post: the tick that found it
    // posts nothing of its own. One post on X, and the farm's record is what X shows.
    expect(onX, story).toHaveLength(1);
    expect(recorded, story).toEqual(onX);
    const next = Number(await redis.hget(`end:bot:{${name}}`, 'next_due_at'));
    expect(next - (await sb.advance(0)).now_ms, story).toBeGreaterThan(23 * 3600_000);
  });

  it("one its replica never got leaves the writer due too, and the next tick records the post", async () => {
    const env = { REDIS_URL: cluster.seedsUrl, TFCTL_REDIS_CLUSTER: '1', TFCTL_PREFIX: 'unrep', ...sb.cliEnv, TFCTL_CLOCK: 'sandbox', TFCTL_LOCK_TTL_MS: '2000' };
    const run = async (args: string[]) => {
      const r = await runCli(args, loadConfig(env));
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    };
    // A writer on a master with a replica (the test before left one without), not the farm-wide keys' one.
    const farmWide = (await cluster.masterOf(Number(await redis.cluster('KEYSLOT', new Keys('unrep').due())))).port;
    let name = '';
    for (let i = 0; !name && i < 100; i++) {
      const m = await cluster.masterOf(Number(await redis.cluster('KEYSLOT', `{u${i}}`)));
      if (m.port !== farmWide && (await cluster.replicasOf(m.port)).length > 0) name = `u${i}`;
    }
    expect(name).not.toBe('');
    const owner = await sb.account('owner');
    const w = await sb.account(`unrep_${name}`);
    await run(['create', 'r1', 'reader', '--token', owner.token, '--secret', owner.secret]);
    await run(['create', name, 'writer', '--reader', 'r1', '--template', 'Опять о {noun:loct}.', '--grab', '1', '--every', '24h', '--token', w.token, '--secret', w.secret]);
    await run(['tick', 'r1']);

    const master = await cluster.masterOf(Number(await redis.cluster('KEYSLOT', `{${name}}`)));
    const [replica] = await cluster.replicasOf(master.port);
    const steps: string[] = [];
    let frozen = false;
    try {
      // After the POST (its intent is on the replica), before the end step: the replica cut off, so the end
      // step is on the master alone; once the tick is over the master dies and the replica takes over.
      const tick = await pausedTick(env, 'before-ack', name, async () => {
        cluster.freeze(replica!.port);
        frozen = true;
        steps.push(`cut ${await cluster.ask(master.port, 'CLIENT', 'KILL', 'TYPE', 'replica')} link(s)`);
      });
      steps.push(`tick: paused ${tick.paused}, exit ${tick.code}, ${tick.report.slice(0, 400)}`);
      expect(tick.paused, tick.stderr).toBe(true);
      await cluster.killMaster({ port: master.port }, { wait: false });
    } finally {
      if (frozen) cluster.thaw(replica!.port);
    }
    await cluster.waitHealthy();
    expect((await sb.tweets(`unrep_${name}`)).length).toBe(1);
    steps.push(`after the failover the hash says ${await redis.hget(`unrep:bot:{${name}}`, 'next_due_at')}, the index ${await redis.zscore(new Keys('unrep').due(), name)}`);

    // Cron's ticks, as the due index has them.
    for (let round = 0; round < 3; round++) {
      const r = await tfctl(['tick', '--json'], env);
      steps.push(`tick ${round + 1}: exit ${r.code}, ${r.stdout ? JSON.stringify((JSON.parse(r.stdout) as { summary: unknown }).summary) : r.stderr}`);
      const shown = JSON.parse((await tfctl(['show', name, '--json'], env)).stdout) as { posted: number };
      if (shown.posted === 1) break;
      await sb.advance(15 * 60);
      await new Promise((res) => setTimeout(res, 2100)); // the dead run's lock lapses
    }
    const onX = (await sb.tweets(`unrep_${name}`)).map((t) => t.text);
    const recorded = (await redis.lrange(`unrep:{${name}}:posts`, 0, -1)).map((p) => (JSON.parse(p) as { text: string }).text);
    const story = `${steps.join('; ')}; on X: ${JSON.stringify(onX)}; recorded: ${JSON.stringify(recorded)}`;
    console.log(`unreplicated end step: ${story}`);
    expect(onX, story).toHaveLength(1);
    expect(recorded, story).toEqual(onX);
  });
});
