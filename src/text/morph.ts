import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { AzDawg, AzModule, AzMorphConfig, AzParse, AzTag } from 'az';
import { OperationalError } from '../errors.js';
import { parseWant, type NumberGram, type Want } from './grammemes.js';

/**
 * The az wrapper. az's own `inflect()` returns the first form that matches, which is often an
 * archaic, abbreviated or colloquial variant (брат → "братий", месяц → "мес"), so we walk the
 * paradigm ourselves and choose. Dictionaries load lazily, once, on the first `loadMorph()`.
 */

let az: AzModule | null = null;
let probs: AzDawg | null = null;
let loading: Promise<void> | null = null;

export function isMorphLoaded(): boolean {
  return az !== null;
}

type AzLoad = AzModule['load'];

/**
 * A replacement for az's file loader, installed only while az initialises. Two things made the
 * stock load slow (~270 ms, most of it not I/O): every one of ~6,000 tags is built twice, once more
 * with Russian grammeme names (`tag.ext`) we never read, and then deep-frozen. We hand az empty
 * Russian tags, and skip the suffix guesser's tables, which PARSE_CONFIG never uses. Files are read synchronously (nothing else runs meanwhile) but answered on a
 * microtask, because az counts pending files and would finish early on a synchronous callback.
 */
function fastLoad(buffers: Map<string, ArrayBuffer>): AzLoad {
  let internalTags: unknown[] | null = null;
  return (url, type, callback) => {
    let data: unknown;
    try {
      if (type === 'json') {
        if (url.endsWith('gramtab-opencorpora-ext.json')) {
          internalTags ??= JSON.parse(readFileSync(url.replace(/-ext\.json$/, '-int.json'), 'utf8')) as unknown[];
          data = internalTags.map(() => '');
        } else {
          data = JSON.parse(readFileSync(url, 'utf8'));
          if (url.endsWith('gramtab-opencorpora-int.json')) internalTags = data as unknown[];
        }
      } else if (/prediction-suffixes-\d\.dawg$/.test(url)) {
        // The suffix guesser's tables (2.4 MB): we parse with the dictionary only, so az gets an
        // empty DAWG (one unit, no guide) instead.
        data = new Uint32Array([1, 0, 0]).buffer;
      } else {
        const buf = readFileSync(url);
        // Small files share Node's buffer pool: copy out exactly this file's bytes.
        const ab = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength
          ? (buf.buffer as ArrayBuffer)
          : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
        buffers.set(url, ab);
        data = ab;
      }
    } catch (e) {
      queueMicrotask(() => callback(e as Error, null));
      return;
    }
    queueMicrotask(() => callback(null, data));
  };
}

/** Loads az and its OpenCorpora dictionaries. Idempotent; concurrent callers share one load. */
export function loadMorph(): Promise<void> {
  if (!loading) {
    loading = new Promise<void>((resolve, reject) => {
      const require = createRequire(import.meta.url);
      const mod = require('az') as AzModule;
      const dicts = join(dirname(require.resolve('az/package.json')), 'dicts');
      const buffers = new Map<string, ArrayBuffer>();
      const stockLoad = mod.load;
      mod.load = fastLoad(buffers);
      let settled = false;
      const fail = (err: Error) => {
        loading = null;
        reject(new OperationalError(`cannot load the az dictionaries from ${dicts}: ${err.message}`));
      };
      // az calls back once per failing file and once more when everything loaded: answer the first only.
      mod.Morph.init(dicts, (err) => {
        if (settled) return;
        settled = true;
        mod.load = stockLoad;
        if (err) return fail(err);
        // az keeps its P(tag | word) table private; we keep our own handle on the same bytes.
        const table = buffers.get(join(dicts, 'p_t_given_w.intdawg'));
        if (!table) return fail(new Error('p_t_given_w.intdawg was not read'));
        probs = mod.DAWG.fromArrayBuffer(table, 'int');
        az = mod;
        resolve();
      });
    });
  }
  return loading;
}

function morph(): AzModule {
  if (!az) throw new Error('morphology is not loaded: await loadMorph() first');
  return az;
}

// Dictionary only: az's guessers (prefix/suffix prediction) invent nouns we would then post.
// No stutter/typo repair either: "гоол" is not a word we want to decline.
const PARSE_CONFIG: AzMorphConfig = { parsers: ['Dictionary'], stutter: 0, typos: 0 };

/** Forms we never choose when the paradigm has a standard one: variants, archaisms, abbreviations. */
const NONSTANDARD = [
  'Arch', 'Abbr', 'Infr', 'Slng', 'Erro', 'Dist', 'Litr', 'Coun', 'Vpre', 'Init',
  'V-ey', 'V-oy', 'V-ej', 'V-be', 'V-en', 'V-ie', 'V-bi', 'V-sh', 'Af-p',
] as const;
/** Of those, the ones we never choose at all. */
const UNUSABLE = ['Abbr', 'Erro', 'Dist', 'Init'] as const;
const PROPER = ['Name', 'Surn', 'Patr', 'Geox', 'Orgn', 'Trad'] as const;

function has(tag: AzTag, grams: readonly string[]): boolean {
  for (const g of grams) if (tag[g]) return true;
  return false;
}

interface Form {
  word: string;
  tag: AzTag;
  /** Precomputed: tag checks dominate the uncached path otherwise. */
  nonstandard: boolean;
  unusable: boolean;
  /** P(tag | word) in OpenCorpora's corpus, looked up on first use. */
  p?: number;
}

/** One dictionary noun (lexeme) the word can be a form of. */
export interface Lexeme {
  /** paradigm + first form: identifies the lexeme. */
  key: string;
  /** Dictionary form: nominative singular (plural for plural-only nouns), standard spelling. */
  lemma: string;
  /** az's best score among the readings of the word in this lexeme (the max, not the sum: a word that
   *  is two forms of one paradigm, nomn = accs, is no likelier to be that noun), times its corpus mass. */
  score: number;
  /** Some reading of the word in this lexeme is a standard form (not a variant or archaism). */
  standard: boolean;
  /** The word's reading needed no е→ё substitution (the text spells it as the dictionary does). */
  exact: boolean;
  /** Spelling-variant grammemes of the word's reading (V-be: знанье), kept in the answer. */
  style: string[];
  proper: boolean;
  /** Number of the word's best reading: what a slot without a number keeps. */
  number: NumberGram;
  forms: Form[];
}

export interface Analysis {
  /** Noun lexemes, best first. */
  nouns: Lexeme[];
  /** Whether az's most probable reading of the word is a noun. */
  topIsNoun: boolean;
  /** The word was written with е where its dictionary spelling has ё (so its writer omits ё). */
  yoOmitted: boolean;
  /** Score, on the lexemes' scale, of the word's best reading as an abbreviation of another noun
   *  (чел: человек), 0 when it has none. We never answer for an abbreviation, but it competes. */
  abbreviation: number;
}

const paradigmForms = new Map<string, Form[]>();

function formsOf(p: AzParse): Form[] {
  const first = p.inflect(0);
  const key = `${p.paradigmIdx}:${first.word}`;
  let forms = paradigmForms.get(key);
  if (!forms) {
    forms = [];
    for (let i = 0; i < (p.formCnt ?? 0); i++) {
      const f = i === 0 ? first : p.inflect(i);
      forms.push({ word: f.word, tag: f.tag, nonstandard: has(f.tag, NONSTANDARD), unusable: has(f.tag, UNUSABLE) });
    }
    paradigmForms.set(key, forms);
  }
  return forms;
}

function lemmaOf(forms: Form[]): string {
  const pick = (pred: (t: AzTag) => boolean) => forms.find((f) => pred(f.tag) && !f.nonstandard)?.word;
  return (
    pick((t) => !!t.nomn && !!t.sing) ??
    pick((t) => !!t.nomn) ??
    forms.find((f) => !f.unusable)?.word ??
    forms[0]?.word ??
    ''
  );
}

/** Keeps unattested lexemes comparable among themselves instead of all scoring zero. */
const MASS_FLOOR = 0.05;

const STYLE = ['V-ey', 'V-oy', 'V-ej', 'V-be', 'V-en', 'V-ie', 'V-bi', 'V-sh'] as const;

const massCache = new Map<string, number>();

/**
 * How much of OpenCorpora's disambiguated corpus this lexeme accounts for: the sum over its forms of
 * P(its tag | form). az has no word frequencies; this is the nearest thing, and it tells море from мор
 * and лес from леса when both readings of a word score alike.
 */
function corpusMass(key: string, forms: Form[]): number {
  let mass = massCache.get(key);
  if (mass === undefined) {
    mass = 0;
    const seen = new Set<string>();
    for (const f of forms) {
      const k = `${f.word}:${f.tag.toString()}`;
      if (seen.has(k)) continue;
      seen.add(k);
      mass += formProbability(f);
    }
    massCache.set(key, mass);
  }
  return mass;
}

/** All noun lexemes a word can belong to, best first. The word keeps its case: capitals unlock proper nouns. */
export function analyze(word: string): Analysis {
  const parses = morph().Morph(word, PARSE_CONFIG);
  const lower = word.toLowerCase();
  const byKey = new Map<string, Lexeme>();
  const typedYo = lower.includes('ё');
  let yoOmitted = false;
  let abbreviation = 0;
  for (const p of parses) {
    if (!p.tag.NOUN || p.paradigmIdx === undefined) continue;
    // A reading as an abbreviation ("г", "чел") is not a noun we can decline reliably: it only
    // stands in the way of the word's other readings (чел is rather человек than чело).
    if (has(p.tag, UNUSABLE)) {
      const forms = formsOf(p);
      abbreviation = Math.max(abbreviation, p.score * (corpusMass(`${p.paradigmIdx}:${forms[0]?.word}`, forms) + MASS_FLOOR));
      continue;
    }
    const exact = p.word === lower;
    if (!typedYo && !exact) yoOmitted = true;
    const forms = formsOf(p);
    const key = `${p.paradigmIdx}:${forms[0]?.word}`;
    const standard = !has(p.tag, NONSTANDARD);
    const style = STYLE.filter((g) => p.tag[g]);
    const lex = byKey.get(key);
    if (lex) {
      if (p.score > lex.score) lex.number = p.tag.plur ? 'plur' : 'sing';
      lex.score = Math.max(lex.score, p.score);
      lex.standard ||= standard;
      lex.exact ||= exact;
      if (standard) lex.style = [];
    } else {
      byKey.set(key, {
        key, lemma: lemmaOf(forms), score: p.score, standard, exact,
        style: standard ? [] : style, proper: has(p.tag, PROPER), number: p.tag.plur ? 'plur' : 'sing', forms,
      });
    }
  }
  let nouns = [...byKey.values()];
  // Prefer the lexemes the word is a plain form of: "лет" is год's, not лёт's; "счастьем" is
  // счастье's, not the archaic счастие's (where it is a spelling variant).
  if (nouns.some((l) => l.exact)) nouns = nouns.filter((l) => l.exact);
  if (nouns.some((l) => l.standard)) nouns = nouns.filter((l) => l.standard);
  for (const l of nouns) l.score *= corpusMass(l.key, l.forms) + MASS_FLOOR;
  nouns.sort((a, b) => b.score - a.score);
  return { nouns, topIsNoun: !!parses[0]?.tag.NOUN, yoOmitted, abbreviation };
}

/**
 * Of several standard forms for one slot, the dictionary's first — unless the corpus never saw it
 * in that function and saw another (учители / учителя, годов / лет). P(tag | form) says how
 * ambiguous a form is, not how common, so it only separates attested from unattested.
 */
function mostUsed(forms: Form[]): Form | undefined {
  return forms.find((f) => formProbability(f) > 0) ?? forms[0];
}

function formProbability(f: Form): number {
  if (f.p === undefined) {
    const hit = probs?.findAll(`${f.word}:${f.tag.toString()}`)[0];
    f.p = hit ? (hit[1] as number) / 1_000_000 : 0;
  }
  return f.p;
}

/** Marks a slot the lexeme has two answers for and we cannot tell which (о лесе / в лесу). */
const AMBIGUOUS = Symbol('ambiguous');

/** The standard form of a lexeme for a case and number, or null when the paradigm has none or two. */
export function formOf(lex: Lexeme, want: Want): string | null {
  const form = slotForm(lex, want);
  return form === AMBIGUOUS ? null : form;
}

/** Like formOf, but tells "no such form" (null) from "two forms, no way to choose" (AMBIGUOUS). */
function slotForm(lex: Lexeme, want: Want): string | null | typeof AMBIGUOUS {
  const forms = lex.forms;
  let number: NumberGram = want.number ?? lex.number;
  // Plural-only nouns (ножницы, сутки) answer singular slots with the plural: it is the only form there is.
  if (!forms.some((f) => f.tag[number])) {
    if (number === 'sing' && forms.some((f) => f.tag.plur)) number = 'plur';
    else return null;
  }
  const tryCase = (c: string): string | null => {
    const matching = forms.filter((f) => f.tag[c] === true && !!f.tag[number] && !f.unusable);
    // The writer's variant spelling when the paradigm has it (знанье → знаньем), else the standard form.
    const styled = lex.style.length ? matching.find((f) => lex.style.every((g) => f.tag[g])) : undefined;
    return (styled ?? mostUsed(matching.filter((f) => !f.nonstandard)) ?? matching[0])?.word ?? null;
  };
  if (want.case === 'loc2') return tryCase('loc2') ?? tryCase('loct');
  if (want.case === 'gen2') return tryCase('gen2') ?? tryCase('gent');
  const form = tryCase(want.case);
  // A noun with a second locative has two prepositional forms, о лесе and в лесу, and which one a
  // slot needs depends on the preposition, which we are not told: decline (ask loc2 for "в лесу").
  // Only a standard loc2 counts: the colloquial на столу, на языку (Infr) leave столе, языке alone.
  if (want.case === 'loct' && form !== null) {
    const loc2 = forms.some((f) => f.tag.loc2 === true && !!f.tag[number] && !f.nonstandard && !f.unusable && f.word !== form);
    if (loc2) return AMBIGUOUS;
  }
  return form;
}

/** Copies the capitalisation pattern of `model` (lower, Capitalised, UPPER) onto `word`. */
export function matchCase(model: string, word: string): string {
  const letters = model.replace(/[^\p{L}]/gu, '');
  if (letters.length > 1 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()) return word.toUpperCase();
  const first = model[0] ?? '';
  if (first !== first.toLowerCase()) return word.charAt(0).toUpperCase() + word.slice(1);
  return word;
}

/**
 * ё follows the writer: one who typed "е" where the dictionary has "ё" (ребенка) gets "е" back;
 * otherwise (ребёнка, or a word with no ё to give it away: время) the dictionary spelling stands.
 */
export function dropYo(word: string): string {
  return word.replace(/ё/g, 'е').replace(/Ё/g, 'Е');
}

const cache = new Map<string, string | null>();
const CACHE_MAX = 50_000;

/**
 * Inflects a noun (any of its forms) into the wanted case and number. Null when the word is not a
 * dictionary noun, when its noun readings belong to lexemes that would give different answers
 * with no clear favourite, or when the paradigm lacks the form.
 */
export function inflect(word: string, want: Want | string): string | null {
  const w = typeof want === 'string' ? parseWant(want) : want;
  const key = `${word}\t${w.case},${w.number ?? ''}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const result = inflectUncached(word, w);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, result);
  return result;
}

/** For the benchmark: the same answer without the memo. */
export function inflectUncached(word: string, want: Want): string | null {
  if (!/^[\p{L}-]+$/u.test(word)) return null;
  const { nouns, yoOmitted, abbreviation } = analyze(word);
  const form = chooseForm(nouns, want, abbreviation);
  if (form === null) return null;
  return matchCase(word, yoOmitted ? dropYo(form) : form);
}

/** Lexemes whose answers differ need one to clearly outweigh the rest; otherwise we decline. */
const CLEAR_LEAD = 3;

export function chooseForm(nouns: Lexeme[], want: Want, abbreviation = 0): string | null {
  // An ambiguous slot competes like an answer of its own that we never give: лес's loct must not
  // leave the field to the scaffolding (леса → лесе).
  const answers: { form: string | typeof AMBIGUOUS; score: number }[] = [];
  for (const lex of nouns) {
    const form = slotForm(lex, want);
    if (form === null) continue;
    const same = answers.find((a) => a.form === form);
    if (same) same.score += lex.score;
    else answers.push({ form, score: lex.score });
  }
  if (answers.length === 0) return null;
  if (abbreviation > 0) answers.push({ form: AMBIGUOUS, score: abbreviation });
  answers.sort((a, b) => b.score - a.score);
  const [best, second] = answers;
  if (best!.form === AMBIGUOUS) return null;
  if (!second) return best!.form;
  return best!.score >= CLEAR_LEAD * second.score && best!.score > 0 ? best!.form : null;
}

/**
 * The lemma of a word's common-noun readings, or null when they point at different lemmas with no
 * clear favourite (лесу: лес or леса) — we decline rather than guess.
 */
export function lemmaChoice(nouns: Lexeme[]): string | null {
  const byLemma = new Map<string, number>();
  for (const l of nouns) {
    if (l.proper) continue;
    byLemma.set(l.lemma, Math.max(byLemma.get(l.lemma) ?? 0, l.score));
  }
  const ranked = [...byLemma].sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked;
  if (!best) return null;
  if (second && !(best[1] > 0 && best[1] >= CLEAR_LEAD * second[1])) return null;
  return best[0];
}
