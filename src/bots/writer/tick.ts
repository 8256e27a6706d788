import type { TwitterApi } from 'twitter-api-v2';
import type { Bot } from '../../store/bot-record.js';
import { loadMorph } from '../../text/morph.js';
import { extractNouns } from '../../text/nouns.js';
import { parseTemplate, renderTemplate, type Template } from '../../text/template.js';
import { fitsTweet } from '../../text/weight.js';
import { textHash, type Intent, type Post } from '../../store/posts.js';
import type { TimelineEntry } from '../../store/timeline.js';
import { accountId } from '../account.js';
import { ENDPOINT } from '../endpoints.js';
import { outcomeOfError } from '../failure.js';
import type { Outcome, TickEnv } from '../types.js';
import { writerSettings } from './index.js';

/** Batches of `grab` tweets a writer may look through in one tick when they yield nothing usable. */
const MAX_BATCHES = 5;

/** A text the writer could post, and where it came from. */
export interface Candidate {
  text: string;
  hash: string;
  noun: string;
  source: string;
  entry: string;
}

/**
 * The writer takes its unprocessed tweets, picks nouns, fills its template, skips what it posted
 * before, and posts up to `per-tick` texts. An intent is written before each POST, so a crash between
 * the POST and the bookkeeping is resolved on the next tick by looking at the account's own tweets.
 */
export async function tick(bot: Bot, env: TickEnv): Promise<Outcome> {
  await loadMorph();
  const settings = writerSettings(bot);
  const template = memo(env, `template:${settings.template}`, () => parseTemplate(settings.template));
  const client = env.dryRun ? undefined : env.client(bot);
  const learned: Record<string, string> = {};

  if (client) {
    const recovered = await recover(bot, env, client, learned);
    if (recovered) return recovered;
  }

  const { candidates, consumed, scanned } = await gather(bot, settings.grab, env, template);
  if (candidates.length === 0) {
    return { status: 'idle', detail: scanned ? `nothing usable in ${scanned} tweet(s)` : 'no unprocessed tweets', learned };
  }
  const chosen = pick(candidates, settings.perTick);
  if (!client) {
    return { status: 'ok', detail: `would post ${chosen.length}`, drafts: chosen.map((c) => c.text) };
  }

  const posts: Post[] = [];
  const queue = [...chosen, ...candidates.filter((c) => !chosen.includes(c))];
  while (posts.length < settings.perTick && queue.length > 0) {
    const c = queue.shift()!;
    const intent: Intent = { text: c.text, hash: c.hash, source: c.source, noun: c.noun, entries: consumed, at: env.now() };
    await env.posts.writeIntent(bot.name, intent);
    let id: string;
    try {
      id = (await client.v2.tweet(c.text)).data.id;
    } catch (err) {
      const failure = outcomeOfError(err, ENDPOINT.post, { posts, learned }, env.now());
      if (failure.detail === 'duplicate content') {
        await env.posts.markDuplicate(bot.name, c.hash);
        continue;
      }
      // Without an answer the POST may have gone through: keep the intent for the next tick to check.
      if (!isNoAnswer(err)) await env.posts.dropIntent(bot.name, c.hash);
      return { ...failure, detail: `${failure.detail}${posts.length ? ` after ${posts.length} post(s)` : ''}` };
    }
    await env.hook?.('after-post', bot);
    const post: Post = { id, text: c.text, source: c.source, noun: c.noun, at: env.now() };
    await env.posts.record(bot.name, c.hash, post);
    posts.push(post);
  }
  await env.timeline.ack(bot.source!, bot.name, consumed);
  return { status: posts.length ? 'ok' : 'idle', detail: posts.length ? `posted ${posts.length}` : 'every candidate was a duplicate', posts, learned };
}

/**
 * Looks through unprocessed tweets a batch at a time; a batch that yields nothing usable is marked
 * processed and the next one is tried, so a barren backlog is not re-scanned every minute.
 */
async function gather(bot: Bot, grab: number, env: TickEnv, template: Template): Promise<{ candidates: Candidate[]; consumed: string[]; scanned: number }> {
  const peeked = env.dryRun ? await env.timeline.peek(bot.source!, bot.name, grab * MAX_BATCHES) : [];
  let scanned = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const entries = env.dryRun ? peeked.slice(batch * grab, (batch + 1) * grab) : await env.timeline.take(bot.source!, bot.name, grab);
    if (entries.length === 0) break;
    scanned += entries.length;
    const candidates = await fresh(bot, env, compose(env, bot.source!, template, entries));
    const consumed = entries.map((e) => e.entry);
    if (candidates.length > 0) return { candidates, consumed, scanned };
    if (!env.dryRun) await env.timeline.ack(bot.source!, bot.name, consumed);
  }
  return { candidates: [], consumed: [], scanned };
}

/**
 * Every text the template makes from the tweets' nouns, in order; tweets are analysed once per run.
 * Texts over 280 are dropped, unless `keepTooLong` (preview shows them, marked).
 */
export function compose(env: Pick<TickEnv, 'memo'>, reader: string, template: Template, entries: TimelineEntry[], opts: { keepTooLong?: boolean } = {}): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    const nouns = memo(env, `nouns:${reader}:${e.entry}`, () => extractNouns(e.text));
    for (const noun of nouns) {
      const text = renderTemplate(template, noun);
      if (!text || (!opts.keepTooLong && !fitsTweet(text))) continue;
      const hash = textHash(text);
      if (seen.has(hash)) continue;
      seen.add(hash);
      out.push({ text, hash, noun: noun.lemma, source: e.id, entry: e.entry });
    }
  }
  return out;
}

/** Drops what this writer posted before (one round trip). */
async function fresh(bot: Bot, env: TickEnv, candidates: Candidate[]): Promise<Candidate[]> {
  const posted = await env.posts.posted(bot.name, candidates.map((c) => c.hash));
  return candidates.filter((_, i) => !posted[i]);
}

/** Up to n candidates, one per source tweet first, so a tick's posts come from different tweets. */
function pick(candidates: Candidate[], n: number): Candidate[] {
  const chosen: Candidate[] = [];
  const sources = new Set<string>();
  for (const c of candidates) if (chosen.length < n && !sources.has(c.entry)) (chosen.push(c), sources.add(c.entry));
  for (const c of candidates) if (chosen.length < n && !chosen.includes(c)) chosen.push(c);
  return chosen;
}

/**
 * Settles intents left by a tick that died between a POST and its bookkeeping: a text found among the
 * account's recent tweets is recorded as posted; one not found was never posted and is dropped.
 * Returns an outcome only when the check itself failed (then nothing is posted this tick).
 */
async function recover(bot: Bot, env: TickEnv, client: TwitterApi, learned: Record<string, string>): Promise<Outcome | null> {
  const intents = await env.posts.intents(bot.name);
  if (intents.length === 0) return null;
  let recent: Array<{ id: string; text: string }>;
  try {
    const userId = await accountId(bot, client, learned);
    const res = await client.v2.get<{ data?: Array<{ id: string; text: string }> }>(`users/${userId}/tweets`, { max_results: '100' });
    recent = res.data ?? [];
  } catch (err) {
    return outcomeOfError(err, ENDPOINT.userTweets, { learned }, env.now());
  }
  for (const intent of intents) {
    const found = recent.find((t) => t.text === intent.text);
    if (found) {
      await env.posts.record(bot.name, intent.hash, { id: found.id, text: intent.text, source: intent.source, noun: intent.noun, at: intent.at });
      await env.timeline.ack(bot.source!, bot.name, intent.entries);
    } else {
      await env.posts.dropIntent(bot.name, intent.hash);
    }
  }
  return null;
}

function isNoAnswer(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { type?: string }).type === 'request';
}

function memo<T>(env: Pick<TickEnv, 'memo'>, key: string, make: () => T): T {
  if (env.memo.has(key)) return env.memo.get(key) as T;
  const value = make();
  env.memo.set(key, value);
  return value;
}
