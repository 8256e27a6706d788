/**
 * The sandbox's whole world, in memory: the app, accounts and their tokens, tweets, follows, the
 * clock offset and request counters. Optionally persisted as one JSON file (debounced, async), so a
 * demo can stop and restart the sandbox without the farm's stored tokens going stale.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { signingKey } from './oauth.js';
import { rawEntities } from './text.js';

export { TIERS, type Tier } from './tiers.js';

export interface Account {
  id: string;
  username: string;
  name: string;
  createdAt: number;
  token: string;
  secret: string;
}

export interface Tweet {
  id: string;
  authorId: string;
  /** as posted: not HTML-escaped, URLs not wrapped (render.ts makes X's form of it) */
  text: string;
  /** sandbox-clock ms */
  createdAt: number;
  retweetOf?: string;
  /** the tweet this one replies to */
  replyTo?: string;
  /** the tweet this one quotes */
  quoteOf?: string;
  /** the first tweet of the thread (its own id when it starts one) */
  conversationId?: string;
  /** BCP 47 language X would detect; guessed from the script unless given */
  lang?: string;
  /** [longitude, latitude] */
  coordinates?: [number, number];
  deleted?: boolean;
}

export interface StreamRule {
  id: string;
  value: string;
  tag?: string;
}

export interface TokenEntry {
  account: Account;
  /** precomputed HMAC key: consumer secret & token secret, so the hot path does no encoding */
  key: string;
}

export interface RequestToken {
  secret: string;
  verifier?: string;
  userId?: string;
  createdAt: number;
}

/** X's snowflake epoch (2010-11-04). Ids are (ms since epoch) << 22, so they exceed 2^53. */
const TWEPOCH = 1288834974657n;

/** Decimal id order without BigInt: longer is larger, then lexicographic. */
export function cmpId(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** X's handle rule (OpenAPI `UserName`): 1–15 letters, digits or underscores. */
export const USERNAME_RE = /^[A-Za-z0-9_]{1,15}$/;

export function normalizeUsername(u: unknown): string | undefined {
  if (typeof u !== 'string') return undefined;
  const name = u.startsWith('@') ? u.slice(1) : u;
  return USERNAME_RE.test(name) ? name : undefined;
}

export interface StateOptions {
  seed: number;
  now: () => number;
}

export class State {
  readonly seed: number;
  private readonly baseNow: () => number;
  offsetMs = 0;
  app: { key: string; secret: string };
  accounts = new Map<string, Account>();
  byName = new Map<string, Account>();
  tokens = new Map<string, TokenEntry>();
  tweets = new Map<string, Tweet>();
  /** every tweet in id order (ascending); deleted ones are flagged, not spliced, to keep writes O(1) */
  timeline: Tweet[] = [];
  byAuthor = new Map<string, Tweet[]>();
  /** per author: live text → tweet id, for the O(1) duplicate-content check */
  texts = new Map<string, Map<string, string>>();
  /** `${userId}:${tweetId}` → id of the retweet */
  retweets = new Map<string, string>();
  /** tweet id → its live retweets, replies and quotes, oldest first (added to the synthetic public_metrics) */
  retweetsOf = new Map<string, Tweet[]>();
  repliesTo = new Map<string, Tweet[]>();
  quotesOf = new Map<string, Tweet[]>();
  /** lower-cased username → tweets that mention it, oldest first (the mentions timeline) */
  mentionsOf = new Map<string, Tweet[]>();
  /** tweet id → user ids that like it, in liking order; user id → liked tweet ids, in liking order */
  likers = new Map<string, string[]>();
  liked = new Map<string, string[]>();
  /** the app's OAuth 2.0 bearer token, once /oauth2/token has issued one */
  bearer: string | undefined;
  /** filtered-stream rules, in creation order */
  rules: StreamRule[] = [];
  follows = new Map<string, Set<string>>();
  requests = new Map<string, number>();
  requestTokens = new Map<string, RequestToken>();
  private lastId = 0n;

  constructor(opts: StateOptions) {
    this.seed = opts.seed;
    this.baseNow = opts.now;
    this.app = { key: this.derive('consumer-key', 25), secret: this.derive('consumer-secret', 50) };
  }

  /** Sandbox clock, ms: the base clock plus whatever /sandbox/clock has advanced. */
  now(): number {
    return this.baseNow() + this.offsetMs;
  }

  /**
   * Deterministic alphanumeric strings from the seed: the same seed gives the same app keys and
   * account tokens on every start, so a farm configured against one sandbox run keeps working.
   */
  derive(label: string, len: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let out = '';
    let block = 0;
    while (out.length < len) {
      const bytes = createHmac('sha256', `tfctl-sandbox:${this.seed}`).update(`${label}#${block++}`).digest();
      for (const b of bytes) if (out.length < len && b < 248) out += alphabet[b % 62];
    }
    return out;
  }

  nextId(ms: number): string {
    let id = (BigInt(Math.floor(ms)) - TWEPOCH) << 22n;
    if (id <= this.lastId) id = this.lastId + 1n;
    this.lastId = id;
    return id.toString();
  }

  // ---- accounts -------------------------------------------------------------------------------

  account(username: string): Account | undefined {
    return this.byName.get(username.toLowerCase());
  }

  /** By username (with or without @) or by numeric id. */
  resolve(ref: unknown): Account | undefined {
    if (typeof ref !== 'string') return undefined;
    if (/^\d+$/.test(ref)) return this.accounts.get(ref);
    const name = normalizeUsername(ref);
    return name ? this.account(name) : undefined;
  }

  createAccount(username: string, name?: string): Account {
    const existing = this.account(username);
    if (existing) return existing;
    // User ids: derived from the seed and the name so they survive restarts; 17–19 digits like X's.
    const h = createHmac('sha256', `tfctl-sandbox:${this.seed}`).update(`user:${username.toLowerCase()}`).digest();
    const id = ((h.readBigUInt64BE(0) >> 4n) % 9_000_000_000_000_000_000n + 100_000_000_000_000_000n).toString();
    const acc: Account = {
      id,
      username,
      name: name ?? username,
      createdAt: this.now(),
      token: '',
      secret: '',
    };
    this.accounts.set(id, acc);
    this.byName.set(username.toLowerCase(), acc);
    this.issueTokens(acc, 0);
    return acc;
  }

  /** Gives the account a (new) token pair; generation > 0 after a revoke, so old tokens stay dead. */
  issueTokens(acc: Account, generation: number): void {
    if (acc.token) this.tokens.delete(acc.token);
    const label = `${acc.username.toLowerCase()}:${generation}`;
    acc.token = `${acc.id}-${this.derive('token:' + label, 30)}`;
    acc.secret = this.derive('secret:' + label, 45);
    this.tokens.set(acc.token, { account: acc, key: signingKey(this.app.secret, acc.secret) });
  }

  revoke(acc: Account): void {
    this.tokens.delete(acc.token);
    acc.token = '';
    acc.secret = '';
  }

  /** Re-issues tokens for a revoked account (a fresh authorization); fresh random part each time. */
  reauthorize(acc: Account): void {
    if (acc.token && this.tokens.has(acc.token)) return;
    this.issueTokens(acc, 1 + randomBytes(4).readUInt32BE(0));
  }

  follow(follower: Account, followee: Account): void {
    let set = this.follows.get(follower.id);
    if (!set) this.follows.set(follower.id, (set = new Set()));
    set.add(followee.id);
  }

  unfollow(follower: Account, followee: Account): void {
    this.follows.get(follower.id)?.delete(followee.id);
  }

  followersOf(id: string): number {
    let n = 0;
    for (const set of this.follows.values()) if (set.has(id)) n++;
    return n;
  }

  // ---- tweets ---------------------------------------------------------------------------------

  duplicateOf(authorId: string, text: string): string | undefined {
    return this.texts.get(authorId)?.get(text);
  }

  addTweet(author: Account, text: string, at = this.now(), extra: TweetExtra = {}): Tweet {
    const t: Tweet = { id: this.nextId(at), authorId: author.id, text, createdAt: at };
    if (extra.retweetOf) t.retweetOf = extra.retweetOf;
    if (extra.replyTo) t.replyTo = extra.replyTo;
    if (extra.quoteOf) t.quoteOf = extra.quoteOf;
    if (extra.lang) t.lang = extra.lang;
    if (extra.coordinates) t.coordinates = extra.coordinates;
    t.conversationId = (extra.replyTo && this.tweets.get(extra.replyTo)?.conversationId) || t.id;
    this.insert(t);
    for (const l of this.listeners) l(t);
    return t;
  }

  /** Called with every new tweet (the filtered stream listens). */
  listeners = new Set<(t: Tweet) => void>();

  private insert(t: Tweet): void {
    this.tweets.set(t.id, t);
    this.timeline.push(t);
    push(this.byAuthor, t.authorId, t);
    if (t.retweetOf) {
      this.retweets.set(`${t.authorId}:${t.retweetOf}`, t.id);
      push(this.retweetsOf, t.retweetOf, t);
      return;
    }
    let m = this.texts.get(t.authorId);
    if (!m) this.texts.set(t.authorId, (m = new Map()));
    m.set(t.text, t.id);
    if (t.replyTo) push(this.repliesTo, t.replyTo, t);
    if (t.quoteOf) push(this.quotesOf, t.quoteOf, t);
    for (const name of mentionedNames(t.text)) push(this.mentionsOf, name, t);
  }

  deleteTweet(t: Tweet): void {
    if (t.deleted) return;
    t.deleted = true;
    this.tweets.delete(t.id);
    if (t.retweetOf) {
      this.retweets.delete(`${t.authorId}:${t.retweetOf}`);
      drop(this.retweetsOf, t.retweetOf, t);
    }
    if (t.replyTo) drop(this.repliesTo, t.replyTo, t);
    if (t.quoteOf) drop(this.quotesOf, t.quoteOf, t);
    for (const name of t.retweetOf ? [] : mentionedNames(t.text)) drop(this.mentionsOf, name, t);
    const m = this.texts.get(t.authorId);
    if (m && m.get(t.text) === t.id) m.delete(t.text);
    // Compact lazily so arrays do not fill with tombstones after many deletes.
    const list = this.byAuthor.get(t.authorId);
    if (list && list.length > 64 && list.filter((x) => x.deleted).length * 4 > list.length) {
      this.byAuthor.set(t.authorId, list.filter((x) => !x.deleted));
    }
  }

  /** Live retweets, replies and quotes of a tweet, and its likes: what moves its public_metrics. */
  engagement(id: string): { retweets: number; replies: number; quotes: number; likes: number } {
    return {
      retweets: this.retweetsOf.get(id)?.length ?? 0,
      replies: this.repliesTo.get(id)?.length ?? 0,
      quotes: this.quotesOf.get(id)?.length ?? 0,
      likes: this.likers.get(id)?.length ?? 0,
    };
  }

  /** Returns false when the account already likes the tweet. */
  like(user: Account, tweetId: string): boolean {
    const list = this.likers.get(tweetId) ?? [];
    if (list.includes(user.id)) return false;
    list.push(user.id);
    this.likers.set(tweetId, list);
    const mine = this.liked.get(user.id) ?? [];
    mine.push(tweetId);
    this.liked.set(user.id, mine);
    return true;
  }

  unlike(user: Account, tweetId: string): void {
    const list = this.likers.get(tweetId);
    if (list) this.likers.set(tweetId, list.filter((id) => id !== user.id));
    const mine = this.liked.get(user.id);
    if (mine) this.liked.set(user.id, mine.filter((id) => id !== tweetId));
  }

  countRequest(key: string): void {
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  // ---- persistence ----------------------------------------------------------------------------

  toJSON(): PersistedState {
    return {
      version: 1,
      seed: this.seed,
      offsetMs: this.offsetMs,
      lastId: this.lastId.toString(),
      app: this.app,
      accounts: [...this.accounts.values()],
      tweets: this.timeline.filter((t) => !t.deleted),
      follows: [...this.follows].map(([a, set]) => [a, [...set]] as [string, string[]]),
      likes: [...this.liked].flatMap(([u, ids]) => ids.map((id) => [u, id] as [string, string])),
      rules: this.rules,
      ...(this.bearer ? { bearer: this.bearer } : {}),
    };
  }

  load(p: PersistedState): void {
    this.offsetMs = p.offsetMs;
    this.lastId = BigInt(p.lastId);
    this.app = p.app;
    for (const a of p.accounts) {
      this.accounts.set(a.id, a);
      this.byName.set(a.username.toLowerCase(), a);
      if (a.token) this.tokens.set(a.token, { account: a, key: signingKey(this.app.secret, a.secret) });
    }
    for (const t of p.tweets) this.insert(t);
    for (const [a, list] of p.follows) this.follows.set(a, new Set(list));
    for (const [u, id] of p.likes ?? []) {
      const acc = this.accounts.get(u);
      if (acc) this.like(acc, id);
    }
    this.rules = p.rules ?? [];
    this.bearer = p.bearer;
  }
}

export interface TweetExtra {
  retweetOf?: string;
  replyTo?: string;
  quoteOf?: string;
  lang?: string;
  coordinates?: [number, number];
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function drop<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (!list) return;
  const i = list.indexOf(v);
  if (i >= 0) list.splice(i, 1);
}

/** Lower-cased handles a text mentions, by X's own extraction rules. */
export function mentionedNames(text: string): string[] {
  if (!text.includes('@')) return [];
  return [...new Set(rawEntities(text).mentions.map((m) => m.toLowerCase()))];
}

export interface PersistedState {
  version: 1;
  seed: number;
  offsetMs: number;
  lastId: string;
  app: { key: string; secret: string };
  accounts: Account[];
  tweets: Tweet[];
  follows: Array<[string, string[]]>;
  /** [user id, tweet id] in liking order (absent in files written before likes existed) */
  likes?: Array<[string, string]>;
  rules?: StreamRule[];
  bearer?: string;
}

export function readStateFile(file: string): PersistedState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const p = JSON.parse(text) as PersistedState;
  if (p.version !== 1) throw new Error(`${file}: unsupported sandbox state version`);
  return p;
}

/**
 * Debounced writer: many changes within `delayMs` cost one write; writes go to a temp file then
 * rename, so a crash never leaves half a JSON file.
 */
export class Persister {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly state: State,
    private readonly delayMs = 500,
  ) {}

  touch(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.delayMs);
    this.timer.unref();
  }

  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const json = JSON.stringify(this.state.toJSON());
    const tmp = `${this.file}.${process.pid}.tmp`;
    this.writing = this.writing.then(async () => {
      await writeFile(tmp, json, { mode: 0o600 }); // app secret and every token: readable by the owner only
      await rename(tmp, this.file);
    }).catch((err) => {
      process.stderr.write(`tfctl sandbox: could not save state: ${(err as Error).message}\n`);
    });
    return this.writing;
  }
}
