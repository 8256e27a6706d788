/**
 * `npm run bench [-- --writers N] [--baseline REV [--rounds R]] [--import]`: builds a farm of one reader
 * and N writers on a private Redis and the sandbox, runs one `tfctl tick` as a child process, and measures
 * it; counts the round trips a writer adds to a tick (round-trips.ts); times idle ticks and the cold start
 * of `tfctl list`, the text engine and the sandbox. With --baseline, the same farm is also built and
 * ticked by another revision (built from git in a temporary folder, baseline.ts) in alternating rounds,
 * and its figures are reported beside ours with a `baseline_` prefix. With --import, also `tfctl import`
 * of an archive of 1,000,000 keys (--import-keys N for another size). Progress goes to stderr; the last
 * stdout line is JSON.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SandboxAdmin, type SandboxAccount } from '../sandbox/admin-client.js';
import { startSandbox } from '../sandbox/server.js';
import { prepareBaseline } from './baseline.js';
import { buildFarm, loadBuild, makeAccounts, type BuildCode } from './farm-build.js';
import { benchImport } from './import.js';
import { startRoundTripProxy } from './round-trips.js';
import { diffCalls, startTarget, type Target } from './target.js';
import { benchInflect } from './inflect.js';
import { benchSandbox } from './sandbox.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'tfctl');
const HOOK = fileURLToPath(new URL('./rss-hook.js', import.meta.url));
const note = (line: string) => process.stderr.write(`bench: ${line}\n`);
/** Cold `tfctl list` runs (each with an empty node run beside it) behind the reported medians (--list-rounds). */
let LIST_ROUNDS = 11;

interface Run {
  ms: number;
  code: number;
  stdout: string;
  rssKb: number;
  /** the child's CPU time (user + system), with the hook */
  cpuMs: number;
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
function runCli(bin: string, args: string[], env: Record<string, string>, rss = false): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'tfctl-bench-'));
  const rssFile = join(dir, 'rss');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    // TFCTL_BENCH_NODE_ARGS (e.g. "--cpu-prof") goes to the measured process, for profiling.
    const nodeArgs = process.env.TFCTL_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeArgs, ...(rss ? ['--import', HOOK] : []), bin, ...args], {
      env: { ...process.env, ...env, TFCTL_BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      let rssKb = 0;
      let cpuMs = 0;
      try {
        const [rss, user, sys] = readFileSync(rssFile, 'utf8').split(' ').map(Number);
        rssKb = rss!;
        cpuMs = ((user ?? 0) + (sys ?? 0)) / 1000;
      } catch {
        /* the child died before its exit hook */
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ ms, code: code ?? -1, stdout, rssKb, cpuMs });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

/** A build the bench ticks (this checkout's, or the --baseline revision's) and where its farm lives. */
interface Side {
  label: 'ours' | 'baseline' | 'cluster';
  code: BuildCode;
  cluster: boolean;
}

/** One measured tick of a fresh farm: what the result reports per round. */
interface TickRound {
  ms: number;
  rssKb: number;
  cpuMs: number;
  harnessCpuMs: number;
  posted: number;
  failed: number;
  apiCalls: number;
  commands: number;
  buildMs: number;
  /** writers whose sandbox account holds exactly one post afterwards (each posts one per tick) */
  postedOnce: number;
  /** every post of the writers' accounts on the sandbox */
  postsOnX: number;
}

/** A farm left standing after its side's last tick, for the idle ticks (and ours for the cold lists). */
interface Kept {
  target: Target;
  env: Record<string, string>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      writers: { type: 'string', default: '1000' },
      'farm-only': { type: 'boolean', default: false },
      import: { type: 'boolean', default: false },
      'import-keys': { type: 'string', default: '1000000' },
      'round-trip-writers': { type: 'string', default: '50' },
      baseline: { type: 'string' },
      cluster: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      split: { type: 'boolean', default: false },
      'list-rounds': { type: 'string', default: '11' },
    },
  });
  const writers = Number(values.writers);
  if (!Number.isInteger(writers) || writers < 1) throw new Error('--writers takes a whole number from 1');
  const rtWriters = Number(values['round-trip-writers']);
  if (!Number.isInteger(rtWriters) || rtWriters < 1) throw new Error('--round-trip-writers takes a whole number from 1');
  const importKeys = Number(values['import-keys']);
  if (!Number.isInteger(importKeys) || importKeys < 2) throw new Error('--import-keys takes a whole number from 2');
  LIST_ROUNDS = Number(values['list-rounds']);
  if (!Number.isInteger(LIST_ROUNDS) || LIST_ROUNDS < 1) throw new Error('--list-rounds takes a whole number from 1');
  // A loaded two-core host moves a 1,000-writer tick by ±30 % from one round to the next: five rounds against a baseline.
  const rounds = Number(values.rounds ?? (values.baseline ? 5 : values.cluster ? 3 : 1));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number from 1');

  const ours = await loadBuild(ROOT);
  const sides: Side[] = [{ label: 'ours', code: ours, cluster: false }];
  if (values.cluster) sides.push({ label: 'cluster', code: ours, cluster: true });
  let baselineCommit: string | undefined;
  if (values.baseline) {
    const base = await prepareBaseline(ROOT, values.baseline, note);
    baselineCommit = base.commit;
    sides.push({ label: 'baseline', code: base, cluster: false });
  }

  const sandbox = await startSandbox({ port: 0, tier: 'pro', seed: true });
  const admin = new SandboxAdmin(sandbox.url);
  const kept = new Map<Side['label'], Kept>();
  let result: Record<string, unknown> = { writers };
  try {
    // Rounds take turns at going first (ours, baseline; baseline, ours; …), so a change in the machine's
    // load falls on every side alike; each side's figure is its median.
    const ticks = new Map<Side['label'], TickRound[]>(sides.map((s) => [s.label, []]));
    for (let r = 0; r < rounds; r++) {
      const order = [...sides.slice(r % sides.length), ...sides.slice(0, r % sides.length)];
      for (const side of order) {
        note(`round ${r + 1}/${rounds}, ${side.label}: a farm of 1 reader and ${writers} writers${side.cluster ? ' on a 6-node cluster' : ''}, one tfctl tick`);
        const { round: measured, target, env } = await tickRound(side, admin, sandbox.url, writers);
        ticks.get(side.label)!.push(measured);
        if (measured.failed > 0) note(`${side.label}: ${measured.failed} bots failed`);
        if (measured.postedOnce !== writers || measured.postsOnX !== writers) note(`${side.label}: ${measured.postedOnce} of ${writers} writers posted exactly once; ${measured.postsOnX} posts on X`);
        if (r === rounds - 1) kept.set(side.label, { target, env });
        else await target.stop();
      }
    }
    const figures = (label: Side['label']) => {
      const rs = ticks.get(label)!;
      return {
        tick_s: round(median(rs.map((t) => t.ms)) / 1000, 3),
        tick_s_rounds: rs.map((t) => round(t.ms / 1000, 3)),
        posts: Math.min(...rs.map((t) => t.posted)),
        failed: Math.max(...rs.map((t) => t.failed)),
        // every round: each writer's account holds exactly one post
        writers_posted_once: Math.min(...rs.map((t) => t.postedOnce)),
        posts_on_x_max: Math.max(...rs.map((t) => t.postsOnX)),
        api_calls: median(rs.map((t) => t.apiCalls)),
        peak_rss_mb: round(median(rs.map((t) => t.rssKb)) / 1024, 1),
        // the tick's CPU time, and the bench process's (the sandbox serving the tick's X calls) meanwhile
        tick_cpu_s: round(median(rs.map((t) => t.cpuMs)) / 1000, 3),
        sandbox_cpu_s: round(median(rs.map((t) => t.harnessCpuMs)) / 1000, 3),
        redis_commands_per_writer: round(median(rs.map((t) => t.commands)) / writers, 2),
        farm_build_s: round(median(rs.map((t) => t.buildMs)) / 1000, 2),
      };
    };

    const trips = new Map<Side['label'], Record<string, number>>();
    for (const side of sides) {
      if (side.cluster) continue; // no proxy stands in front of a cluster: its clients follow the nodes' own addresses
      note(`${side.label}: counting round trips, a tick of 1 reader and ${rtWriters} writers, one bot at a time, against one of the reader alone`);
      trips.set(side.label, await roundTrips(side, admin, sandbox.url, rtWriters));
    }

    const split = values.split ? await splitTicks(sides[0]!, admin, sandbox.url, writers, rounds) : {};

    note('timing idle ticks (nothing due) and what a tick read before the due index: every bot, whole');
    const idle = new Map<Side['label'], Record<string, number>>();
    for (const side of sides) {
      const k = kept.get(side.label)!;
      idle.set(side.label, await idleTicks(side.code, k.target, k.env));
      if (side.label !== 'ours') {
        await k.target.stop();
        kept.delete(side.label);
      }
    }
    // `list` needs only Redis: the harness's sandbox goes first, so it cannot compete with the measured
    // process for the two cores.
    await sandbox.close();
    const lists = await coldLists(kept.get('ours')!.env);

    const mine = figures('ours');
    result = { writers, rounds, ...mine, ...trips.get('ours'), ...idle.get('ours'), ...lists, ...split };
    if (values.cluster) {
      const c = figures('cluster');
      Object.assign(result, { cluster_tick_ratio: round(c.tick_s / mine.tick_s, 3), ...prefixed('cluster_', { ...c, ...idle.get('cluster') }) });
    }
    if (baselineCommit) {
      const base = figures('baseline');
      Object.assign(result, {
        baseline: baselineCommit.slice(0, 12),
        tick_ratio: round(mine.tick_s / base.tick_s, 3),
        ...prefixed('baseline_', { ...base, ...trips.get('baseline'), ...idle.get('baseline') }),
      });
    }
  } finally {
    await sandbox.close().catch(() => {});
    for (const k of kept.values()) await k.target.stop();
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

function prefixed(prefix: string, figures: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(figures).map(([k, v]) => [prefix + k, v]));
}

/** The sandbox wiped and reseeded: every round's reader fetches the same tweets, and no text is a duplicate of an earlier round's. */
async function freshSandbox(admin: SandboxAdmin, xApi: string): Promise<{ owner: SandboxAccount; env: Record<string, string> }> {
  await admin.call('POST', '/sandbox/reset', { seed: true });
  const app = await admin.app();
  const owner = await admin.account('owner');
  return { owner, env: { TFCTL_X_API: xApi, TFCTL_CONSUMER_KEY: app.consumer_key, TFCTL_CONSUMER_SECRET: app.consumer_secret } };
}

/**
 * A fresh start for one measured tick: a fresh sandbox, a new private Redis (or cluster), the farm built
 * with the side's own code; then that side's bin/tfctl ticks it once, with the peak-RSS hook. Afterwards
 * the sandbox's own record says how many posts each writer's account holds.
 */
async function tickRound(side: Side, admin: SandboxAdmin, xApi: string, writers: number): Promise<{ round: TickRound; target: Target; env: Record<string, string> }> {
  const { owner, env: xEnv } = await freshSandbox(admin, xApi);
  const target = await startTarget(side.cluster);
  const built = performance.now();
  const accounts = await makeAccounts(admin, 'bench_w', writers).catch(async (err: unknown) => {
    await target.stop();
    throw err;
  });
  const env = { ...xEnv, ...target.env, TFCTL_PREFIX: 'bench' };
  try {
    await buildFarm(side.code, { env, owner, writers: accounts });
    const buildMs = performance.now() - built;
    const before = await admin.requests();
    const statsBefore = await target.stats();
    const cpu = process.cpuUsage();
    const tick = await runCli(binOf(side), ['tick', '--json'], env, true);
    const harness = process.cpuUsage(cpu);
    const commands = diffCalls(statsBefore, await target.stats()).calls;
    if (tick.code !== 0) note(`${side.label}: tick exited ${tick.code}`);
    const report = JSON.parse(tick.stdout) as { summary: { posted: number; failed: number } };
    const apiCalls = total(await admin.requests()) - total(before);
    const onX = (await admin.call<Array<{ username: string; tweets: number }>>('GET', '/sandbox/accounts')).filter((a) => /^bench_w\d+$/.test(a.username));
    const postedOnce = onX.filter((a) => a.tweets === 1).length;
    const postsOnX = onX.reduce((n, a) => n + a.tweets, 0);
    return { round: { ms: tick.ms, rssKb: tick.rssKb, cpuMs: tick.cpuMs, harnessCpuMs: (harness.user + harness.system) / 1000, posted: report.summary.posted, failed: report.summary.failed, apiCalls, commands, buildMs, postedOnce, postsOnX }, target, env };
  } catch (err) {
    await target.stop();
    throw err;
  }
}

const binOf = (side: Side) => join(side.code.root, 'bin', 'tfctl');

/**
 * Cold `tfctl list` runs of the kept farm. This workplace sets NODE_EXTRA_CA_CERTS, which makes every node
 * process parse a CA bundle (~80 ms of CPU) before any code runs. list_cold_ms is measured without it, as
 * on an operator's machine; the figure with the inherited environment is reported beside it.
 */
async function coldLists(env: Record<string, string>): Promise<Record<string, number>> {
  note('timing a cold tfctl list');
  const clean = { ...env, NODE_EXTRA_CA_CERTS: undefined } as unknown as Record<string, string>;
  const lists: number[] = [];
  const listsInherited: number[] = [];
  const baseline: number[] = [];
  // Each list is paired with the empty node run next to it: on a shared machine the load moves
  // between rounds, and the median of the pairs' differences follows it better than two medians.
  const overNode: number[] = [];
  for (let i = 0; i < LIST_ROUNDS; i++) {
    const list = await runCli(BIN, ['list'], clean);
    if (list.code !== 0) throw new Error(`tfctl list exited ${list.code}`);
    const node = await runNode(clean);
    lists.push(list.ms);
    baseline.push(node.ms);
    overNode.push(list.ms - node.ms);
    listsInherited.push((await runCli(BIN, ['list'], env)).ms);
  }
  return {
    list_cold_ms: round(median(lists), 1),
    list_cold_ms_inherited_env: round(median(listsInherited), 1),
    node_startup_ms: round(median(baseline), 1),
    list_over_node_ms: round(median(overNode), 1),
  };
}

/**
 * An idle tick (every bot ticked a moment ago) in this process, with the side's own code, so node's
 * start-up is not in it: its wall time, the Redis commands it ran and Redis's time in them; beside it, the
 * read a tick made of every bot before the due index (FarmStore.all), measured on the same farm.
 */
async function idleTicks(code: BuildCode, target: Target, env: Record<string, string>): Promise<Record<string, number>> {
  if (!code.runTick) throw new Error(`${code.root} has no runTick in dist/farm/tick.js`);
  const farm = await code.Farm.open(code.loadConfig({ ...process.env, ...env }));
  const walls: number[] = [];
  const fullReads: number[] = [];
  let commands = { calls: 0, usec: 0 };
  let full = { calls: 0, usec: 0 };
  try {
    for (let i = 0; i < 5; i++) {
      const before = await target.stats();
      const started = performance.now();
      const report = await code.runTick(farm);
      walls.push(performance.now() - started);
      commands = diffCalls(before, await target.stats());
      // Revisions before the due index list every bot in an idle tick's report, each skipped as not due.
      const ran = report.bots.filter((b) => b.status !== 'skipped').length;
      if (ran) throw new Error(`an idle tick ran ${ran} bots`);
      const all = farm.store?.all;
      if (!all) continue;
      const beforeFull = await target.stats();
      const startedFull = performance.now();
      await all.call(farm.store);
      fullReads.push(performance.now() - startedFull);
      full = diffCalls(beforeFull, await target.stats());
    }
  } finally {
    await farm.close();
  }
  return {
    idle_tick_ms: round(median(walls), 1),
    idle_tick_redis_commands: commands.calls,
    idle_tick_redis_ms: round(commands.usec / 1000, 2),
    ...(fullReads.length ? { every_bot_read_ms: round(median(fullReads), 1), every_bot_read_redis_ms: round(full.usec / 1000, 2) } : {}),
  };
}

/**
 * Whether splitting a tick across two processes pays on this machine: the writers' part of a tick (the
 * reader ticked first, alone, and left out of the timing) run by one `tfctl tick w0 … wN-1`, against two
 * run at once over the halves, each process with its own start-up and dictionary load. Fresh farm every
 * time; the two ways take turns going first; medians. Wall time from the first start to the last exit.
 */
async function splitTicks(side: Side, admin: SandboxAdmin, xApi: string, writers: number, rounds: number): Promise<Record<string, unknown>> {
  const names = Array.from({ length: writers }, (_, i) => `w${i}`);
  const halves = [names.slice(0, Math.ceil(writers / 2)), names.slice(Math.ceil(writers / 2))];
  const once = async (parts: string[][]): Promise<{ ms: number; cpuMs: number }> => {
    const { owner, env: xEnv } = await freshSandbox(admin, xApi);
    const accounts = await makeAccounts(admin, 'bench_w', writers);
    const target = await startTarget(side.cluster);
    const env = { ...xEnv, ...target.env, TFCTL_PREFIX: 'bench' };
    try {
      await buildFarm(side.code, { env, owner, writers: accounts });
      const reader = await runCli(binOf(side), ['tick', 'reader'], env);
      if (reader.code !== 0) throw new Error(`split: the reader's tick exited ${reader.code}`);
      const started = performance.now();
      const runs = await Promise.all(parts.map((part) => runCli(binOf(side), ['tick', '--json', ...part], env, true)));
      const ms = performance.now() - started;
      const posted = runs.reduce((n, r) => n + (JSON.parse(r.stdout) as { summary: { posted: number } }).summary.posted, 0);
      if (posted !== writers) note(`split: ${parts.length} process(es) posted ${posted} of ${writers}`);
      return { ms, cpuMs: runs.reduce((n, r) => n + r.cpuMs, 0) };
    } finally {
      await target.stop();
    }
  };
  const one: Array<{ ms: number; cpuMs: number }> = [];
  const two: Array<{ ms: number; cpuMs: number }> = [];
  for (let r = 0; r < rounds; r++) {
    note(`split round ${r + 1}/${rounds}: the writers' tick in one process and in two`);
    if (r % 2 === 0) {
      one.push(await once([names]));
      two.push(await once(halves));
    } else {
      two.push(await once(halves));
      one.push(await once([names]));
    }
  }
  return {
    writers_tick_one_process_s: round(median(one.map((t) => t.ms)) / 1000, 3),
    writers_tick_two_processes_s: round(median(two.map((t) => t.ms)) / 1000, 3),
    writers_tick_one_process_s_rounds: one.map((t) => round(t.ms / 1000, 3)),
    writers_tick_two_processes_s_rounds: two.map((t) => round(t.ms / 1000, 3)),
    // CPU time of the tick processes, summed: what the second process's start-up and dictionary cost
    writers_tick_one_process_cpu_s: round(median(one.map((t) => t.cpuMs)) / 1000, 3),
    writers_tick_two_processes_cpu_s: round(median(two.map((t) => t.cpuMs)) / 1000, 3),
  };
}

/**
 * Round trips per writer, counted on the wire (round-trips.ts): three small farms on the same Redis, the
 * reader with K writers, the reader with 2K writers and the reader alone, each ticked by `tfctl tick
 * --concurrency 1` through the counting proxy, so no bot's round trips overlap another's. The difference
 * between the first two ticks' bursts, over K, is what each writer adds to a tick: its own round trips and
 * any the reader makes per writer (a trim per consumer, say). What a tick spends once because it has
 * writers at all (reading the accounts, the consumers' backlogs) is not per writer: it is reported apart
 * (`writers_once_round_trips`, the K-writer tick less the reader's alone less K per-writer figures).
 * An idle tick (the reader-only farm again, nothing due) is reported beside it. The Redis commands of the
 * same ticks give the commands each writer adds.
 */
async function roundTrips(side: Side, admin: SandboxAdmin, xApi: string, k: number): Promise<Record<string, number>> {
  const { owner, env: xEnv } = await freshSandbox(admin, xApi);
  const target = await startTarget(false);
  const proxy = await startRoundTripProxy(target.single!);
  const env = { ...xEnv, ...target.env };
  try {
    await buildFarm(side.code, { env: { ...env, TFCTL_PREFIX: 'rt-alone' }, owner, writers: [] });
    await buildFarm(side.code, { env: { ...env, TFCTL_PREFIX: 'rt-k' }, owner, writers: await makeAccounts(admin, 'rt_k', k) });
    await buildFarm(side.code, { env: { ...env, TFCTL_PREFIX: 'rt-2k' }, owner, writers: await makeAccounts(admin, 'rt_d', 2 * k) });
    const measure = async (prefix: string) => {
      proxy.reset();
      const before = await target.stats();
      const run = await runCli(binOf(side), ['tick', '--json', '--concurrency', '1'], { ...env, REDIS_URL: proxy.url, TFCTL_PREFIX: prefix });
      const commands = diffCalls(before, await target.stats()).calls;
      if (run.code !== 0) throw new Error(`${side.label}: tfctl tick (${prefix}) exited ${run.code}`);
      const summary = (JSON.parse(run.stdout) as { summary: { ran: number } }).summary;
      return { bursts: proxy.bursts, commands, ran: summary.ran };
    };
    const alone = await measure('rt-alone');
    const withK = await measure('rt-k');
    const with2K = await measure('rt-2k');
    const idle = await measure('rt-alone');
    if (alone.ran !== 1 || withK.ran !== k + 1 || with2K.ran !== 2 * k + 1 || idle.ran !== 0) {
      throw new Error(`${side.label}: round-trip ticks ran ${alone.ran}, ${withK.ran}, ${with2K.ran} and ${idle.ran} bots, not 1, ${k + 1}, ${2 * k + 1} and 0`);
    }
    const perWriter = (with2K.bursts - withK.bursts) / k;
    return {
      redis_round_trips_per_writer: round(perWriter, 2),
      writers_once_round_trips: round(withK.bursts - alone.bursts - k * perWriter, 1),
      redis_commands_per_writer_marginal: round((with2K.commands - withK.commands) / k, 2),
      idle_tick_round_trips: idle.bursts,
      reader_tick_round_trips: alone.bursts,
    };
  } finally {
    await proxy.close();
    await target.stop();
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
