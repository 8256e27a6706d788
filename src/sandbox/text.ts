/**
 * A post's text as X returns it: links wrapped as t.co, `& < >` HTML-escaped, `entities` with the
 * urls, hashtags and mentions found in it, long posts cut to 280 with the whole in `note_tweet`, and
 * retweets as `RT @user: ` plus the start of the original. Entity indices count code points over the
 * unescaped text, as X documents for v2.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

interface TTEntity {
  url?: string;
  hashtag?: string;
  screenName?: string;
  indices: [number, number];
}

// twitter-text is CommonJS without types: X's own extraction and weighting rules.
const twitterText = createRequire(import.meta.url)('twitter-text') as {
  parseTweet(text: string): { weightedLength: number };
  extractEntitiesWithIndices(text: string, opts?: { extractUrlsWithoutProtocol?: boolean }): TTEntity[];
  modifyIndicesFromUTF16ToUnicode(text: string, entities: TTEntity[]): void;
};

export const MAX_WEIGHTED = 280;
/** X keeps this many characters of the original in a retweet's own text, then an ellipsis. */
export const RETWEET_KEEP = 140;

export function weightedLength(text: string): number {
  return twitterText.parseTweet(text).weightedLength;
}

export interface Entities {
  urls?: Array<{ start: number; end: number; url: string; expanded_url: string; display_url: string }>;
  hashtags?: Array<{ start: number; end: number; tag: string }>;
  mentions?: Array<{ start: number; end: number; username: string; id?: string }>;
}

export interface RenderedText {
  /** what `text` carries: escaped, t.co links, at most 280 weighted characters */
  text: string;
  entities: Entities;
  /** present when the post is longer than 280: the whole of it */
  note?: { text: string; entities: Entities };
}

/** Deterministic t.co link for a URL in a given post: X gives each occurrence its own. */
export function tco(url: string, tweetId: string): string {
  const h = createHash('sha256').update(`${tweetId}\0${url}`).digest('base64url').replace(/[-_]/g, 'x');
  return `https://t.co/${h.slice(0, 10)}`;
}

export function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** X's display_url: no scheme, no www., cut at 26 characters with an ellipsis. */
function displayUrl(url: string): string {
  const bare = url.replace(/^https?:\/\//i, '').replace(/^www\./i, '');
  return bare.length > 26 ? bare.slice(0, 25) + '…' : bare;
}

/**
 * Wraps links and collects entities. `userId` resolves a mentioned handle to an account id (X adds
 * `id` for existing accounts). Returns the unescaped text with t.co links and its entities.
 */
function wrap(raw: string, tweetId: string, userId: (name: string) => string | undefined): { text: string; entities: Entities } {
  const found = twitterText.extractEntitiesWithIndices(raw, { extractUrlsWithoutProtocol: false });
  let text = '';
  let last = 0;
  const spans: Array<{ e: TTEntity; start: number; end: number; shown: string }> = [];
  for (const e of found) {
    const [a, b] = e.indices;
    text += raw.slice(last, a);
    const shown = e.url ? tco(e.url, tweetId) : raw.slice(a, b);
    spans.push({ e, start: text.length, end: text.length + shown.length, shown });
    text += shown;
    last = b;
  }
  text += raw.slice(last);
  const entities: Entities = {};
  for (const s of spans) {
    // Code-point offsets: count the code points before each UTF-16 offset.
    const start = [...text.slice(0, s.start)].length;
    const end = start + [...s.shown].length;
    if (s.e.url) {
      const expanded = /^https?:\/\//i.test(s.e.url) ? s.e.url : `http://${s.e.url}`;
      (entities.urls ??= []).push({ start, end, url: s.shown, expanded_url: expanded, display_url: displayUrl(s.e.url) });
    } else if (s.e.hashtag) {
      (entities.hashtags ??= []).push({ start, end, tag: s.e.hashtag });
    } else if (s.e.screenName) {
      const id = userId(s.e.screenName);
      (entities.mentions ??= []).push({ start, end, username: s.e.screenName, ...(id ? { id } : {}) });
    }
  }
  return { text, entities };
}

/** The longest prefix (whole code points) whose weighted length with `suffix` fits `max`. */
function cut(text: string, max: number, suffix: string): string {
  const cps = [...text];
  let lo = 0;
  let hi = cps.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (weightedLength(cps.slice(0, mid).join('') + suffix) <= max) lo = mid;
    else hi = mid - 1;
  }
  return cps.slice(0, lo).join('').trimEnd() + suffix;
}

function within(entities: Entities, cps: number): Entities {
  const out: Entities = {};
  for (const k of ['urls', 'hashtags', 'mentions'] as const) {
    const list = (entities[k] as Array<{ end: number }> | undefined)?.filter((e) => e.end <= cps);
    if (list?.length) (out as Record<string, unknown>)[k] = list;
  }
  return out;
}

export function renderText(raw: string, tweetId: string, userId: (name: string) => string | undefined): RenderedText {
  const full = wrap(raw, tweetId, userId);
  if (weightedLength(full.text) <= MAX_WEIGHTED) return { text: escapeText(full.text), entities: full.entities };
  const short = cut(full.text, MAX_WEIGHTED, '…');
  return {
    text: escapeText(short),
    entities: within(full.entities, [...short].length - 1),
    note: { text: escapeText(full.text), entities: full.entities },
  };
}

/**
 * A retweet's own text: `RT @author: ` and the original, whose part past RETWEET_KEEP characters is
 * replaced by an ellipsis (the whole original is in `includes.tweets`).
 */
export function renderRetweetText(author: string, originalRaw: string, originalId: string, userId: (name: string) => string | undefined): RenderedText {
  const orig = wrap(originalRaw, originalId, userId);
  const cps = [...orig.text];
  const body = cps.length > RETWEET_KEEP ? cps.slice(0, RETWEET_KEEP).join('') + '…' : orig.text;
  const prefix = `RT @${author}: `;
  const shift = [...prefix].length;
  const keep = within(orig.entities, cps.length > RETWEET_KEEP ? RETWEET_KEEP : cps.length);
  const entities: Entities = { mentions: [{ start: 3, end: 3 + 1 + [...author].length, username: author, ...idOf(userId, author) }] };
  for (const m of keep.mentions ?? []) entities.mentions!.push({ ...m, start: m.start + shift, end: m.end + shift });
  if (keep.urls) entities.urls = keep.urls.map((u) => ({ ...u, start: u.start + shift, end: u.end + shift }));
  if (keep.hashtags) entities.hashtags = keep.hashtags.map((h) => ({ ...h, start: h.start + shift, end: h.end + shift }));
  return { text: escapeText(prefix + body), entities };
}

function idOf(userId: (name: string) => string | undefined, name: string): { id?: string } {
  const id = userId(name);
  return id ? { id } : {};
}

/** Urls, hashtags and mentions of a raw text, for query matching (not escaped, links as written). */
export function rawEntities(raw: string): { urls: string[]; hashtags: string[]; mentions: string[] } {
  const out = { urls: [] as string[], hashtags: [] as string[], mentions: [] as string[] };
  for (const e of twitterText.extractEntitiesWithIndices(raw, { extractUrlsWithoutProtocol: false })) {
    if (e.url) out.urls.push(e.url);
    else if (e.hashtag) out.hashtags.push(e.hashtag);
    else if (e.screenName) out.mentions.push(e.screenName);
  }
  return out;
}
