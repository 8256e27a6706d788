/**
 * `npm run bench [-- --writers N] [--import]`: builds a farm of one reader and N writers on a private
 * Redis and the sandbox, runs one `tfctl tick` as a child process, and measures it; then the cold start
 * of `tfctl list`, the text engine and the sandbox; with --import, also `tfctl import` of an archive of
 * 1,000,000 keys (--import-keys N for another size). Progress goes to stderr; the last stdout line is JSON.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { startRedis } from '../dev/redis-server.js';
import { Farm } from '../farm/farm.js';
import { SandboxAdmin } from '../sandbox/admin-client.js';
import { startSandbox } from '../sandbox/server.js';
import { buildFarm, loadBuild, makeAccounts } from './farm-build.js';
import { benchImport } from './import.js';
import { startRoundTripProxy } from './round-trips.js';
import type { SandboxAccount } from '../sandbox/admin-client.js';
import { benchInflect } from './inflect.js';
import { benchSandbox } from './sandbox.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'tfctl');
const HOOK = fileURLToPath(new URL('./rss-hook.js', import.meta.url));
const note = (line: string) => process.stderr.write(`bench: ${line}\n`);
/** Cold `tfctl list` runs (each with an empty node run beside it) behind the reported medians. */
const LIST_ROUNDS = 11;

interface Run {
  ms: number;
  code: number;
  stdout: string;
  rssKb: number;
}

/** An empty node process: the floor under every cold start. */
function runNode(env: Record<string, string>): Promise<{ ms: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-e', '0'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6 }));
  });
}

/** Runs bin/tfctl as a user would; `rss` adds the hook that reports peak memory (one more module to load). */
function runCli(args: string[], env: Record<string, string>, rss = false): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'tfctl-bench-'));
  const rssFile = join(dir, 'rss');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    // TFCTL_BENCH_NODE_ARGS (e.g. "--cpu-prof") goes to the measured process, for profiling.
    const nodeArgs = process.env.TFCTL_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeArgs, ...(rss ? ['--import', HOOK] : []), BIN, ...args], {
      env: { ...process.env, ...env, TFCTL_BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      let rssKb = 0;
      try {
        rssKb = Number(readFileSync(rssFile, 'utf8'));
      } catch {
        /* the child died before its exit hook */
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ ms, code: code ?? -1, stdout, rssKb });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      writers: { type: 'string', default: '1000' },
      'farm-only': { type: 'boolean', default: false },
      import: { type: 'boolean', default: false },
      'import-keys': { type: 'string', default: '1000000' },
      'round-trip-writers': { type: 'string', default: '50' },
    },
  });
  const writers = Number(values.writers);
  if (!Number.isInteger(writers) || writers < 1) throw new Error('--writers takes a whole number from 1');
  const rtWriters = Number(values['round-trip-writers']);
  if (!Number.isInteger(rtWriters) || rtWriters < 1) throw new Error('--round-trip-writers takes a whole number from 1');
  const importKeys = Number(values['import-keys']);
  if (!Number.isInteger(importKeys) || importKeys < 2) throw new Error('--import-keys takes a whole number from 2');

  const redis = await startRedis();
  const sandbox = await startSandbox({ port: 0, tier: 'pro', seed: true });
  const admin = new SandboxAdmin(sandbox.url);
  const app = await admin.app();
  const prefix = 'bench';
  const env = { REDIS_URL: redis.url, TFCTL_PREFIX: prefix, TFCTL_X_API: sandbox.url, TFCTL_CONSUMER_KEY: app.consumer_key, TFCTL_CONSUMER_SECRET: app.consumer_secret };
  const farm = await Farm.open({ ...loadConfig(), redisUrl: redis.url, prefix, xApi: sandbox.url });
  let result: Record<string, number> = { writers };
  try {
    note(`building a farm of 1 reader and ${writers} writers`);
    const ours = await loadBuild(ROOT);
    const owner = await admin.account('owner');
    await buildFarm(ours, { redisUrl: redis.url, prefix, xApi: sandbox.url, owner, writers: await makeAccounts(admin, 'bench_w', writers) });

    const before = await admin.requests();
    const statsBefore = await commandStats(farm.redis);
    note('running tfctl tick');
    const tick = await runCli(['tick', '--json'], env, true);
    const tickCommands = diffCalls(statsBefore, await commandStats(farm.redis));
    if (tick.code !== 0) note(`tick exited ${tick.code}`);
    const report = JSON.parse(tick.stdout) as { summary: { posted: number; failed: number; ran: number } };
    const calls = total(await admin.requests()) - total(before);
    note('timing idle ticks (nothing due) and what a tick read before the due index: every bot, whole');
    const idle = await idleTicks(farm);
    note(`counting round trips: a tick of 1 reader and ${rtWriters} writers, one bot at a time, against one of the reader alone`);
    const trips = await roundTrips(redis.url, sandbox.url, admin, env, owner, rtWriters);
    // `list` needs only Redis: the harness's own sandbox and connection go first, so they cannot
    // compete with the measured process for the two cores.
    await farm.close();
    await sandbox.close();

    // This workplace sets NODE_EXTRA_CA_CERTS, which makes every node process parse a CA bundle
    // (~80 ms of CPU) before any code runs. list_cold_ms is measured without it, as on an operator's
    // machine; the figure with the inherited environment is reported beside it.
    note('timing a cold tfctl list');
    const clean = { ...env, NODE_EXTRA_CA_CERTS: undefined } as unknown as Record<string, string>;
    const lists: number[] = [];
    const listsInherited: number[] = [];
    const baseline: number[] = [];
    // Each list is paired with the empty node run next to it: on a shared machine the load moves
    // between rounds, and the median of the pairs' differences follows it better than two medians.
    const overNode: number[] = [];
    for (let i = 0; i < LIST_ROUNDS; i++) {
      const list = await runCli(['list'], clean);
      if (list.code !== 0) throw new Error(`tfctl list exited ${list.code}`);
      const node = await runNode(clean);
      lists.push(list.ms);
      baseline.push(node.ms);
      overNode.push(list.ms - node.ms);
      listsInherited.push((await runCli(['list'], env)).ms);
    }

    result = {
      writers,
      tick_s: round(tick.ms / 1000, 3),
      posts: report.summary.posted,
      failed: report.summary.failed,
      api_calls: calls,
      peak_rss_mb: round(tick.rssKb / 1024, 1),
      redis_commands_per_writer: round(tickCommands.calls / writers, 2),
      ...trips,
      ...idle,
      list_cold_ms: round(median(lists), 1),
      list_cold_ms_inherited_env: round(median(listsInherited), 1),
      node_startup_ms: round(median(baseline), 1),
      list_over_node_ms: round(median(overNode), 1),
    };
  } finally {
    await farm.close().catch(() => {});
    await sandbox.close().catch(() => {});
    await redis.stop();
  }
  if (!values['farm-only']) {
    note('measuring the text engine');
    Object.assign(result, await benchInflect());
    note('measuring the sandbox');
    Object.assign(result, await benchSandbox());
  }
  if (values.import) {
    note(`importing an archive of ${importKeys} keys`);
    Object.assign(result, await benchImport(importKeys));
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Calls and CPU time by command, from Redis's INFO commandstats (commands run by scripts included). */
async function commandStats(redis: Farm['redis']): Promise<Map<string, { calls: number; usec: number }>> {
  const out = new Map<string, { calls: number; usec: number }>();
  for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) out.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  return out;
}

/** What Redis ran between two commandStats, INFO itself left out. */
function diffCalls(before: Map<string, { calls: number; usec: number }>, after: Map<string, { calls: number; usec: number }>): { calls: number; usec: number } {
  let calls = 0;
  let usec = 0;
  for (const [cmd, a] of after) {
    if (cmd === 'info') continue;
    calls += a.calls - (before.get(cmd)?.calls ?? 0);
    usec += a.usec - (before.get(cmd)?.usec ?? 0);
  }
  return { calls, usec };
}

/**
 * An idle tick (every bot ticked a moment ago) in this process, so node's start-up is not in it: its wall
 * time, the Redis commands it ran and Redis's time in them; beside it, the read a tick made of every bot
 * before the due index (FarmStore.all), measured on the same farm.
 */
async function idleTicks(farm: Farm): Promise<Record<string, number>> {
  const { runTick } = await import('../farm/tick.js');
  const walls: number[] = [];
  const fullReads: number[] = [];
  let commands = { calls: 0, usec: 0 };
  let full = { calls: 0, usec: 0 };
  for (let i = 0; i < 5; i++) {
    const before = await commandStats(farm.redis);
    const started = performance.now();
    const report = await runTick(farm);
    walls.push(performance.now() - started);
    commands = diffCalls(before, await commandStats(farm.redis));
    if (report.bots.length) throw new Error(`an idle tick ran ${report.bots.length} bots`);
    const beforeFull = await commandStats(farm.redis);
    const startedFull = performance.now();
    await farm.store.all();
    fullReads.push(performance.now() - startedFull);
    full = diffCalls(beforeFull, await commandStats(farm.redis));
  }
  return {
    idle_tick_ms: round(median(walls), 1),
    idle_tick_redis_commands: commands.calls,
    idle_tick_redis_ms: round(commands.usec / 1000, 2),
    every_bot_read_ms: round(median(fullReads), 1),
    every_bot_read_redis_ms: round(full.usec / 1000, 2),
  };
}

/**
 * Round trips per writer, counted on the wire (round-trips.ts): two small farms on the same Redis, one of
 * the reader and K writers, one of the reader alone, each ticked by `tfctl tick --concurrency 1` through
 * the counting proxy, so no bot's round trips overlap another's. The difference between the two ticks'
 * bursts, over K, is what each writer adds to a tick: its own round trips and any the reader makes per
 * writer (a trim per consumer, say); connecting, the due read and the reader's own fetch cancel out.
 * An idle tick (the reader-only farm again, nothing due) is reported beside it. The Redis commands of
 * the same two ticks give the commands each writer adds.
 */
async function roundTrips(redisUrl: string, xApi: string, admin: SandboxAdmin, env: Record<string, string>, owner: SandboxAccount, k: number): Promise<Record<string, number>> {
  const ours = await loadBuild(ROOT);
  const proxy = await startRoundTripProxy(redisUrl);
  const direct = await Farm.open({ ...loadConfig(), redisUrl, prefix: 'rt-probe', xApi });
  try {
    await buildFarm(ours, { redisUrl, prefix: 'rt-alone', xApi, owner, writers: [] });
    await buildFarm(ours, { redisUrl, prefix: 'rt-writers', xApi, owner, writers: await makeAccounts(admin, 'rt_w', k) });
    const measure = async (prefix: string) => {
      proxy.reset();
      const before = await commandStats(direct.redis);
      const run = await runCli(['tick', '--json', '--concurrency', '1'], { ...env, REDIS_URL: proxy.url, TFCTL_PREFIX: prefix });
      const commands = diffCalls(before, await commandStats(direct.redis)).calls;
      if (run.code !== 0) throw new Error(`tfctl tick (${prefix}) exited ${run.code}`);
      const summary = (JSON.parse(run.stdout) as { summary: { ran: number } }).summary;
      return { bursts: proxy.bursts, commands, ran: summary.ran };
    };
    const alone = await measure('rt-alone');
    const withWriters = await measure('rt-writers');
    const idle = await measure('rt-alone');
    if (alone.ran !== 1 || withWriters.ran !== k + 1 || idle.ran !== 0) throw new Error(`round-trip ticks ran ${alone.ran}, ${withWriters.ran} and ${idle.ran} bots, not 1, ${k + 1} and 0`);
    return {
      redis_round_trips_per_writer: round((withWriters.bursts - alone.bursts) / k, 2),
      redis_commands_per_writer_marginal: round((withWriters.commands - alone.commands) / k, 2),
      idle_tick_round_trips: idle.bursts,
      reader_tick_round_trips: alone.bursts,
    };
  } finally {
    await direct.close();
    await proxy.close();
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
