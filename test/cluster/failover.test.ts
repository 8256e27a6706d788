import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { tfctl, type RunResult } from '../helpers/cli.js';
import { startCluster, type ClusterNode, type PrivateCluster } from '../helpers/cluster.js';
import { runCli } from '../helpers/inproc.js';
import { loadConfig } from '../../src/config.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { Keys } from '../../src/store/keys.js';

/**
 * A master of the farm's cluster killed (SIGKILL) in the middle of a tick, its replica promoted: the tick
 * (a `tfctl` process, as cron runs it) goes on or fails bots, the next ticks run what is still due, and in
 * the end every writer has posted exactly once on X, and the farm's own record says the same.
 */
const WRITERS = Array.from({ length: 24 }, (_, i) => `fw${String(i).padStart(2, '0')}`);
let cluster: PrivateCluster;
let redis: Cluster;
let sb: TestSandbox;
let farmNo = 0;

beforeAll(async () => {
  sb = await startTestSandbox({ tier: 'pro' });
  await sb.seedHome();
});
afterAll(async () => {
  await sb?.close();
});
// A cluster per test: after a failover one master has no replica left.
beforeEach(async () => {
  cluster = await startCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 });
  redis = cluster.client();
});
afterEach(async () => {
  await cluster?.stop();
});

interface TickJson {
  bots: Array<{ name: string; status: string; detail: string }>;
  summary: { ran: number; posted: number; failed: number };
}

async function farm(prefix: string): Promise<Record<string, string>> {
  const env = {
    // Every node as a seed, as an operator would list them: the killed master may be the first.
    REDIS_URL: cluster.seedsUrl,
    TFCTL_REDIS_CLUSTER: '1',
    TFCTL_PREFIX: prefix,
    ...sb.cliEnv,
    // The farm follows the sandbox's clock, so a bot backed off after a failure can be made due again.
    TFCTL_CLOCK: 'sandbox',
    // A lock left by a run that failed lapses soon.
    TFCTL_LOCK_TTL_MS: '2000',
  };
  const run = async (args: string[]) => {
    const r = await runCli(args, loadConfig(env));
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  };
  const owner = await sb.account('owner');
  await run(['create', 'r1', 'reader', '--token', owner.token, '--secret', owner.secret]);
  for (const w of WRITERS) {
    const c = await sb.account(`${prefix}_${w}`);
    await run(['create', w, 'writer', '--reader', 'r1', '--template', `${w}: {noun:nomn}.`, '--grab', '1', '--every', '24h', '--token', c.token, '--secret', c.secret]);
  }
  await run(['tick', 'r1']); // the reader first: the tick that meets the failover is the writers posting
  return env;
}

/** Each writer's posts on X (the sandbox's record), by writer. */
async function postsOnX(prefix: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(WRITERS.map((w) => [w, []]));
  for (const t of await sb.tweets()) if (t.username.startsWith(`${prefix}_`)) out.get(t.username.slice(prefix.length + 1))?.push(t.text);
  return out;
}

/** The failed bots of a tick report and why, for the test's story. */
const failures = (r: TickJson) => r.bots.filter((b) => b.status === 'failed').map((b) => ` ${b.name}: ${b.detail}`).join(';');

async function masterOfBot(name: string): Promise<ClusterNode> {
  return cluster.masterOf(Number(await redis.cluster('KEYSLOT', `{${name}}`)));
}

describe('a master killed mid-tick', () => {
  it.each([
    ['the master of most writers still to post', 'writers'],
    ["the master of the farm-wide keys (the bot set, the due index, the events)", 'farm'],
  ] as const)('%s: every writer posts exactly once, nothing lost', async (_, target) => {
    const prefix = `fo${++farmNo}`;
    const env = await farm(prefix);
    const seen: string[] = [];

    // The tick, a process of its own; a few writers run at a time, so the tick is still posting when
    // the master goes.
    let tickDone: RunResult | undefined;
    const tick = tfctl(['tick', '--json', '--concurrency', '4'], env).then((r) => (tickDone = r));
    let killed: ClusterNode | undefined;
    for (;;) {
      const posted = [...(await postsOnX(prefix))].filter(([, p]) => p.length > 0).map(([w]) => w);
      if (tickDone) break;
      if (posted.length >= 3) {
        const waiting = new Map<number, number>();
        for (const w of WRITERS.filter((x) => !posted.includes(x))) {
          const m = await masterOfBot(w);
          waiting.set(m.port, (waiting.get(m.port) ?? 0) + 1);
        }
        // The master holding most of the writers that have not posted yet, or the farm-wide keys' one.
        const port = target === 'writers' ? [...waiting].sort((a, b) => b[1] - a[1])[0]![0] : (await cluster.masterOf(Number(await redis.cluster('KEYSLOT', new Keys(prefix).due())))).port;
        killed = await cluster.killMaster({ port }, { wait: false });
        seen.push(`killed ${port} after ${posted.length} posts, ${waiting.get(port) ?? 0} waiting writers on it`);
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const first = await tick;
    expect(killed, `the tick ended before ${3} posts: ${first.stderr}`).toBeDefined();
    if (!first.stdout) throw new Error(`mid-tick run: exit ${first.code}, ${first.stderr}`);
    const report = JSON.parse(first.stdout) as TickJson;
    seen.push(`mid-tick run: exit ${first.code}, ${JSON.stringify(report.summary)}${failures(report)}`);
    await cluster.waitHealthy();

    // Ticks until every writer has posted and none is due (a bot that failed is backed off, or its lock
    // must lapse: the sandbox clock moves on, and the test waits out TFCTL_LOCK_TTL_MS).
    for (let round = 0; round < 8; round++) {
      const r = await tfctl(['tick', '--json'], env);
      if (!r.stdout) throw new Error(`tick ${round + 1}: exit ${r.code}, ${r.stderr} (${seen.join('; ')})`);
      const ticked = JSON.parse(r.stdout) as TickJson;
      seen.push(`tick ${round + 1}: exit ${r.code}, ${JSON.stringify(ticked.summary)}${failures(ticked)}`);
      // A writer that failed inside its tick is backed off (waiting a minute or two), not due: the rounds go on
      // until every writer has a post in the farm's record and none is due.
      const listed = JSON.parse((await tfctl(['list', '--json'], env)).stdout) as Array<{ name: string; status: string; posted: number }>;
      const due = listed.filter((b) => WRITERS.includes(b.name) && (b.status !== 'waiting' || b.posted === 0)).map((b) => `${b.name}:${b.status}:${b.posted}`);
      if (due.length === 0) break;
      seen.push(`still due: ${due.join(' ')}`);
      await sb.advance(15 * 60);
      await new Promise((res) => setTimeout(res, 2100));
    }
    console.log(`failover (${target}): ${seen.join('; ')}`);

    const onX = await postsOnX(prefix);
    for (const w of WRITERS) expect(onX.get(w), `${w} on X (${seen.join('; ')})`).toHaveLength(1);
    // The farm's record agrees: one post per writer, nothing left unprocessed from the batch it took.
    const list = JSON.parse((await tfctl(['list', '--json'], env)).stdout) as Array<{ name: string; posted: number; status: string }>;
    for (const w of WRITERS) expect(list.find((b) => b.name === w), w).toMatchObject({ posted: 1, status: 'waiting' });
    for (const w of WRITERS) {
      const recorded = (await redis.lrange(`${prefix}:{${w}}:posts`, 0, -1)).map((p) => (JSON.parse(p) as { text: string }).text);
      expect(recorded, w).toEqual(onX.get(w));
    }
  });
});
