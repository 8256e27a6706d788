import type { Bot } from '../../store/bot-record.js';
import { loadMorph } from '../../text/morph.js';
import { extractNouns } from '../../text/nouns.js';
import { parseTemplate, renderTemplate, type Template } from '../../text/template.js';
import { fitsTweet } from '../../text/weight.js';
import { textHash, type Post } from '../../store/posts.js';
import type { TimelineEntry } from '../../store/timeline.js';
import { withHashtags, type HashtagUses } from '../../text/hashtags.js';
import { HASHTAG_KEY, hashtagSettings, hashtagSteps, hashtagUses, spend } from '../hashtags.js';
import { Publisher } from '../publish.js';
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
 * before, and posts up to `per-tick` texts through the publishing core (../publish.ts): an intent before
 * each POST, recovery of what an earlier tick left open before anything new, and a tweet marked
 * processed only once every text taken from it is settled.
 */
export async function tick(bot: Bot, env: TickEnv): Promise<Outcome> {
  await loadMorph();
  const settings = writerSettings(bot);
  const template = memo(env, `template:${settings.template}`, () => parseTemplate(settings.template));
  const client = env.dryRun ? undefined : env.client(bot);
  const learned: Record<string, string> = {};
  const perTick = settings.perTick;

  let publisher: Publisher | undefined;
  let open = { hashes: new Set<string>(), entries: new Set<string>() };
  if (client) {
    publisher = new Publisher(bot, env, client, learned);
    const failed = await publisher.recover();
    if (failed) return withPosts(failed, publisher.posts);
    open = await publisher.openEntries();
  }

  // Posts sent again by recovery count toward the per-tick budget; posts found on the account do not.
  const recovered = publisher?.posts.length ?? 0;
  if (publisher && publisher.sent >= perTick) return { status: 'ok', detail: `posted ${recovered} (recovered)`, posts: publisher.posts, learned };
  const { candidates, consumed, scanned } = await gather(bot, settings.grab, env, template, open);
  if (candidates.length === 0) {
    if (recovered) return { status: 'ok', detail: `posted ${recovered} (recovered)`, posts: publisher!.posts, learned };
    return { status: 'idle', detail: scanned ? `nothing usable in ${scanned} tweet(s)` : 'no unprocessed tweets', learned };
  }
  const chosen = pick(candidates, perTick);
  // Hashtags are appended to the text that goes out; the never-twice hash stays the template's text's.
  const tags = hashtagSettings(bot);
  const uses: HashtagUses | undefined = tags.hashtags.length ? await hashtagUses(env.store.redis, env.keys.own(bot.name, HASHTAG_KEY)) : undefined;
  const tagged = (text: string) => (uses ? withHashtags(text, tags.hashtags, tags.hashtagMode, uses) : { text, used: [] as string[] });
  if (!publisher) {
    return { status: 'ok', detail: `would post ${chosen.length}`, drafts: chosen.map((c) => tagged(c.text).text) };
  }

  // Texts taken from each entry and not settled yet: an entry is acknowledged only when this is zero.
  const unsettled = new Map<string, number>();
  const take = (c: Candidate) => unsettled.set(c.entry, (unsettled.get(c.entry) ?? 0) + 1);
  for (const c of chosen) take(c);

  const queue = [...chosen, ...candidates.filter((c) => !chosen.includes(c))];
  let stopped: Outcome | undefined;
  while (publisher.sent < perTick && queue.length > 0) {
    const c = queue.shift()!;
    if (!chosen.includes(c)) (chosen.push(c), take(c)); // a stand-in for a duplicate
    const { text, used } = tagged(c.text);
    const settle = used.length ? { keys: [env.keys.own(bot.name, HASHTAG_KEY)], posted: hashtagSteps(0, used) } : undefined;
    const r = await publisher.publish({ kind: 'post', text, hash: c.hash, source: c.source, entry: c.entry, noun: c.noun, at: env.now(), settle });
    if (r.settled === 'posted' && uses) spend(uses, used);
    if (r.settled === false || r.settled === 'unknown') {
      stopped = r.outcome;
      break;
    }
    unsettled.set(c.entry, unsettled.get(c.entry)! - 1);
  }
  const done = consumed.filter((e) => !(unsettled.get(e)! > 0) && !open.entries.has(e));
  await env.hook?.('before-ack', bot);
  await env.timeline.ack(bot.source!, bot.name, done);
  const posts = publisher.posts;
  if (stopped) return withPosts({ ...stopped, learned }, posts);
  return { status: posts.length ? 'ok' : 'idle', detail: posts.length ? `posted ${posts.length}` : 'every candidate was a duplicate', posts, learned };
}

/** A failure after some posts were made: they are reported with it. */
function withPosts(outcome: Outcome, posts: Post[]): Outcome {
  if (posts.length === 0) return outcome;
  return { ...outcome, posts, detail: `${outcome.detail} after ${posts.length} post(s)` };
}

/**
 * Looks through unprocessed tweets a batch at a time; a batch that yields nothing usable is marked
 * processed and the next one is tried, so a barren backlog is not re-scanned every minute.
 */
async function gather(
  bot: Bot,
  grab: number,
  env: TickEnv,
  template: Template,
  open: { hashes: Set<string>; entries: Set<string> },
): Promise<{ candidates: Candidate[]; consumed: string[]; scanned: number }> {
  const peeked = env.dryRun ? await env.timeline.peek(bot.source!, bot.name, grab * MAX_BATCHES) : [];
  let scanned = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const entries = env.dryRun ? peeked.slice(batch * grab, (batch + 1) * grab) : await env.timeline.take(bot.source!, bot.name, grab);
    if (entries.length === 0) break;
    scanned += entries.length;
    // A text with an open intent waits for recovery, and so does its entry.
    const candidates = (await fresh(bot, env, compose(env, bot.source!, template, entries))).filter((c) => !open.hashes.has(c.hash));
    const consumed = entries.map((e) => e.entry);
    if (candidates.length > 0) return { candidates, consumed, scanned };
    if (!env.dryRun) await env.timeline.ack(bot.source!, bot.name, consumed.filter((e) => !open.entries.has(e)));
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

function memo<T>(env: Pick<TickEnv, 'memo'>, key: string, make: () => T): T {
  if (env.memo.has(key)) return env.memo.get(key) as T;
  const value = make();
  env.memo.set(key, value);
  return value;
}
