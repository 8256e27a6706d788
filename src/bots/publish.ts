/**
 * The one publishing core: every bot kind that creates something on X (a post, a retweet, a quote)
 * goes through here, so "nothing lost, nothing twice" is written once.
 *
 *   1. intent   — before the call, the intent is written to Redis (what, from which source entry, when);
 *   2. the call — POST to X;
 *   3. bookkeeping — one script marks the text posted, records it and clears the intent.
 *
 * When the answer is lost or unreadable (a 5xx, a reset or timeout, a truncated or empty 2xx, or the
 * process dying), X may or may not have created the post: the intent stays. The next tick recovers it
 * before anything else: it looks for the post on the account, paging back as far as the intent's time,
 * comparing texts the way X returns them. Found: recorded as posted. Not found, and the first attempt
 * can no longer land (its request has timed out): posted again under the same intent, so a duplicate-
 * content 403 then means X has it, and counts as posted.
 *
 * A source entry is acknowledged by the kind only when every text taken from it is settled (see
 * `openEntries`): posted, found posted, a duplicate, or given up.
 *
 * Given the tick's ledger (store/tick-steps.ts), the bookkeeping of step 3 is not written at once but
 * by the tick's end step, with every other write of the tick, in one script. Until then each text's
 * intent stays in Redis, so a crash in between is what it always was: an intent left open, settled by
 * the next tick's recovery. A writer also writes its intents before its POSTs in one step with its
 * choice of texts (Posts.choose); such an intent carries the time it was written as `sentAt` and a
 * `window` (SEND_WINDOW_MS): its POST goes out within the window or the intent is written again first,
 * and recovery waits the window longer than a request may take, so it never re-sends what may still land.
 */
import { ApiPartialResponseError, ApiResponseError, type TwitterApi } from 'twitter-api-v2';
import type { Bot } from '../store/bot-record.js';
import type { Intent, Post } from '../store/posts.js';
import type { TickLedger } from '../store/tick-steps.js';
import type { NewEvent } from '../events/index.js';
import { classifyXError } from '../x/errors.js';
import { sameText, type ShownTweet } from '../x/text-match.js';
import { accountId } from './account.js';
import { ENDPOINT } from './endpoints.js';
import { outcomeOfError } from './failure.js';
import type { Outcome, TickEnv } from './types.js';

/** How a publish ended. */
export type Published =
  | { settled: 'posted'; post: Post }
  | { settled: 'duplicate' }
  | { settled: 'given-up'; reason: string }
  /** Nothing was created (429, 401, a refused request…): the intent is gone, the entry stays unprocessed. */
  | { settled: false; outcome: Outcome }
  /** The answer was lost: X may have it. The intent stays for the next tick's recovery. */
  | { settled: 'unknown'; outcome: Outcome };

/** Pages of the account's own tweets recovery may read (X serves the newest 3,200). */
const MAX_RECOVERY_PAGES = 32;
/** Clock skew allowed between this host and X when deciding how far back to look. */
const SKEW_MS = 5 * 60_000;
/**
 * How long after an intent written ahead (`window`) its POST may still go out without writing the intent
 * again: long enough for the round trip that wrote it on a loaded host, short beside a request's timeout.
 */
export const SEND_WINDOW_MS = 300;

interface AccountTweet extends ShownTweet {
  id: string;
  created_at?: string;
  referenced_tweets?: Array<{ type: string; id: string }>;
}

export class Publisher {
  private readonly done: Post[] = [];
  /** Intents earlier ticks left open and not settled yet, by hash (known once `recover` ran). */
  private readonly open = new Map<string, Intent>();
  /** The intents recovery began with. */
  private recovering: Intent[] = [];
  private readonly ledger: TickLedger | undefined;

  /**
   * `from`: the tick's context, when the kind runs under the generic tick: the intents read with the lock
   * (so recovery need not read them) and the ledger that defers the bookkeeping to the tick's end step.
   */
  constructor(
    private readonly bot: Bot,
    private readonly env: TickEnv,
    private readonly client: TwitterApi,
    private readonly learned: Record<string, string>,
    private readonly from?: { intents: Intent[]; ledger: TickLedger; events: NewEvent[] },
  ) {
    this.ledger = from?.ledger;
  }

  /** Posts made or found by this publisher so far. */
  get posts(): Post[] {
    return this.done;
  }

  /** The intent of a new attempt of `intent`, as written before its POST. */
  attempt(intent: Intent): Intent {
    return { ...intent, sentAt: this.env.now(), attempt: (intent.attempt ?? 0) + 1, answered: false };
  }

  /** The same, for an intent written ahead of its POST (see SEND_WINDOW_MS). */
  ahead(intent: Intent): Intent {
    return { ...this.attempt(intent), window: SEND_WINDOW_MS };
  }

  /**
   * Writes the intent, makes the call, does the bookkeeping. `written`: the intent is in Redis already as
   * `attempt` made it (a writer's choice wrote it); it is written again only if its time has passed.
   */
  async publish(intent: Intent, written = false): Promise<Published> {
    const { env, bot } = this;
    let sent: Intent;
    if (written && intent.sentAt !== undefined && env.now() <= intent.sentAt + (intent.window ?? 0)) sent = intent;
    else {
      // Too late for the window it was written with (or not written): written now, as it leaves.
      const { window: _, ...rest } = intent;
      sent = written ? { ...rest, sentAt: env.now() } : this.attempt(rest);
      await env.posts.writeIntent(bot.name, sent);
    }
    await env.hook?.('before-post', bot);
    let id: string | undefined;
    try {
      const res = (await this.create(sent)) as { data?: { id?: unknown; retweeted?: unknown } } | undefined;
      id = typeof res?.data?.id === 'string' ? res.data.id : undefined;
      // X's schema makes the id of a retweet's answer optional: `retweeted: true` is the answer that counts.
      if (!id && sent.kind === 'retweet' && res?.data?.retweeted === true) id = sent.target;
    } catch (err) {
      await env.hook?.('after-post', bot);
      return this.failed(sent, err);
    }
    await env.hook?.('after-post', bot);
    if (!id) {
      // A 2xx without the new post's id ({} or a body cut short): X may well have it.
      await this.rewrite({ ...sent, answered: true });
      return { settled: 'unknown', outcome: { status: 'failed', detail: 'unreadable answer from X', error: `${ENDPOINT.post}: a 2xx answer without the post's id`, counters: { errors: 1 } } };
    }
    return this.recordPosted(sent, id);
  }

  /**
   * Settles what earlier ticks left open. Returns a failure outcome when X could not be asked (then the
   * kind posts nothing new this tick), otherwise null.
   */
  async recover(): Promise<Outcome | null> {
    const { env, bot } = this;
    const open = this.from ? this.from.intents : await env.posts.intents(bot.name);
    this.recovering = open;
    for (const i of open) this.open.set(i.hash, i);
    if (open.length === 0) return null;
    let found: Map<string, string>;
    try {
      found = await this.search(open);
    } catch (err) {
      return outcomeOfError(err, ENDPOINT.userTweets, { learned: this.learned }, this.env.now());
    }
    for (const intent of open) {
      const id = found.get(intent.hash);
      if (id) {
        await this.recordPosted(intent, id);
        continue;
      }
      // Not on the account. A request still on its way could create it yet: wait until it cannot.
      if (!intent.answered && env.now() < (intent.sentAt ?? intent.at) + env.inFlightMs + (intent.window ?? 0)) continue;
      const r = await this.publish(intent);
      if (r.settled === false || r.settled === 'unknown') return r.outcome;
    }
    return null;
  }

  /**
   * Source entries whose texts recovery settled (found on the account, sent again, or given up): the tick
   * that took them used them, so they give no other text; they are processed once none is open. Known
   * from `recover`, which must have run.
   */
  recoveredEntries(): Set<string> {
    return new Set(this.recovering.filter((i) => !this.open.has(i.hash)).map((i) => i.entry));
  }

  /**
   * Hashes of intents earlier ticks left open and recovery did not settle, and the source entries they
   * came from: such entries stay unprocessed. Known from `recover`, which must have run.
   */
  openEntries(): { hashes: Set<string>; entries: Set<string> } {
    const open = [...this.open.values()];
    return { hashes: new Set(open.map((i) => i.hash)), entries: new Set(open.map((i) => i.entry)) };
  }

  /** An intent written for a text that is not sent after all (the tick stopped before it): it goes. */
  async abandon(hash: string): Promise<void> {
    this.open.delete(hash);
    if (this.ledger) this.ledger.drop(hash);
    else await this.env.posts.dropIntent(this.bot.name, hash);
  }

  private async rewrite(intent: Intent): Promise<void> {
    if (this.ledger) this.ledger.rewrite(intent);
    else await this.env.posts.writeIntent(this.bot.name, intent);
  }

  private async create(intent: Intent): Promise<unknown> {
    switch (intent.kind ?? 'post') {
      case 'retweet': {
        const userId = await accountId(this.bot, this.client, this.learned);
        return this.client.v2.retweet(userId, intent.target!);
      }
      case 'quote':
        return this.client.v2.tweet({ text: intent.text, quote_tweet_id: intent.target! });
      default:
        return this.client.v2.tweet(intent.text);
    }
  }

  private async recordPosted(intent: Intent, id: string): Promise<Published> {
    const post: Post = { id, text: intent.text, source: intent.source, noun: intent.noun, at: this.env.now() };
    this.open.delete(intent.hash);
    if (this.ledger) this.ledger.record(intent, post);
    else {
      await this.env.posts.record(this.bot.name, intent.hash, post, intent.settle);
      await this.env.hook?.('after-record', this.bot);
    }
    this.done.push(post);
    await this.announce(intent, post);
    return { settled: 'posted', post };
  }

  /** The farm event of what was created (best effort: it is recorded already, an event is a notification). */
  private async announce(intent: Intent, post: Post): Promise<void> {
    const kind = intent.kind ?? 'post';
    const type = kind === 'retweet' ? 'retweeted' : kind === 'quote' ? 'quoted' : 'posted';
    const detail = kind === 'post' ? post.text : kind === 'retweet' ? `retweeted ${intent.target}` : `quoted ${intent.target}: ${post.text}`;
    const data: Record<string, unknown> = { tweet_id: post.id, source_tweet_id: intent.source };
    if (intent.target) data.target_id = intent.target;
    const event: NewEvent = { type, bot: this.bot.name, at: post.at, detail, data };
    // With the ledger the post is not recorded yet: its event leaves with the tick's end step.
    if (this.from) this.from.events.push(event);
    else await this.env.events?.emit(event).catch(() => {});
  }

  private async failed(intent: Intent, err: unknown): Promise<Published> {
    const { env, bot } = this;
    const c = classifyXError(err, env.now());
    if (c.kind === 'duplicate') {
      // X already has this text from this account. After an attempt whose answer was lost, that attempt is
      // what X has: the text counts as posted. On a first attempt it was posted some other way: a duplicate.
      if ((intent.attempt ?? 1) > 1) {
        const id = (await this.search([intent]).catch(() => new Map<string, string>())).get(intent.hash) ?? '';
        return this.recordPosted(intent, id);
      }
      this.open.delete(intent.hash);
      if (this.ledger) this.ledger.duplicate(intent);
      else await env.posts.markDuplicate(bot.name, intent.hash, intent.settle);
      return { settled: 'duplicate' };
    }
    const outcome = outcomeOfError(err, ENDPOINT.post, { learned: this.learned }, env.now());
    if (answerLost(err)) {
      // An answer that arrived (a 5xx, a body cut short) means the request is over: recovery need not wait.
      if (err instanceof ApiResponseError || err instanceof ApiPartialResponseError) await this.rewrite({ ...intent, answered: true });
      return { settled: 'unknown', outcome };
    }
    if (c.kind === 'fatal' && err instanceof ApiResponseError && err.code >= 400 && err.code < 500) {
      // X refuses this text for good (too long, invalid): it is given up, so its tweet can be processed.
      this.open.delete(intent.hash);
      if (this.ledger) this.ledger.giveUp(intent);
      else await env.posts.giveUp(bot.name, intent.hash, intent.settle);
      return { settled: 'given-up', reason: c.reason };
    }
    await this.abandon(intent.hash);
    return { settled: false, outcome };
  }

  /** Looks for the intents' posts among the account's own tweets, newest first, back to the oldest intent. */
  private async search(intents: Intent[]): Promise<Map<string, string>> {
    const userId = await accountId(this.bot, this.client, this.learned);
    const oldest = Math.min(...intents.map((i) => i.at)) - SKEW_MS;
    const found = new Map<string, string>();
    let token: string | undefined;
    for (let page = 0; page < MAX_RECOVERY_PAGES && found.size < intents.length; page++) {
      const query: Record<string, string> = { max_results: '100', 'tweet.fields': 'created_at,entities,note_tweet,referenced_tweets' };
      if (token) query.pagination_token = token;
      const res = await this.client.v2.get<{ data?: AccountTweet[]; meta?: { next_token?: string } }>(`users/${userId}/tweets`, query);
      const tweets = res.data ?? [];
      for (const t of tweets) {
        for (const i of intents) if (!found.has(i.hash) && matches(i, t)) found.set(i.hash, t.id);
      }
      const last = tweets[tweets.length - 1];
      token = res.meta?.next_token;
      if (!token || !last?.created_at || Date.parse(last.created_at) < oldest) break;
    }
    return found;
  }
}

function matches(intent: Intent, t: AccountTweet): boolean {
  switch (intent.kind ?? 'post') {
    case 'retweet':
      return !!t.referenced_tweets?.some((r) => r.type === 'retweeted' && r.id === intent.target);
    case 'quote':
      return !!t.referenced_tweets?.some((r) => r.type === 'quoted' && r.id === intent.target) && sameText(intent.text, t);
    default:
      return !t.referenced_tweets?.some((r) => r.type === 'retweeted') && sameText(intent.text, t);
  }
}

/** True when X may have acted on the request although its answer never arrived whole. */
export function answerLost(err: unknown): boolean {
  if (err instanceof ApiResponseError) return err.code >= 500 || err.code === 408;
  // A network error, a body cut short, a body that is not JSON: as good as no answer.
  return true;
}
