import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { tfctl } from '../helpers/cli.js';
import { startCluster, type PrivateCluster } from '../helpers/cluster.js';
import { runCli } from '../helpers/inproc.js';
import { pausedTick } from '../helpers/paused-tick.js';
import { loadConfig } from '../../src/config.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Redis replicates asynchronously: a master answers a write before its replica has it. This test makes
 * that window as wide as it can be: the writer's replica is cut off from its master (frozen, so that it
 * cannot reconnect, then CLIENT KILL TYPE replica on the master) before the writer's tick; the master is
 * killed once the post is on X and recorded, or once the tick is over, and the replica, thawed, takes
 * over without any write of that tick. The farm must still post each text once, and end with a record of
 * every post that is on X. Without store/replicated.ts (WAIT 1 after the intents) it did not: the post
 * was on X and nowhere in the farm, and the writer's next tick posted from the same tweet again.
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

describe('a write the killed master acknowledged but never passed on', () => {
  it('is neither posted twice nor lost', async () => {
    const env = { REDIS_URL: cluster.seedsUrl, TFCTL_REDIS_CLUSTER: '1', TFCTL_PREFIX: 'rep', ...sb.cliEnv, TFCTL_CLOCK: 'sandbox', TFCTL_LOCK_TTL_MS: '2000' };
    const run = async (args: string[]) => {
      const r = await runCli(args, loadConfig(env));
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    };
    const owner = await sb.account('owner');
    const w = await sb.account('rep_w');
    await run(['create', 'r1', 'reader', '--token', owner.token, '--secret', owner.secret]);
    await run(['create', 'w', 'writer', '--reader', 'r1', '--template', 'Снова о {noun:loct}.', '--grab', '1', '--every', '1h', '--token', w.token, '--secret', w.secret]);
    await run(['tick', 'r1']);

    const master = await cluster.masterOf(Number(await redis.cluster('KEYSLOT', '{w}')));
    const [replica] = await cluster.replicasOf(master.port);
    expect(replica).toBeDefined();
    // Cut the replica off: from here on its master answers the writer's writes alone.
    // Frozen first, so that it cannot reconnect; then its master drops the link.
    cluster.freeze(replica!.port);
    const killedLinks = await cluster.ask(master.port, 'CLIENT', 'KILL', 'TYPE', 'replica');
    const steps: string[] = [`cut ${killedLinks} link(s)`];
    let thawed = false;
    const loseMaster = async () => {
      steps.push(`at the pause the master has ${await redis.llen('rep:{w}:posts')} post(s) recorded, ${String(await cluster.ask(master.port, 'INFO', 'replication')).match(/connected_slaves:\d+/)?.[0]}`);
      await cluster.killMaster({ port: master.port }, { wait: false });
      cluster.thaw(replica!.port);
      thawed = true;
    };
    try {
      const tick = await pausedTick(env, 'after-record', 'w', loseMaster);
      steps.push(`tick: paused ${tick.paused}, exit ${tick.code}, ${tick.report.slice(0, 300)} ${tick.stderr.slice(0, 300)}`);
      if (!tick.paused) await loseMaster(); // the tick did not get that far: the master goes all the same
    } finally {
      if (!thawed) cluster.thaw(replica!.port);
    }
    await cluster.waitHealthy();

    // Ticks until the writer has posted twice (its next tick, an hour on, takes the next tweet), then one more.
    for (let round = 0, extra = 1; round < 6 && extra >= 0; round++) {
      const r = await tfctl(['tick', '--json', 'w'], env);
      const summary = r.stdout ? (JSON.parse(r.stdout) as { summary: { skipped: number } }).summary : undefined;
      steps.push(`tick ${round + 1}: exit ${r.code}, ${summary ? JSON.stringify(summary) : r.stderr}`);
      if ((await sb.tweets('rep_w')).length >= 2) extra--;
      await sb.advance(61 * 60);
      // A lock the dead master's successor never saw released lapses (TFCTL_LOCK_TTL_MS).
      if (summary?.skipped) await new Promise((res) => setTimeout(res, 2100));
    }
    const onX = (await sb.tweets('rep_w')).map((t) => t.text).reverse();
    const recorded = (await redis.lrange('rep:{w}:posts', 0, -1)).map((p) => (JSON.parse(p) as { text: string }).text).reverse();
    const story = `${steps.join('; ')}; on X: ${JSON.stringify(onX)}; recorded: ${JSON.stringify(recorded)}`;
    console.log(`replication: ${story}`);
    expect(onX.length, story).toBeGreaterThanOrEqual(2);
    expect(new Set(onX).size, `a text posted twice: ${story}`).toBe(onX.length);
    expect(recorded, `the farm's record differs from X: ${story}`).toEqual(onX);
  });
});
