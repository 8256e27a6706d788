import type { TwitterApi } from 'twitter-api-v2';
import { KINDS, kindOf, phaseOf, PHASES } from '../bots/index.js';
import { idFromToken } from '../bots/account.js';
import type { BotReport, Outcome, TickContext, TickEnv } from '../bots/types.js';
import { OperationalError, UsageError } from '../errors.js';
import { assertNoEviction } from '../store/eviction.js';
import { addSecret, redact } from '../redact.js';
import { dueScore } from '../store/due.js';
import { BotLock } from '../store/lock.js';
import { beginTick, EndBatch, TickLedger } from '../store/tick-steps.js';
import { Posts } from '../store/posts.js';
import { Timeline } from '../store/timeline.js';
import { openLog } from '../log.js';
import { pool } from '../pool.js';
import { CallRecorder, recordingPlugin } from '../x/calls.js';
import { createXClient } from '../x/client.js';
import { classifyXError } from '../x/errors.js';
import { botName, type Bot } from '../bots/bot.js';
import type { Farm } from './farm.js';
import { logBot, logSummary } from './tick-log.js';
import { Events } from '../events/index.js';
import { backlogChanges, backlogEvent, backlogFlag, failedFlag, tickEvents } from '../events/outcome.js';

/**
 * Bots ticked at once within a phase. Measured at 1,000 writers (bench, three runs each on a loaded machine
 * whose single runs ranged 2.0–15.5 s), median tick_s: 16 → 3.9 s, 32 → 3.3 s, 64 → 3.4 s, 128 → 3.1 s,
 * tick CPU 2.1–2.5 s at every setting: more bots in flight overlap their calls to X and share Redis's
 * writes. 64 is the X client's sockets per origin (src/x/client.ts): more would only queue there.
 */
export const DEFAULT_CONCURRENCY = 64;

export interface TickOptions {
  names?: string[];
  force?: boolean;
  dryRun?: boolean;
  /** Bots ticked at once within a phase. */
  concurrency?: number;
  /** How long a source waits for another run that is fetching the same stream. */
  readerWaitMs?: number;
  /** Called at named points of each bot's tick (TickEnv.hook): for fault harnesses. */
  hook?: TickEnv['hook'];
}

export type { BotReport };

export interface TickReport {
  started_at: string;
  duration_ms: number;
  dry_run: boolean;
  bots: BotReport[];
  summary: { ran: number; ok: number; idle: number; skipped: number; rate_limited: number; failed: number; fetched: number; posted: number };
}

/** As a tick command starts, before it connects: kinds start what costs them little (BotKind.warm). */
export function warmKinds(): void {
  for (const kind of KINDS) kind.warm?.('start');
}

/**
 * One run over the farm: picks the due bots, then ticks them phase by phase (sources, then consumers,
 * then standalone kinds), each bot under its own lock, with bounded parallelism. One bot's failure
 * never stops the others.
 */
export async function runTick(farm: Farm, opts: TickOptions = {}): Promise<TickReport> {
  const now = () => farm.now();
  const startedAt = now();
  // A Redis that may evict keys is refused before anything runs (see eviction.ts); the check shares the read's round trip.
  const safe = assertNoEviction(farm.redis);
  const wanted = opts.names?.map((n) => botName(n));
  const read = readBots(farm, wanted, opts.force ?? false, startedAt);
  await safe.catch((err: unknown) => {
    read.catch(() => {});
    throw err;
  });
  let chosen: Bot[];
  try {
    chosen = await read;
  } catch (err) {
    throw new OperationalError(`tick: cannot read the farm: ${describeFailure(err)}`);
  }
  for (const n of wanted ?? []) if (!chosen.some((b) => b.name === n)) throw new UsageError(`unknown bot "${n}" (see tfctl list)`);

  const log = await openLog();
  const reports: BotReport[] = [];
  const runnable: Bot[] = [];
  for (const bot of chosen) {
    const reason = whyNot(bot, startedAt, opts.force ?? false);
    if (reason) {
      reports.push({ name: bot.name, role: bot.role, status: 'skipped', detail: reason });
      log.debug({ bot: bot.name, role: bot.role, status: 'skipped', detail: reason }, `${bot.name}: skipped`);
    } else runnable.push(bot);
  }

  // Checked before any bot runs, so nothing is locked, counted or marked failing for a setting.
  const { consumerKey, consumerSecret } = farm.config;
  if (runnable.length > 0 && !opts.dryRun && (!consumerKey || !consumerSecret)) {
    throw new UsageError(`the X app is not configured: set TFCTL_CONSUMER_KEY and TFCTL_CONSUMER_SECRET (${runnable.length} due bot${runnable.length === 1 ? '' : 's'} would call X)`);
  }
  const webhook = !opts.dryRun && farm.config.webhookUrl ? await import('../events/webhook.js') : undefined;
  // The webhook's group exists before any bot emits, so the first run with a webhook delivers its own events.
  if (webhook) await webhook.ensureWebhookGroup(farm.redis, farm.store.keys).catch((err: unknown) => log.warn({ err: redact(describeFailure(err)) }, 'events: cannot create the webhook group'));
  if (runnable.length > 0) {
    const [accounts, failed] = await Promise.all([farm.store.accounts(chosen), opts.dryRun ? null : failedFlags(farm, runnable)]);
    const shared: RunShared = { backlogs: [], failed, recorders: new Map(), batch: new EndBatch(farm.redis, farm.store.dueIndex) };
    const env = tickEnv(farm, accounts, opts.dryRun ?? false, opts.hook ?? failpoint(farm.config.failpoint), shared.recorders);
    for (const [i, kinds] of PHASES.entries()) {
      const phase = runnable.filter((b) => phaseOf(b.role) === i);
      // Sources wait for a run already fetching the same stream, so their consumers see its tweets.
      const waitMs = kinds[0]?.family === 'source' ? opts.readerWaitMs ?? 15_000 : 0;
      reports.push(...(await pool(phase, opts.concurrency ?? DEFAULT_CONCURRENCY, async (bot) => {
        const started = performance.now();
        const recorder = new CallRecorder();
        shared.recorders.set(bot.name, recorder);
        let result: BotReport;
        try {
          result = await tickOne(farm, env, bot, opts, waitMs, shared);
        } finally {
          shared.recorders.delete(bot.name);
        }
        logBot(log, result, Math.round(performance.now() - started), recorder.done());
        return result;
      })));
    }
    await backlogEvents(farm, env, shared.backlogs);
    // Bots of a kind no longer in the registry are reported, not run.
    for (const bot of runnable) if (!kindOf(bot.role)) reports.push({ name: bot.name, role: bot.role, status: 'skipped', detail: `unknown role "${bot.role}"` });
  }

  // After every bot ran, within a budget: a slow or dead receiver delays no bot (see events/webhook.ts).
  if (webhook) {
    const delivered = await webhook
      .deliverEvents(farm.redis, farm.store.keys, { url: farm.config.webhookUrl!, budgetMs: farm.config.webhookBudgetMs ?? 3000 })
      .catch((err: unknown) => ({ sent: 0, stopped: redact(describeFailure(err)) }));
    if (delivered.stopped && !['busy', 'backoff', 'budget'].includes(delivered.stopped)) log.warn({ sent: delivered.sent, stopped: delivered.stopped }, 'events: webhook delivery stopped');
    else if (delivered.sent) log.debug({ sent: delivered.sent }, 'events: delivered to the webhook');
  }

  // Report in the order the bots ran: phase by phase, then by name.
  reports.sort((a, b) => phaseOf(a.role) - phaseOf(b.role) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const report: TickReport = { started_at: new Date(startedAt).toISOString(), duration_ms: now() - startedAt, dry_run: opts.dryRun ?? false, bots: reports, summary: summarize(reports) };
  logSummary(log, report);
  return report;
}

/**
 * The bots this run looks at: the named ones, every bot for a forced run, else only the due ones, which the
 * due index names (src/store/due.ts): an idle tick is that one read. Bots the index names but whose hashes
 * say otherwise (it errs early, never late) are put right in it and left out; a farm without an index gets
 * one built here, once.
 */
async function readBots(farm: Farm, wanted: string[] | undefined, force: boolean, now: number): Promise<Bot[]> {
  // Some bots will run, but which is known only once their hashes are read: kinds start slow set-up now.
  const warm = () => {
    for (const kind of KINDS) kind.warm?.('due');
  };
  if (wanted || force) {
    warm();
    return farm.store.all(wanted);
  }
  const index = farm.store.dueIndex;
  const names = await index.due(now);
  if (names === null || names.length > 0) warm();
  let bots: Bot[];
  if (names === null) bots = (await index.rebuild(() => farm.store.all())) ?? (await farm.store.all());
  else if (names.length === 0) return [];
  else {
    bots = await farm.store.all(names);
    const found = new Set(bots.map((b) => b.name));
    const stale: Array<[string, number | null]> = names.filter((n) => !found.has(n)).map((n) => [n, null]);
    for (const b of bots) if (whyNot(b, now, false)) stale.push([b.name, dueScore(b)]);
    if (stale.length) await index.set(stale);
  }
  return bots.filter((b) => !whyNot(b, now, false));
}

/** Why a bot does not run now, or null when it should. */
function whyNot(bot: Bot, now: number, force: boolean): string | null {
  if (bot.paused) return 'paused';
  if (bot.failing) return `failing: ${bot.lastError ?? 'unknown error'}`;
  const pausedUntil = Math.max(0, ...Object.values(bot.pauses));
  if (pausedUntil > now) return `rate-limited until ${new Date(pausedUntil).toISOString()}`;
  if (!force && bot.nextDueAt > now) return 'not due';
  return null;
}

/**
 * One bot's error boundary: whatever happens to it — Redis gone mid-tick, a bug — ends up in its line of
 * the report, never in the other bots' or the tick's.
 */
async function tickOne(farm: Farm, env: TickEnv, listed: Bot, opts: TickOptions, waitMs: number, shared: RunShared): Promise<BotReport> {
  try {
    return await tickLocked(farm, env, listed, opts, waitMs, shared);
  } catch (err) {
    const detail = redact(describeFailure(err));
    return { name: listed.name, role: listed.role, status: 'failed', detail, error: detail };
  }
}

/**
 * One bot's tick under its lock, in two steps of Redis of its own (store/tick-steps.ts): begin takes the
 * lock and reads the bot fresh (another run may have ticked it since this run listed it), with the kind's
 * early read beside it; end writes everything the tick did and releases the lock, with the due index, the
 * acknowledgements and the farm's events in the same write.
 */
async function tickLocked(farm: Farm, env: TickEnv, listed: Bot, opts: TickOptions, waitMs: number, shared: RunShared): Promise<BotReport> {
  const base = { name: listed.name, role: listed.role };
  if (env.dryRun) return { ...base, ...report(await runKind(listed, env)) };
  const lock = new BotLock(farm.redis, farm.store.keys, listed.name, farm.config.lockTtlMs);
  const kind = kindOf(listed.role);
  const wants = kind?.start?.(listed, env);
  const begin = () => beginTick(farm.redis, farm.store.keys, farm.store.codec, listed.name, lock, wants?.own);
  // A kind that never looks at its early read, or a begin that throws (a cluster failing over), must not
  // leave that read's rejection unhandled: Node ends the process on one (seen: MOVED from the take script).
  wants?.early?.catch(() => {});
  // Issued in the same turn as the kind's early read: one round trip for both.
  let start = await begin();
  if (!start) {
    // Sources wait for a run already fetching the same stream, so their consumers see its tweets.
    const deadline = Date.now() + waitMs;
    while (!start && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      start = await begin();
    }
    if (!start) return { ...base, status: 'skipped', detail: 'busy: another run holds its lock' };
  }
  let released = false;
  try {
    const bot = start.bot;
    if (!bot) return { ...base, status: 'skipped', detail: 'destroyed meanwhile' };
    // Every finished tick bumps the bot's tick counter: a change since this run read it means another run
    // (another cron job or host) ticked it meanwhile. Exact, where comparing clocks is not.
    if ((bot.counters.ticks ?? 0) !== (listed.counters.ticks ?? 0)) return { ...base, status: 'skipped', detail: 'ticked by another run' };
    const reason = whyNot(bot, env.now(), opts.force ?? false);
    if (reason) return { ...base, status: 'skipped', detail: reason };
    const ctx: TickContext = { intents: start.intents, own: start.own, listed, ledger: new TickLedger(), events: [] };
    if (wants?.early) ctx.early = wants.early;
    const outcome = await runKind(bot, env, ctx);
    // Stored and printed: whatever an error quoted (a URL with its password, a token) is blanked first.
    if (outcome.error) outcome.error = redact(outcome.error);
    outcome.detail = redact(outcome.detail);
    const at = env.now();
    const retries = outcome.transient ? (bot.retries ?? 0) + 1 : 0;
    const due = retries ? at + backoffMs(retries, bot.every) : outcome.dueAt ?? at + bot.every * 1000;
    // Bots that end in the same turn of the event loop (X's answers read in one poll) send their end steps
    // together: one write to Redis, not one each.
    await checkPhase();
    const ended = ctx.ledger.end(farm.redis, farm.store.keys, shared.batch, bot.name, lock, {
      at,
      nextDueAt: Math.max(due, outcome.pause?.until ?? 0),
      retries,
      error: outcome.error,
      failing: outcome.failing,
      pause: outcome.pause,
      counters: outcome.counters,
      learned: outcome.learned,
    });
    // The events leave in the same write, after the end step (best effort: notifications only).
    const events = Promise.all([...ctx.events.map((e) => env.events?.emit(e).catch(() => {})), farmEvents(env, bot, outcome, at, shared.failed)]);
    try {
      await ended;
      released = true; // by the end step
    } finally {
      await events;
    }
    if (ctx.ledger.recorded) await env.hook?.('after-record', bot);
    if (bot.source && kindOf(bot.role)?.family === 'consumer' && outcome.status !== 'failed') shared.backlogs.push({ name: bot.name, source: bot.source, at });
    return { ...base, ...report(outcome) };
  } finally {
    // Unreleased (Redis gone), the lock lapses after its TTL by itself.
    if (!released) await lock.release().catch(() => {});
  }
}

let turn: Promise<void> | null = null;

/** Resolves in this turn's check phase (setImmediate), once for everyone who waits in the same turn. */
function checkPhase(): Promise<void> {
  return (turn ??= new Promise((resolve) =>
    setImmediate(() => {
      turn = null;
      resolve();
    }),
  ));
}

/**
 * The generic events of a tick (failed, recovered, token revoked, rate-limited). Best effort: the tick is
 * recorded already, and a notification never fails a bot.
 */
async function farmEvents(env: TickEnv, bot: Bot, outcome: Outcome, at: number, failed: ReadonlySet<string> | null): Promise<void> {
  try {
    // Nothing to leave when the run saw no flag and the bot, read under its lock, had no error: a failure
    // ended by another run between the two reads would have left its error in the hash.
    const unflagged = failed !== null && !failed.has(bot.name) && !bot.lastError;
    await tickEvents(env.events!, bot.name, outcome, at, { unflagged });
  } catch {
    // Redis trouble here shows in the next tick's own lines; the events are notifications only.
  }
}

/**
 * The due bots flagged failing in the farm's event state, read once for the run (one HMGET), so a good
 * tick of a bot that was not failing writes no event step. Null when it cannot be read: every good tick
 * then checks its flag itself, as a tick of one bot always did.
 */
async function failedFlags(farm: Farm, bots: Bot[]): Promise<ReadonlySet<string> | null> {
  try {
    const flags = await farm.redis.hmget(farm.store.keys.eventState(), ...bots.map((b) => failedFlag(b.name)));
    return new Set(bots.filter((_, i) => flags[i] !== null).map((b) => b.name));
  } catch {
    return null;
  }
}

/**
 * What the bots of one run share: the consumers whose backlog is measured after it, the failing flags read
 * before it, and the recorder of each running bot's X calls (its clients announce their requests to it).
 */
interface RunShared {
  backlogs: BacklogCheck[];
  failed: ReadonlySet<string> | null;
  recorders: Map<string, CallRecorder>;
  /** The acknowledgements and due times of the end steps of one turn, sent together. */
  batch: EndBatch;
}

/** A consumer that ran, whose backlog is measured once all bots of the tick have run. */
interface BacklogCheck {
  name: string;
  source: string;
  at: number;
}

/**
 * A consumer's backlog over TFCTL_BACKLOG_ALERT is an event. XINFO GROUPS answers for every group of a
 * stream at once, so it is asked once per source after the tick, not once per consumer (that was
 * quadratic: 1,000 writers of one reader read a million group entries).
 */
async function backlogEvents(farm: Farm, env: TickEnv, checks: BacklogCheck[]): Promise<void> {
  const bySource = new Map<string, BacklogCheck[]>();
  for (const c of checks) {
    const list = bySource.get(c.source);
    if (list) list.push(c);
    else bySource.set(c.source, [c]);
  }
  for (const [source, consumers] of bySource) {
    try {
      // The backlogs and the consumers' alert states in one round trip; a state that changes is written then,
      // all at once (rare: one round trip for every consumer that crosses a line, not one each in turn).
      const threshold = farm.config.backlogAlert ?? 1000;
      const [backlog, flags] = await Promise.all([groupBacklogs(farm, source), farm.redis.hmget(farm.store.keys.eventState(), ...consumers.map((c) => backlogFlag(c.name)))]);
      await Promise.all(
        consumers.map((c, i) => {
          const n = backlog.get(c.name);
          if (n === undefined || !backlogChanges(flags[i] !== null, n, threshold)) return null;
          return backlogEvent(env.events!, c.name, source, n, threshold, c.at);
        }),
      );
    } catch {
      // As for the other events: a notification never fails a tick.
    }
  }
}

/** Each consumer group's unprocessed entries: its lag plus what it holds pending (Redis 7's XINFO GROUPS). */
async function groupBacklogs(farm: Farm, source: string): Promise<Map<string, number>> {
  const groups = (await farm.redis.xinfo('GROUPS', farm.store.keys.timeline(source))) as unknown[][];
  const out = new Map<string, number>();
  for (const g of groups) {
    const field = (k: string) => g[g.indexOf(k) + 1];
    const lag = field('lag');
    if (typeof lag === 'number') out.set(String(field('name')), lag + Number(field('pending') ?? 0));
  }
  return out;
}

async function runKind(bot: Bot, env: TickEnv, ctx?: TickContext): Promise<Outcome> {
  try {
    return await kindOf(bot.role)!.tick(bot, env, ctx);
  } catch (err) {
    const message = describeFailure(err);
    const outcome: Outcome = { status: 'failed', detail: message, error: message, counters: { errors: 1 } };
    // Redis restarting or failing over passes within minutes, like a 5xx from X: the bot is backed off.
    if (classifyXError(err, env.now()).kind === 'transient' || redisPassing(err)) outcome.transient = true;
    return outcome;
  }
}

/**
 * How long after its nth transient failure in a row a bot is due again: 1, 2, 4 … minutes, never more
 * than its own interval. A 5xx or a refused connection often passes within minutes; waiting a whole
 * `every` (hours for some bots) would lose that time, and retrying every tick would hammer X.
 */
export function backoffMs(retries: number, everyS: number): number {
  return Math.min(60_000 * 2 ** Math.min(retries - 1, 20), everyS * 1000);
}

// What ioredis says when the server is gone, restarting, full or read-only, or a cluster is failing over
// (a node's redirect while its slots move included): trouble that passes by itself.
const REDIS_TROUBLE = /Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|max retries|Stream isn't writeable|LOADING|OOM|READONLY|MISCONF|MASTERDOWN|NOSCRIPT|BUSY|NOREPLICAS|CLUSTERDOWN|TRYAGAIN|^MOVED |^ASK |Too many Cluster redirections|None of startup nodes/;

function redisPassing(err: unknown): boolean {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' && REDIS_TROUBLE.test(message);
}

/** An error as a report line; Redis trouble names Redis, so a restart mid-tick is told apart from X's. */
export function describeFailure(err: unknown): string {
  const e = err as { name?: unknown; message?: unknown } | null;
  const message = e && typeof e.message === 'string' ? e.message : String(err);
  const fromRedis = e?.name === 'ReplyError' || e?.name === 'MaxRetriesPerRequestError' || REDIS_TROUBLE.test(message);
  return fromRedis ? `Redis: ${message}` : message;
}

/** TFCTL_FAILPOINT=point[:nth]: crash tests kill the tick (SIGKILL) at the nth pass through a hook point. */
function failpoint(spec: string | undefined): TickEnv['hook'] {
  if (!spec) return undefined;
  const [point, nth] = spec.split(':');
  let passes = 0;
  return (at) => {
    if (at === point && ++passes >= Number(nth || 1)) process.kill(process.pid, 'SIGKILL');
  };
}

function report(o: Outcome): Omit<BotReport, 'name' | 'role'> {
  const r: Omit<BotReport, 'name' | 'role'> = { status: o.status, detail: o.detail };
  if (o.fetched !== undefined) r.fetched = o.fetched;
  if (o.posts?.length) r.posts = o.posts;
  if (o.drafts?.length) r.drafts = o.drafts;
  if (o.error) r.error = o.error;
  return r;
}

function tickEnv(farm: Farm, all: Array<{ userId?: string; token?: string }>, dryRun: boolean, hook: TickEnv['hook'], recorders: ReadonlyMap<string, CallRecorder>): TickEnv {
  const { config } = farm;
  const farmUserIds = new Set<string>();
  for (const b of all) {
    const id = b.userId ?? idFromToken(b.token);
    if (id) farmUserIds.add(id);
  }
  const clients = new Map<string, TwitterApi>();
  return {
    keys: farm.store.keys,
    store: farm.store,
    timeline: new Timeline(farm.redis, farm.store.keys),
    posts: new Posts(farm.redis, farm.store.keys),
    events: new Events(farm.redis, farm.store.keys),
    now: () => farm.now(),
    dryRun,
    farmUserIds,
    memo: new Map(),
    // A request unanswered after the timeout may still be on its way to X: a margin on top.
    inFlightMs: config.xTimeoutMs + Math.min(5000, config.xTimeoutMs),
    ...(hook ? { hook } : {}),
    client(bot) {
      if (!config.consumerKey || !config.consumerSecret) {
        throw new Error('the X app is not configured: set TFCTL_CONSUMER_KEY and TFCTL_CONSUMER_SECRET');
      }
      if (!bot.token || !bot.secret) throw new Error(`no tokens: run tfctl auth ${bot.name}, or tfctl set ${bot.name} token=… secret=…`);
      let client = clients.get(bot.name);
      if (!client) {
        addSecret(bot.token);
        addSecret(bot.secret);
        const name = bot.name;
        client = createXClient({ apiBase: config.xApi, appKey: config.consumerKey, appSecret: config.consumerSecret, accessToken: bot.token, accessSecret: bot.secret, timeoutMs: config.xTimeoutMs, plugins: [recordingPlugin(() => recorders.get(name))] });
        clients.set(bot.name, client);
      }
      return client;
    },
  };
}

function summarize(reports: BotReport[]): TickReport['summary'] {
  const s = { ran: 0, ok: 0, idle: 0, skipped: 0, rate_limited: 0, failed: 0, fetched: 0, posted: 0 };
  for (const r of reports) {
    s[r.status]++;
    if (r.status !== 'skipped') s.ran++;
    s.fetched += r.fetched ?? 0;
    s.posted += r.posts?.length ?? 0;
  }
  return s;
}
