import type { Bot } from '../../store/bot-record.js';
import { textEngine, type TextEngine } from '../../text/engine.js';
import { textHash, type Intent, type Post } from '../../store/posts.js';
import type { TimelineEntry } from '../../store/timeline.js';
import type { HashtagUses } from '../../text/hashtags.js';
import { HASHTAG_KEY, hashtagSettings, hashtagSteps, hashtagUses, spend, usesOf } from '../hashtags.js';
import { Publisher } from '../publish.js';
import type { Outcome, TickContext, TickEnv } from '../types.js';
import { writerSettings } from './index.js';

/** Batches of `grab` tweets a writer may look through in one tick when they yield nothing usable. */
const MAX_BATCHES = 5;
/** Candidates sent to the choice beyond the per-tick budget: stand-ins for texts X calls duplicates. */
const SPARE_CANDIDATES = 4;

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
 *
 * Under the generic tick (`ctx`) it costs Redis three round trips: its first take leaves with the bot's
 * lock (`start` in ./index.ts), the choice of texts and their intents are one step (Posts.choose), and its
 * bookkeeping and acknowledgements go with the tick's end step (the ledger).
 */
export async function tick(bot: Bot, env: TickEnv, ctx?: TickContext): Promise<Outcome> {
  const settings = writerSettings(bot);
  const template = settings.template;
  const client = env.dryRun ? undefined : env.client(bot);
  const learned: Record<string, string> = {};
  const perTick = settings.perTick;

  let publisher: Publisher | undefined;
  let open = { hashes: new Set<string>(), entries: new Set<string>(), used: new Set<string>() };
  if (client) {
    publisher = new Publisher(bot, env, client, learned, ctx);
    const failed = await publisher.recover();
    if (failed) return withPosts(failed, publisher.posts);
    open = { ...publisher.openEntries(), used: publisher.recoveredEntries() };
  }

  // What recovery settled as posted (found on the account or sent again) was made for the due time this
  // tick serves (the tick that wrote its intent never finished): it counts toward the per-tick budget.
  const recovered = publisher?.posts.length ?? 0;
  const ack = async (done: string[]) => {
    if (ctx) ctx.ledger.ack(env.keys.timeline(bot.source!), bot.name, done);
    else await env.timeline.ack(bot.source!, bot.name, done);
  };
  if (publisher && recovered >= perTick) {
    // The tweets recovery settled are processed; the others taken wait for the next due time.
    await ack([...open.used].filter((e) => !open.entries.has(e)));
    return { status: 'ok', detail: `posted ${recovered} (recovered)`, posts: publisher.posts, learned };
  }
  // Hashtags are appended to the text that goes out; the never-twice hash stays the template's text's.
  const tags = hashtagSettings(bot);
  const ownTags = ctx?.own[HASHTAG_KEY];
  const uses: HashtagUses | undefined = tags.hashtags.length ? (ownTags ? usesOf(ownTags) : await hashtagUses(env.store.redis, env.keys.own(bot.name, HASHTAG_KEY))) : undefined;
  // twitter-text (under withHashtags) loads here only for writers with hashtags: the texts were checked for length on the text engine's thread.
  const withHashtags = uses ? (await import('../../text/hashtags.js')).withHashtags : undefined;
  const tagged = (text: string, state = uses) => (state && withHashtags ? withHashtags(text, tags.hashtags, tags.hashtagMode, state) : { text, used: [] as string[] });

  if (!publisher) {
    const { candidates, scanned } = await gather(bot, settings.grab, env, template, open, { budget: perTick, intents: () => [] });
    if (candidates.length === 0) return { status: 'idle', detail: scanned ? `nothing usable in ${scanned} tweet(s)` : 'no unprocessed tweets', learned };
    return { status: 'ok', detail: `would post ${Math.min(perTick, candidates.length)}`, drafts: pick(candidates, perTick).map((c) => tagged(c.text).text) };
  }

  /**
   * Each candidate's intent, its text tagged as if every candidate before it went out: whichever of them
   * are chosen, no tag's quota can be passed (the one chosen last counted all the others before it).
   */
  const intentsOf = (candidates: Candidate[]): Intent[] => {
    const state = uses && { uses: { ...uses.uses }, turn: uses.turn };
    return candidates.map((c) => {
      const { text, used } = tagged(c.text, state);
      if (state) spend(state, used);
      const settle = used.length ? { keys: [env.keys.own(bot.name, HASHTAG_KEY)], posted: hashtagSteps(0, used) } : undefined;
      return ({ kind: 'post', text, hash: c.hash, source: c.source, entry: c.entry, noun: c.noun, at: env.now(), settle });
    });
  };
  const { candidates, consumed, scanned, chosen, rest, bases, intents } = await gather(bot, settings.grab, env, template, open, { budget: perTick - recovered, perTick, intents: intentsOf, ctx, publisher });
  if (chosen.length === 0) {
    if (recovered) return { status: 'ok', detail: `posted ${recovered} (recovered)`, posts: publisher.posts, learned };
    return { status: 'idle', detail: scanned ? `nothing usable in ${scanned} tweet(s)` : 'no unprocessed tweets', learned };
  }

  // Texts taken from each entry and not settled yet: an entry is acknowledged only when this is zero.
  const unsettled = new Map<string, number>();
  const taken = new Set<number>();
  const take = (i: number) => {
    if (taken.has(i)) return;
    taken.add(i);
    const entry = candidates[i]!.entry;
    unsettled.set(entry, (unsettled.get(entry) ?? 0) + 1);
  };
  // The tick takes per-tick texts: those chosen and, when posts recovery settled spent part of the
  // budget, the next fresh ones too, unsent: their tweets wait for the next tick instead of being marked
  // processed with their texts never posted.
  for (const i of chosen) take(i);
  for (const i of rest.slice(0, Math.max(0, perTick - chosen.length))) take(i);

  const written = new Set(chosen);
  const queue = [...chosen, ...rest];
  let stopped: Outcome | undefined;
  while (publisher.posts.length < perTick && queue.length > 0) {
    const i = queue.shift()!;
    const c = candidates[i]!;
    take(i); // a stand-in for a duplicate (its intent is written now), if it was not taken already
    // A chosen text's intent was written as its first attempt; a stand-in's is written by publish.
    const r = written.delete(i) ? await publisher.publish(intents[i]!, true) : await publisher.publish(bases[i]!);
    if (r.settled === false || r.settled === 'unknown') {
      stopped = r.outcome;
      break;
    }
    unsettled.set(c.entry, unsettled.get(c.entry)! - 1);
  }
  // Intents written for texts the tick stopped before: never sent, so they go, and their entries wait.
  for (const i of written) await publisher.abandon(candidates[i]!.hash);
  const done = consumed.filter((e) => !(unsettled.get(e)! > 0) && !open.entries.has(e));
  await env.hook?.('before-ack', bot);
  await ack(done);
  const posts = publisher.posts;
  if (stopped) return withPosts({ ...stopped, learned }, posts);
  return { status: posts.length ? 'ok' : 'idle', detail: posts.length ? `posted ${posts.length}` : 'every candidate was a duplicate', posts, learned };
}

/** A failure after some posts were made: they are reported with it. */
function withPosts(outcome: Outcome, posts: Post[]): Outcome {
  if (posts.length === 0) return outcome;
  return { ...outcome, posts, detail: `${outcome.detail} after ${posts.length} post(s)` };
}

interface Gathered {
  candidates: Candidate[];
  consumed: string[];
  scanned: number;
  /** Positions in `candidates`: those chosen (intents written), the other fresh ones; a dry run chooses none. */
  chosen: number[];
  rest: number[];
  /** Each candidate's intent, and the same as its first attempt (as the chosen ones' were written). */
  bases: Intent[];
  intents: Intent[];
}

/**
 * Looks through unprocessed tweets a batch at a time; a batch that yields nothing usable is marked
 * processed and the next one is tried, so a barren backlog is not re-scanned every minute. A real tick
 * chooses its texts and writes their intents in the same step as it drops what was posted before; a
 * dry run only looks (its candidates are the fresh ones).
 */
async function gather(
  bot: Bot,
  grab: number,
  env: TickEnv,
  template: string,
  open: { hashes: Set<string>; entries: Set<string>; used: Set<string> },
  how: { budget: number; perTick?: number; intents: (c: Candidate[]) => Intent[]; ctx?: TickContext; publisher?: Publisher },
): Promise<Gathered> {
  const peeked = env.dryRun ? await env.timeline.peek(bot.source!, bot.name, grab * MAX_BATCHES) : [];
  let scanned = 0;
  let acked: Promise<void> | undefined;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const taking = env.dryRun ? Promise.resolve(peeked.slice(batch * grab, (batch + 1) * grab)) : batch === 0 ? firstTake(bot, grab, env, how.ctx) : env.timeline.take(bot.source!, bot.name, grab);
    // The batch before was acknowledged in the same write as this take, and ahead of it.
    const [entries] = await Promise.all([taking, acked]);
    if (entries.length === 0) break;
    scanned += entries.length;
    // A text with an open intent waits for recovery, and so does its entry. An entry whose text recovery
    // settled was used by the tick that took it: it gives no other text, and is processed.
    const composed = (await compose(env, textEngine(), bot.source!, template, entries)).filter((c) => !open.hashes.has(c.hash) && !open.used.has(c.entry));
    const consumed = entries.map((e) => e.entry);
    if (composed.length > 0) {
      if (env.dryRun) {
        const candidates = await fresh(bot, env, composed);
        if (candidates.length > 0) return { candidates, consumed, scanned, chosen: [], rest: [], bases: [], intents: [] };
      } else {
        const bases = how.intents(composed);
        // The choice sees the candidates a slice at a time, in the order it prefers them: a writer has some
        // twenty and posts one, and each one sent is an intent built, encoded and read by the script. A slice
        // holds per-tick of them and the stand-ins, so the tick can take per-tick texts (see tick()).
        const order = preferred(composed);
        const slice = Math.max(how.perTick ?? how.budget, 1) + SPARE_CANDIDATES;
        for (let at = 0; at < order.length; at += slice) {
          const part = order.slice(at, at + slice);
          const intents: Intent[] = [];
          for (const i of part) intents[i] = how.publisher!.ahead(bases[i]!);
          const picked = await env.posts.choose(bot.name, how.budget, part.map((i) => ({ intent: intents[i]! })));
          // Stand-ins come from this slice only: they too were checked against what was posted before.
          if (picked.chosen.length > 0) return { candidates: composed, consumed, scanned, chosen: picked.chosen.map((p) => part[p]!), rest: picked.rest.map((p) => part[p]!), bases, intents };
        }
      }
    }
    if (!env.dryRun) acked = env.timeline.ack(bot.source!, bot.name, consumed.filter((e) => !open.entries.has(e)));
  }
  await acked;
  return { candidates: [], consumed: [], scanned, chosen: [], rest: [], bases: [], intents: [] };
}

/**
 * The first batch: what `start` took with the lock, if it was taken for the same source and count as the
 * bot now has (else, or if it failed, a take now: the entries it took stay pending and come first).
 */
async function firstTake(bot: Bot, grab: number, env: TickEnv, ctx: TickContext | undefined): Promise<TimelineEntry[]> {
  if (ctx?.early && ctx.listed.source === bot.source && writerSettings(ctx.listed).grab === grab) {
    const early = await (ctx.early as Promise<TimelineEntry[]>).catch(() => null);
    if (early) return early;
  }
  return env.timeline.take(bot.source!, bot.name, grab);
}

/**
 * Every text the template makes from the tweets' nouns, in order, each once. Each tweet's texts are made
 * once per run and template, by the text engine (on its own thread where it can): writers sharing a
 * template (most of a farm) share the inflection, the length check and the hash, which were most of a
 * writer's own CPU in a big tick. A request is shared by the writers that wait for the same tweets.
 * Texts over 280 are dropped, unless `keepTooLong` (preview shows them, marked).
 */
export async function compose(env: Pick<TickEnv, 'memo'>, engine: TextEngine, reader: string, template: string, entries: TimelineEntry[], opts: { keepTooLong?: boolean } = {}): Promise<Candidate[]> {
  const keep = opts.keepTooLong ?? false;
  const keyOf = (e: TimelineEntry) => `texts:${keep ? 'all' : 'fit'}:${reader}:${e.entry}:${template}`;
  const missing = entries.filter((e) => !env.memo.has(keyOf(e)));
  if (missing.length > 0) {
    const made = engine.make(template, missing.map((e) => e.text), keep);
    missing.forEach((e, i) => {
      const texts = made.then((all) => Object.freeze(all[i]!.map((m): Candidate => ({ text: m.text, hash: textHash(m.text), noun: m.noun, source: e.id, entry: e.entry }))));
      env.memo.set(keyOf(e), texts);
    });
  }
  const lists = await Promise.all(entries.map((e) => env.memo.get(keyOf(e)) as Promise<readonly Candidate[]>));
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const texts of lists) {
    for (const c of texts) {
      if (seen.has(c.hash)) continue;
      seen.add(c.hash);
      out.push(c);
    }
  }
  return out;
}

/** Drops what this writer posted before (one round trip). */
async function fresh(bot: Bot, env: TickEnv, candidates: Candidate[]): Promise<Candidate[]> {
  const posted = await env.posts.posted(bot.name, candidates.map((c) => c.hash));
  return candidates.filter((_, i) => !posted[i]);
}

/** Candidates' positions as a choice prefers them: the first of each source tweet, then the others, in order. */
function preferred(candidates: Candidate[]): number[] {
  const first: number[] = [];
  const others: number[] = [];
  const entries = new Set<string>();
  candidates.forEach((c, i) => {
    if (entries.has(c.entry)) others.push(i);
    else (first.push(i), entries.add(c.entry));
  });
  return [...first, ...others];
}

/** Up to n candidates, one per source tweet first, so a tick's posts come from different tweets. */
function pick(candidates: Candidate[], n: number): Candidate[] {
  const chosen: Candidate[] = [];
  const sources = new Set<string>();
  for (const c of candidates) if (chosen.length < n && !sources.has(c.entry)) (chosen.push(c), sources.add(c.entry));
  for (const c of candidates) if (chosen.length < n && !chosen.includes(c)) chosen.push(c);
  return chosen;
}
