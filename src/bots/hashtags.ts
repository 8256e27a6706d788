import { UsageError } from '../errors.js';
import type { RedisClient } from '../store/client.js';
import type { Bot } from '../store/bot-record.js';
import type { SettleStep } from '../store/posts.js';
import type { Hashtag, HashtagMode, HashtagUses } from '../text/hashtags.js';
import { setting, type Setting, type ValueType } from './settings.js';

/**
 * The `hashtags` setting of writers and schedulers: tags appended to each post (src/text/hashtags.ts
 * fits them), each optionally with a quota (`#ad:10`: at most 10 uses), and a mode. Uses are counted in
 * the bot's own `hashtags` hash, moved by the post's own bookkeeping (a Settle step), so a crash never
 * spends a use without a post or the reverse. This module stays light: it is read by every command.
 */

export type { Hashtag, HashtagMode };
export const HASHTAG_MODES: readonly HashtagMode[] = ['all', 'one', 'rotate'];

/** The bot's own key (Keys.own suffix) counting uses per tag, and posts for rotate's turn. */
export const HASHTAG_KEY = 'hashtags';
/** The field of that hash that counts posts with tags (no hashtag can be called that). */
export const TURN_FIELD = ':turn';

export function parseHashtags(raw: string, what = 'hashtags'): Hashtag[] {
  const out: Hashtag[] = [];
  const seen = new Set<string>();
  for (const item of raw.split(/[\s,]+/).filter((x) => x !== '')) {
    const m = /^(#[^\s#:]+)(?::(\d{1,6}))?$/u.exec(item);
    if (!m) throw new UsageError(`invalid hashtag "${item}" in ${what}: use #word or #word:N (N = at most N uses)`);
    if (seen.has(m[1]!.toLowerCase())) continue;
    seen.add(m[1]!.toLowerCase());
    out.push(m[2] !== undefined ? { tag: m[1]!, quota: Number(m[2]) } : { tag: m[1]! });
  }
  if (out.length === 0) throw new UsageError(`${what} must name at least one hashtag, e.g. "#котики:2 #пятница"`);
  return out;
}

export const formatHashtags = (tags: Hashtag[]): string => tags.map((t) => (t.quota !== undefined ? `${t.tag}:${t.quota}` : t.tag)).join(' ');

const hashtags: ValueType<Hashtag[]> = {
  type: 'hashtags',
  async parse(raw, what) {
    const tags = parseHashtags(raw, what);
    // twitter-text decides what X links as a hashtag; loaded only when a value is set.
    const bad = (await import('../text/hashtags.js')).unlinked(tags);
    if (bad.length) throw new UsageError(`invalid hashtag "${bad[0]}" in ${what}: X would not link it (a tag needs a letter and no punctuation)`);
    return tags;
  },
  encode: formatHashtags,
  decode: (f) => (f ? parseHashtags(f) : []),
  show: formatHashtags,
};

const hashtagMode: ValueType<HashtagMode> = {
  type: HASHTAG_MODES.join('|'),
  parse(raw, what) {
    const v = raw.trim().toLowerCase();
    if (!(HASHTAG_MODES as readonly string[]).includes(v)) throw new UsageError(`invalid ${what} "${raw}": use ${HASHTAG_MODES.join(', ')}`);
    return v as HashtagMode;
  },
  encode: (v) => v,
  decode: (f) => f as HashtagMode,
};

export const HASHTAG_SETTINGS: readonly Setting[] = [
  setting({ key: 'hashtags', prop: 'hashtags', field: 'hashtags', value: hashtags, arg: '<tags>', help: 'hashtags appended while the text fits 280, e.g. "#котики:2 #пятница" (:N = at most N uses)' }),
  setting({ key: 'hashtag-mode', prop: 'hashtagMode', field: 'hashtag_mode', value: hashtagMode, arg: '<mode>', help: 'all (every tag left: the default), one (the first left) or rotate (one per post, taking turns)' }),
];

export interface HashtagSettings {
  hashtags: Hashtag[];
  hashtagMode: HashtagMode;
}

export function hashtagSettings(bot: Bot): HashtagSettings {
  const s = bot.settings;
  return { hashtags: Array.isArray(s.hashtags) ? (s.hashtags as Hashtag[]) : [], hashtagMode: (s.hashtagMode as HashtagMode | undefined) ?? 'all' };
}

/** Uses so far per tag and rotate's turn, from the bot's hashtag hash (`key`). */
export async function hashtagUses(redis: RedisClient, key: string): Promise<HashtagUses> {
  return usesOf(await redis.hgetall(key));
}

/** Uses so far per tag and rotate's turn, from the hashtag hash's fields. */
export function usesOf(h: Record<string, string>): HashtagUses {
  const uses: Record<string, number> = {};
  for (const [f, v] of Object.entries(h)) if (f !== TURN_FIELD) uses[f] = Number(v);
  return { uses, turn: Number(h[TURN_FIELD] ?? 0) };
}

/** Settle steps spending one use of each tag, and one turn, in the hash at `index` of the Settle's keys. */
export function hashtagSteps(index: number, tags: string[]): SettleStep[] {
  if (tags.length === 0) return [];
  return [...tags.map((t): SettleStep => ['HINCRBY', index, t, 1]), ['HINCRBY', index, TURN_FIELD, 1]];
}

/** Counts a post made in this tick, so the next one in the same tick sees the quota spent. */
export function spend(state: HashtagUses, tags: string[]): void {
  if (tags.length === 0) return;
  for (const t of tags) state.uses[t] = (state.uses[t] ?? 0) + 1;
  state.turn++;
}
