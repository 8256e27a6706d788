import twitterText from 'twitter-text';
import { fitsTweet } from './weight.js';

/**
 * Hashtags appended to a post (`--hashtags "#котики:2 #пятница"`): each tag, optionally with a quota
 * (at most that many uses), and a mode — `all` appends every tag that is left, `one` the first that is
 * left, `rotate` one per post taking turns. A tag is appended only while the text still fits 280
 * weighted characters, and never when the text has it already.
 */

export interface Hashtag {
  tag: string;
  /** Uses allowed in all; none: no limit. */
  quota?: number;
}

export type HashtagMode = 'all' | 'one' | 'rotate';

/** The tags that X would not link as hashtags ("#1", "#a-b" go out as plain text). */
export function unlinked(tags: Hashtag[]): string[] {
  return tags.filter((t) => twitterText.extractHashtags(t.tag).join() !== t.tag.slice(1)).map((t) => t.tag);
}

/** The state a choice depends on: each tag's uses so far, and posts made with tags (rotate's turn). */
export interface HashtagUses {
  uses: Record<string, number>;
  turn: number;
}

/**
 * The text with the tags appended that are left and fit, and which those are. A text over 280 on its
 * own is returned as it is.
 */
export function withHashtags(text: string, tags: Hashtag[], mode: HashtagMode, state: HashtagUses): { text: string; used: string[] } {
  const present = new Set(twitterText.extractHashtags(text).map((t) => `#${t}`.toLowerCase()));
  const left = (t: Hashtag) => t.quota === undefined || (state.uses[t.tag] ?? 0) < t.quota;
  const order = mode === 'rotate' ? tags.map((_, i) => tags[(i + state.turn) % tags.length]!) : tags;
  let out = text;
  const used: string[] = [];
  for (const t of order) {
    if (!left(t) || present.has(t.tag.toLowerCase())) continue;
    const next = `${out}${out === '' || /\s$/.test(out) ? '' : ' '}${t.tag}`;
    if (!fitsTweet(next)) continue;
    out = next;
    used.push(t.tag);
    if (mode !== 'all') break;
  }
  return { text: out, used };
}
