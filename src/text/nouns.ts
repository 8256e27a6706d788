import { analyze, lemmaChoice } from './morph.js';

/**
 * Picks the nouns a writer bot may use out of a tweet. It would rather miss a noun than post a bad
 * one: anything that is not plainly a common dictionary noun in lower case is left alone.
 */

export interface Noun {
  /** The word as the tweet spelled it (ё or е as written). */
  word: string;
  /** Its dictionary form: nominative singular, plural for plural-only nouns. */
  lemma: string;
  /** UTF-16 offset of the word in the tweet. */
  index: number;
}

export interface Token {
  text: string;
  index: number;
  /** First word of a sentence (capital letter expected there, proves nothing). */
  sentenceStart: boolean;
}

// URLs (with or without scheme), @mentions, #hashtags and $cashtags are someone else's words.
const SKIP = /(?:https?:\/\/|www\.)\S+|\b[\w.-]+\.(?:ru|com|org|net|рф|io|me|ly|co)(?:\/\S*)?|[@#$][\p{L}\p{N}_]+/giu;
// A word: letters, optionally joined by hyphens. Digits or Latin inside make it something else.
const WORD = /[\p{L}\p{N}_]+(?:-[\p{L}\p{N}_]+)*/gu;
const CYRILLIC_WORD = /^[а-яё]+(?:-[а-яё]+)*$/i;
// What ends a sentence between two words: terminal punctuation, a line break or an emoji.
const SENTENCE_BREAK = /[.!?…\n]|\p{Extended_Pictographic}/u;

/** Words of a tweet, skipping URLs, mentions, hashtags, cashtags, numbers, emoji and Latin words. */
export function tokenize(text: string): Token[] {
  // Blank out what is not prose, keeping offsets, so indices still point into the original text.
  const masked = text.replace(SKIP, (m) => ' '.repeat(m.length));
  const tokens: Token[] = [];
  let last = 0;
  for (const m of masked.matchAll(WORD)) {
    const sentenceStart = last === 0 || SENTENCE_BREAK.test(masked.slice(last, m.index));
    if (CYRILLIC_WORD.test(m[0])) tokens.push({ text: m[0], index: m.index, sentenceStart });
    last = m.index + m[0].length;
  }
  return tokens;
}

/**
 * Lemmas that make bad bots: nouns that mostly live inside set phrases (в ходе, по мере, за счёт,
 * в целом), measure and time words, and vague fillers. A template slot filled with them reads as noise.
 */
export const STOP_LEMMAS: ReadonlySet<string> = new Set([
  'раз', 'ряд', 'тип', 'вид', 'образ', 'случай', 'счёт', 'мера', 'ход', 'связь', 'точка', 'целое', 'итог',
  'дело', 'вещь', 'штука', 'часть', 'сторона', 'пора', 'конец', 'начало', 'помощь', 'течение', 'отношение',
  'год', 'день', 'час', 'минута', 'секунда', 'неделя', 'месяц', 'время', 'сутки', 'утро', 'вечер', 'ночь',
  'сегодня', 'тысяча', 'миллион', 'миллиард', 'рубль', 'процент', 'штук', 'количество', 'число', 'номер',
  'блин', 'чёрт', 'бог', 'господь', 'кстати', 'спасибо', 'пожалуйста', 'мнение', 'вопрос', 'ответ',
]);

const MIN_LETTERS = 3;

/**
 * The usable nouns of a tweet, in text order, one per lemma. Requires `await loadMorph()` first.
 * Skips: words capitalised mid-sentence and all-caps words (names, acronyms, shouting), proper
 * nouns even at a sentence start, words whose likeliest reading is not a noun (стали, мой), words
 * whose lemma is ambiguous (лесу: лес or леса), and the stop list.
 */
export function extractNouns(text: string): Noun[] {
  const out: Noun[] = [];
  const seen = new Set<string>();
  for (const t of tokenize(text)) {
    const noun = nounOf(t);
    if (!noun || seen.has(noun.lemma)) continue;
    seen.add(noun.lemma);
    out.push(noun);
  }
  return out;
}

function nounOf(t: Token): Noun | null {
  const word = t.text;
  if (word.replace(/-/g, '').length < MIN_LETTERS) return null;
  const lower = word.toLowerCase();
  const capitalised = word !== lower;
  if (capitalised) {
    if (!t.sentenceStart) return null;
    if (word.length > 1 && word === word.toUpperCase()) return null;
    if (word.slice(1) !== lower.slice(1)) return null; // МосКва, iPhone-style mixed case
    // At a sentence start a capital proves nothing, but a name reading (Маша, Москва) is enough to skip.
    if (analyze(word).nouns.some((l) => l.proper)) return null;
  }
  const a = analyze(lower);
  if (!a.topIsNoun) return null;
  const lemma = lemmaChoice(a.nouns);
  if (!lemma || STOP_LEMMAS.has(lemma.replace(/ё/g, 'е')) || STOP_LEMMAS.has(lemma)) return null;
  return { word, lemma, index: t.index };
}
