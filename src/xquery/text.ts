/**
 * How text is compared. X: "Tokenization splits words based on punctuation, symbols, and Unicode basic
 * plane separator characters" and "all operators are case-insensitive" (docs.x.com, Search → Operators,
 * `keyword`). So a token is a run of letters, combining marks and digits, or one emoji; `кот` is a token
 * of "кот!" and "#кот" but not of "котлета".
 */
import type { Flavor } from './ast.js';

const TOKEN_RE = /[\p{L}\p{M}\p{N}]+|\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\uFE0F|\u200D\p{Extended_Pictographic})*/gu;
const WORD_CHAR_RE = /[\p{L}\p{M}\p{N}]/u;
const NON_ASCII_RE = /[^\0-\x7f]/;
const COMBINING_RE = /\p{M}/u;
const LATIN_ACCENT_RE = /(\p{Script=Latin})\p{M}+/gu;

/**
 * Lower case, NFC, and for search (not stream rules) without the accents of Latin letters: X's search
 * finds "Diacritica" for `Diacrítica`, its filtered stream does not. Only Latin accents go, so Cyrillic
 * й and ё keep theirs (folding й to и would make `мой` find "мои").
 */
export function normalize(s: string, flavor: Flavor): string {
  const lower = s.toLowerCase();
  if (!NON_ASCII_RE.test(lower)) return lower; // ASCII: nothing to compose or fold
  let out = lower.normalize('NFD');
  if (flavor === 'search' && COMBINING_RE.test(out)) out = out.replace(LATIN_ACCENT_RE, '$1');
  return out.normalize('NFC');
}

export function tokenize(s: string, flavor: Flavor): string[] {
  return normalize(s, flavor).match(TOKEN_RE) ?? [];
}

/** Whether `needle` occurs in `hay` as consecutive tokens. */
export function containsTokens(hay: string[], needle: string[]): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * Whether the (already normalised) phrase occurs in the text as written, whitespace runs counting as
 * one space, and not inside a longer word: "кот" is in "мой кот." and "#кот" but not in "котлета".
 */
export function containsPhrase(text: string, phrase: string, flavor: Flavor): boolean {
  if (!phrase) return false;
  const hay = normalize(text, flavor).replace(/\s+/gu, ' ');
  const wordAtStart = WORD_CHAR_RE.test(charAt(phrase, 0));
  const wordAtEnd = WORD_CHAR_RE.test(charBefore(phrase, phrase.length));
  for (let at = hay.indexOf(phrase); at >= 0; at = hay.indexOf(phrase, at + 1)) {
    const leftOk = !wordAtStart || !WORD_CHAR_RE.test(charBefore(hay, at));
    const rightOk = !wordAtEnd || !WORD_CHAR_RE.test(charAt(hay, at + phrase.length));
    if (leftOk && rightOk) return true;
  }
  return false;
}

function charAt(s: string, i: number): string {
  return i < s.length ? String.fromCodePoint(s.codePointAt(i)!) : '';
}

function charBefore(s: string, i: number): string {
  if (i <= 0) return '';
  const c = s.charCodeAt(i - 1);
  return c >= 0xdc00 && c <= 0xdfff && i >= 2 ? s.slice(i - 2, i) : s.slice(i - 1, i);
}

export function normalizePhrase(s: string, flavor: Flavor): string {
  return normalize(s, flavor).replace(/\s+/gu, ' ').trim();
}

// ---- entities, for tweets that do not bring their own -------------------------------------------
// Simplified from X's extraction rules (twitter-text): enough for text written by this project's
// bots and tests. A caller holding X's `entities` should pass them instead.

const HASHTAG_RE = /(?:^|[^\p{L}\p{M}\p{N}_&/])[#＃]([\p{L}\p{M}\p{N}_]*[\p{L}\p{M}][\p{L}\p{M}\p{N}_]*)/gu;
const MENTION_RE = /(?:^|[^A-Za-z0-9_!#$%&*@＠/])[@＠]([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@＠])/gu;
const CASHTAG_RE = /(?:^|[\s(])\$([A-Za-z]{1,6}(?:[._][A-Za-z]{1,2})?)(?![\p{L}\p{N}_])/gu;
const URL_RE = /\bhttps?:\/\/[^\s<>"]+|\bwww\.[^\s<>"]+/giu;

export function extractHashtags(text: string): string[] {
  return [...text.matchAll(HASHTAG_RE)].map((m) => m[1]!);
}
export function extractMentions(text: string): string[] {
  return [...text.matchAll(MENTION_RE)].map((m) => m[1]!);
}
export function extractCashtags(text: string): string[] {
  return [...text.matchAll(CASHTAG_RE)].map((m) => m[1]!);
}
export function extractUrls(text: string): string[] {
  // A sentence's closing punctuation is not part of the link.
  return [...text.matchAll(URL_RE)].map((m) => m[0].replace(/[.,!?;:)\]'"]+$/u, ''));
}

// ---- geography ----------------------------------------------------------------------------------

const EARTH_RADIUS_KM = 6371.0088;
export const KM_PER_MILE = 1.609344;

/** Great-circle distance in kilometres between two [longitude, latitude] points. */
export function distanceKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}
