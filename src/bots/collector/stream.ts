import type { RedisClient } from '../../store/client.js';
import { ApiResponseError, ETwitterStreamEvent, type TwitterApi } from 'twitter-api-v2';
import { AuthError } from '../../errors.js';
import type { Bot } from '../../store/bot-record.js';
import type { Keys } from '../../store/keys.js';
import { Rules, type Rule } from '../rules.js';
import { append, judge, liveRules, toMatchable, TWEET_QUERY, type ApiTweet, type Includes, type LiveRule } from './collect.js';
import { OWN } from './index.js';
import { collectBySearch, trimStream } from './tick.js';

/**
 * `tfctl stream <collector>`: the filtered stream, as X documents using it. The app's rules on X are
 * kept equal to the collector's (dry run first, then add and delete; X's ids stored), tweets are appended
 * with the rules they matched, a lost connection is reopened with X's backoff and the gap filled by
 * recent search, rule changes are picked up from `<prefix>:rules`, and a heartbeat key says it runs.
 */

/** X's reconnection advice ("Handling disconnections"): linear 250 ms steps to 16 s for network errors,
 *  doubling from 5 s to 320 s for HTTP errors, doubling from 1 min for 429. */
export function backoff(kind: 'network' | 'http' | 'rate', attempt: number): number {
  if (kind === 'network') return Math.min(250 * attempt, 16_000);
  if (kind === 'http') return Math.min(5_000 * 2 ** (attempt - 1), 320_000);
  return 60_000 * 2 ** (attempt - 1);
}

/** A rule's tag on X: the farm's prefix, the collector and the rule id, so one app can serve several collectors. */
export const xTag = (prefix: string, bot: string, rule: Rule) => `${prefix}:${bot}:${rule.id}${rule.tag ? `:${rule.tag}` : ''}`;
const ownTag = (prefix: string, bot: string) => `${prefix}:${bot}:`;

interface XRule {
  id: string;
  value: string;
  tag?: string;
}

export interface StreamDeps {
  redis: RedisClient;
  keys: Keys;
  bot: Bot;
  /** A bearer-token client (app-only). */
  client: TwitterApi;
  now(): number;
  log(event: string, fields?: Record<string, unknown>): void;
  /** Heartbeat interval, ms (the key lives 1.5 times as long). */
  heartbeatMs?: number;
  /** Resolves when the command should stop (SIGINT/SIGTERM). */
  stopped: Promise<void>;
}

/**
 * X's 403s that no retry can cure: the app is not enrolled for the endpoint (its tier has no filtered
 * stream), it is forbidden, or it authenticated the wrong way.
 */
const FORBIDDEN = ['client-not-enrolled', 'client-forbidden', 'unsupported-authentication'];

function forbiddenReason(err: ApiResponseError): string | undefined {
  const data = (err.data ?? {}) as { reason?: string; type?: string; title?: string };
  const text = JSON.stringify(data);
  return FORBIDDEN.find((r) => data.reason === r || text.includes(r));
}

/** An authentication or authorisation failure: exit 3, so a supervisor does not keep knocking. */
function isAuthError(err: unknown): boolean {
  return err instanceof ApiResponseError && (err.code === 401 || (err.code === 403 && forbiddenReason(err) !== undefined));
}

function authMessage(err: ApiResponseError): string {
  const reason = err.code === 403 ? forbiddenReason(err) : undefined;
  if (reason === 'client-not-enrolled') return "X refused the app (403 client-not-enrolled): its access tier has no filtered stream (Pro or Enterprise); run the collector from cron instead (tfctl tick)";
  if (reason) return `X refused the app (403 ${reason}): check the app and TFCTL_CONSUMER_KEY / TFCTL_CONSUMER_SECRET`;
  return `X refused the app's credentials (${err.code}): check TFCTL_CONSUMER_KEY and TFCTL_CONSUMER_SECRET; a cached bearer token is dropped, the next start gets a new one`;
}

/** Makes the app's rules on X for this collector equal to its rules in Redis. */
export async function reconcile(d: StreamDeps, rules: Rule[]): Promise<{ added: number; deleted: number }> {
  const prefix = d.keys.prefix;
  const res = await d.client.v2.get<{ data?: XRule[] }>('tweets/search/stream/rules', { max_results: '1000' });
  const mine = (res.data ?? []).filter((r) => r.tag?.startsWith(ownTag(prefix, d.bot.name)));
  const want = new Map(rules.map((r) => [xTag(prefix, d.bot.name, r), r]));
  const have = new Map(mine.map((r) => [`${r.tag}\u0000${r.value}`, r]));
  const toAdd = rules.filter((r) => !have.has(`${xTag(prefix, d.bot.name, r)}\u0000${r.value}`));
  const keep = new Set(rules.map((r) => `${xTag(prefix, d.bot.name, r)}\u0000${r.value}`));
  const toDelete = mine.filter((r) => !keep.has(`${r.tag}\u0000${r.value}`));
  const body: Record<string, unknown> = {};
  if (toAdd.length) body.add = toAdd.map((r) => ({ value: r.value, tag: xTag(prefix, d.bot.name, r) }));
  if (toDelete.length) body.delete = { ids: toDelete.map((r) => r.id) };
  if (toAdd.length || toDelete.length) {
    // A dry run first: X checks every rule, and nothing changes unless all of them pass.
    await d.client.v2.post('tweets/search/stream/rules', body, { query: { dry_run: true } });
    const done = await d.client.v2.post<{ data?: XRule[]; errors?: unknown[] }>('tweets/search/stream/rules', body);
    if (done.errors?.length) d.log('rules_refused', { errors: done.errors });
    const ids = d.redis.multi();
    ids.del(d.keys.own(d.bot.name, OWN.xRules));
    const added = new Map((done.data ?? []).map((r) => [r.tag, r.id]));
    for (const r of mine) if (keep.has(`${r.tag}\u0000${r.value}`)) added.set(r.tag, r.id);
    for (const [tag, id] of added) {
      const rule = tag && want.get(tag);
      if (rule) ids.hset(d.keys.own(d.bot.name, OWN.xRules), rule.id, id);
    }
    await ids.exec();
  }
  return { added: toAdd.length, deleted: toDelete.length };
}

/** Runs until stopped; throws AuthError when X refuses the app's credentials. */
export async function runStream(d: StreamDeps): Promise<void> {
  const store = new Rules(d.redis, d.keys);
  let rules: Rule[] = [];
  let live: LiveRule[] = [];
  let version = -1;
  let stop = false;
  const refresh = async (why: string) => {
    const v = await store.version(d.bot.name);
    if (v === version) return;
    version = v;
    rules = await store.list(d.bot.name);
    live = liveRules(rules, 'stream');
    const r = await reconcile(d, rules);
    d.log('rules', { why, version: v, rules: rules.length, added_on_x: r.added, deleted_on_x: r.deleted });
  };

  // Rule changes: a message on <prefix>:rules at once, the version counter every 30 s in case one was missed.
  // A connection of its own: a subscribed connection can send nothing else (both clients have duplicate()).
  const sub = (d.redis as { duplicate(): RedisClient }).duplicate();
  let refreshing: Promise<void> = Promise.resolve();
  const queueRefresh = (why: string) => {
    refreshing = refreshing.then(() => refresh(why)).catch((err) => {
      if (isAuthError(err)) fail(err);
      else d.log('rules_error', { error: String((err as Error).message ?? err) });
    });
  };
  let failure: unknown;
  let wake: () => void = () => {};
  const fail = (err: unknown) => {
    failure ??= err;
    stop = true;
    wake();
  };
  await sub.subscribe(d.keys.rulesChannel());
  sub.on('message', (_ch: string, name: string) => {
    if (name === d.bot.name) queueRefresh('changed');
  });
  const poll = setInterval(() => queueRefresh('poll'), 30_000);
  const beatMs = d.heartbeatMs ?? 10_000;
  const beat = async () => void (await d.redis.set(d.keys.own(d.bot.name, OWN.heartbeat), String(d.now()), 'PX', Math.round(beatMs * 1.5)).catch(() => {}));
  const beater = setInterval(beat, beatMs);
  void d.stopped.then(() => {
    stop = true;
    wake();
  });

  try {
    await beat();
    await refresh('start');
    let attempt = 0;
    let kind: 'network' | 'http' | 'rate' = 'network';
    while (!stop) {
      const stream = d.client.v2.searchStream({ ...TWEET_QUERY, autoConnect: false });
      const ended = new Promise<void>((resolve) => {
        wake = resolve;
        stream.on(ETwitterStreamEvent.ConnectionClosed, () => resolve());
        stream.on(ETwitterStreamEvent.ConnectionLost, () => resolve());
        stream.on(ETwitterStreamEvent.ConnectionError, () => resolve());
      });
      stream.on(ETwitterStreamEvent.Data, (ev: { data?: ApiTweet; includes?: Includes; matching_rules?: Array<{ id: string; tag?: string }>; errors?: unknown[] }) => {
        if (!ev.data) {
          if (ev.errors) d.log('stream_message', { errors: ev.errors });
          return;
        }
        void onTweet(ev.data, ev.includes ?? {}, ev.matching_rules ?? []).catch((err) => d.log('append_error', { error: String(err) }));
      });
      try {
        await stream.connect({ autoReconnect: false, keepAliveTimeout: 60_000 });
      } catch (err) {
        stream.destroy();
        if (isAuthError(err)) throw err;
        const code = err instanceof ApiResponseError ? err.code : 0;
        const next = code === 429 ? 'rate' : code ? 'http' : 'network';
        attempt = next === kind ? attempt + 1 : 1;
        kind = next;
        const wait = backoff(kind, attempt);
        d.log('connect_failed', { error: (err as Error).message, status: code || null, retry_in_s: wait / 1000 });
        await sleep(wait, () => stop);
        continue;
      }
      d.log('connected', { attempt });
      // What was posted while no stream was open (downtime, a reconnect) comes from recent search.
      const gap = await collectBySearch(d.redis, d.keys, d.bot, () => d.client, d.now(), new Set());
      if (gap.error) {
        if (isAuthError(gap.error)) fail(gap.error);
        else d.log('gap_fill_failed', { error: String((gap.error as Error).message ?? gap.error) });
      } else d.log('gap_filled', { collected: gap.added, detail: gap.detail });
      attempt = 0;
      kind = 'network';
      await ended;
      stream.destroy();
      if (stop) break;
      attempt = 1;
      const wait = backoff('network', attempt);
      d.log('disconnected', { retry_in_s: wait / 1000 });
      await sleep(wait, () => stop);
    }
    if (failure) throw failure;
  } catch (err) {
    if (isAuthError(err)) throw new AuthError(authMessage(err as ApiResponseError));
    throw err;
  } finally {
    clearInterval(poll);
    clearInterval(beater);
    await refreshing.catch(() => {});
    sub.disconnect();
    await d.redis.del(d.keys.own(d.bot.name, OWN.heartbeat)).catch(() => {});
  }

  async function onTweet(t: ApiTweet, inc: Includes, matched: Array<{ id: string; tag?: string }>) {
    // X says which of the app's rules matched; those of this collector are the ones tagged with its name.
    const mineTagged = matched.filter((m) => m.tag?.startsWith(ownTag(d.keys.prefix, d.bot.name)));
    if (!mineTagged.length) return;
    const c = judge(t, inc, live, 'stream');
    const ids = new Set(mineTagged.map((m) => m.tag!.slice(ownTag(d.keys.prefix, d.bot.name).length).split(':')[0]!));
    const byId = new Map(rules.map((r) => [r.id, r]));
    // X's list is authoritative; a rule X matched but local evaluation missed (or the reverse) is still included.
    const all = new Map<string, { id: string; tag?: string }>();
    for (const id of ids) if (byId.has(id)) all.set(id, { id, ...(byId.get(id)!.tag ? { tag: byId.get(id)!.tag } : {}) });
    for (const r of c?.rules ?? []) all.set(r.id, r);
    const ordered = [...all.values()].sort((a, b) => Number(a.id) - Number(b.id));
    const tweet = c?.tweet ?? toMatchable(t, inc);
    // Every rule was live on X up to this tweet, so a gap fill after a reconnect starts here for all of them.
    const since = Object.fromEntries(rules.map((r) => [r.id, t.id]));
    const n = await append(d.redis, d.keys, d.bot.name, [{ tweet, created_at: t.created_at ?? '', rules: ordered, via: 'stream' }], since, d.now());
    if (n) await trimStream(d.redis, d.keys.timeline(d.bot.name), d.bot, d.now());
  }
}

function sleep(ms: number, stopped: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const end = Date.now() + ms;
    const step = () => (stopped() || Date.now() >= end ? resolve() : setTimeout(step, Math.min(100, end - Date.now())));
    step();
  });
}
