import type { Bot } from '../../store/bot-record.js';
import type { TimelineEntry } from '../../store/timeline.js';
import { matchingRules, type Query } from '../../xquery/index.js';
import { Publisher } from '../publish.js';
import { checkRule, Rules } from '../rules.js';
import type { Outcome, TickContext, TickEnv } from '../types.js';
import { Decisions, WAITING, type Decision, type DecisionKind } from './decisions.js';
import { RETWEETER_LIMITS, renderQuote, retweeterSettings, type RetweeterSettings } from './index.js';
import { inWindow, parseWindows } from './window.js';

/** Unprocessed tweets looked at per tick (those waiting for a window or a cap come first, as take gives them). */
const LOOK = 100;

/** What marks a tweet retweeted by this bot in its posted set: one mark for a retweet and a quote alike. */
export const retweetMark = (tweetId: string): string => `rt:${tweetId}`;

interface Considered {
  entry: TimelineEntry;
  decision: DecisionKind | 'go';
  rule: string | null;
}

/**
 * One tick of a retweeter: settle what an earlier tick left open (the publishing core's recovery), take
 * up to LOOK unprocessed tweets of its source, decide each, retweet the chosen ones (per-tick, min-gap)
 * through the publishing core, log every decision, and acknowledge every tweet whose decision is final.
 * Tweets waiting for a window or a cap stay unprocessed and are decided again next tick, until max-age.
 */
export async function tick(bot: Bot, env: TickEnv, ctx?: TickContext): Promise<Outcome> {
  const settings = retweeterSettings(bot);
  const client = env.dryRun ? undefined : env.client(bot);
  const learned: Record<string, string> = {};
  let publisher: Publisher | undefined;
  let open = { hashes: new Set<string>(), entries: new Set<string>() };
  if (client) {
    // Under the generic tick, its open intents come with the lock, and its bookkeeping and acknowledgements
    // go with the tick's end step (store/tick-steps.ts).
    publisher = new Publisher(bot, env, client, learned, ctx);
    const failed = await publisher.recover();
    if (failed) return failed;
    open = publisher.openEntries();
  }

  const rules = (await new Rules(env.store.redis, env.keys).list(bot.name)).map((r) => ({ id: r.id, query: checkRule(r.value, RETWEETER_LIMITS) }));
  const entries = env.dryRun ? await env.timeline.peek(bot.source!, bot.name, LOOK) : await env.timeline.take(bot.source!, bot.name, LOOK);
  // A tweet with an open intent is recovery's: it is neither decided nor acknowledged here.
  const fresh = entries.filter((e) => !open.entries.has(e.entry));
  if (fresh.length === 0) {
    const recovered = publisher?.posts.length ?? 0;
    return { status: recovered ? 'ok' : 'idle', detail: recovered ? `retweeted ${recovered} (recovered)` : 'no unprocessed tweets', posts: publisher?.posts, learned };
  }

  const now = env.now();
  // Retweets recovery just found or made: their tweets come back as retweeted, not as already_retweeted.
  const recovered = new Map((publisher?.posts ?? []).map((p) => [p.source, p.id]));
  const marks = await env.posts.posted(bot.name, fresh.map((e) => retweetMark(e.id)));
  const ownId = bot.userId;
  const considered = fresh.map((entry, i): Considered => decide(entry, marks[i]!, rules, settings, now, env.farmUserIds, ownId));

  // How many it may retweet now: per-tick, and min-gap since its last retweet.
  // Recovery's retweets count (with the ledger they are not in the list yet).
  const last = Math.max((await env.posts.recent(bot.name, 1))[0]?.at ?? 0, ...(publisher?.posts ?? []).map((p) => p.at));
  let allowed = settings.minGap > 0 && now - last < settings.minGap * 1000 ? 0 : settings.minGap > 0 ? 1 : settings.perTick;
  allowed = Math.min(allowed, settings.perTick);

  const decisions: Decision[] = [];
  const done: string[] = [];
  let stopped: Outcome | undefined;
  let acted = publisher?.posts.length ?? 0; // what recovery settled (found or sent again) counts toward per-tick
  const note = (c: Considered, decision: DecisionKind, extra: Partial<Decision> = {}) => {
    decisions.push({ tweet_id: c.entry.id, author: c.entry.author, decision, rule: c.rule, at: now, ...extra });
    if (!WAITING.has(decision)) done.push(c.entry.entry);
  };
  for (const c of considered) {
    if (recovered.has(c.entry.id)) {
      note({ ...c, rule: null }, 'retweeted', { post_id: recovered.get(c.entry.id)!, detail: 'settled by recovery after a lost answer' });
      continue;
    }
    if (c.decision !== 'go') {
      note(c, c.decision);
      continue;
    }
    if (stopped || acted >= allowed) {
      note(c, 'capped', { detail: stopped ? 'stopped: X failed' : settings.minGap > 0 && allowed === 0 ? `min-gap ${settings.minGap}s` : `per-tick ${settings.perTick}` });
      continue;
    }
    acted++;
    if (!publisher) {
      note(c, 'retweeted', { detail: 'dry run: would retweet' });
      continue;
    }
    const quoting = settings.mode === 'quote';
    const text = quoting ? renderQuote(settings.quote, c.entry.author || c.entry.author_id) : '';
    const r = await publisher.publish({ kind: quoting ? 'quote' : 'retweet', text, hash: retweetMark(c.entry.id), target: c.entry.id, source: c.entry.id, entry: c.entry.entry, noun: '', at: now });
    if (r.settled === 'posted') note(c, 'retweeted', { post_id: r.post.id });
    else if (r.settled === 'duplicate') note(c, 'already_retweeted', { detail: 'X has it already' });
    else if (r.settled === 'given-up') note(c, 'refused', { detail: r.reason });
    else {
      // Nothing was created (429, 401…) or the answer was lost (recovery settles it): the tweet waits.
      stopped = r.outcome;
      if (r.settled === false) note(c, 'capped', { detail: 'stopped: X failed' });
    }
  }

  if (!env.dryRun) {
    await new Decisions(env.store.redis, env.keys, bot.name).record(decisions);
    await env.hook?.('before-ack', bot);
    if (ctx) ctx.ledger.ack(env.keys.timeline(bot.source!), bot.name, done);
    else await env.timeline.ack(bot.source!, bot.name, done);
  }
  const counts = tally(decisions);
  const posts = publisher?.posts ?? [];
  const summary = Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ');
  if (stopped) return { ...stopped, detail: `${stopped.detail}${posts.length ? ` after ${posts.length} retweet(s)` : ''}`, posts, learned };
  if (env.dryRun) {
    const would = decisions.filter((d) => d.decision === 'retweeted').map((d) => `retweet ${d.tweet_id}`);
    return { status: would.length ? 'ok' : 'idle', detail: `dry run: ${summary}`, drafts: would };
  }
  return { status: posts.length ? 'ok' : 'idle', detail: `${posts.length ? `retweeted ${posts.length}; ` : ''}decided ${decisions.length}: ${summary}`, posts, learned };
}

/** A tweet's decision before any cap: the first reason that rules it out, or 'go' with the rule that matched. */
export function decide(
  entry: TimelineEntry,
  retweetedBefore: boolean,
  rules: Array<{ id: string; query: Query }>,
  s: RetweeterSettings,
  now: number,
  farmUserIds: ReadonlySet<string>,
  ownId: string | undefined,
): Considered {
  if (retweetedBefore) return { entry, decision: 'already_retweeted', rule: null };
  if ((entry.author_id && farmUserIds.has(entry.author_id)) || (ownId && entry.author_id === ownId)) return { entry, decision: 'own_tweet', rule: null };
  const matched = matchingRules(rules, { id: entry.id, text: entry.text, author_id: entry.author_id, author_username: entry.author })[0];
  if (!matched) return { entry, decision: 'no_rule', rule: null };
  const created = Date.parse(entry.created_at);
  if (Number.isFinite(created) && now - created > s.maxAge * 1000) return { entry, decision: 'too_old', rule: matched.id };
  if (s.window && !inWindow(parseWindows(s.window), now, s.tz)) return { entry, decision: 'outside_window', rule: matched.id };
  return { entry, decision: 'go', rule: matched.id };
}

function tally(decisions: Decision[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of decisions) out[d.decision] = (out[d.decision] ?? 0) + 1;
  return out;
}
