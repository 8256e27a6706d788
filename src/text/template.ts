import { UsageError } from '../errors.js';
import { GrammemeError, parseWant, type Want } from './grammemes.js';
import { inflect } from './morph.js';
import type { Noun } from './nouns.js';

/**
 * The template language (architecture note §5). Every slot stands for the same noun:
 *   %s  {}  {0}  {noun}       the dictionary form (nominative singular; plural-only nouns stay plural)
 *   {noun:CASE[,NUMBER]}      a form: gent,plur / род,мн / loc2 (в лесу) …; without NUMBER the noun keeps its own
 *   {Noun…}                   the same, capitalised; a slot that starts a sentence is capitalised anyway
 *   {{  }}  %%                literal braces and percent sign; a % before anything else is literal too
 */

export interface TextPart {
  kind: 'text';
  text: string;
}

export interface SlotPart {
  kind: 'slot';
  /** The slot as written, for messages and previews. */
  source: string;
  /** 1-based column of the slot in the template. */
  column: number;
  /** Null: the dictionary form. */
  want: Want | null;
  capitalise: boolean;
}

export type Part = TextPart | SlotPart;

export interface Template {
  source: string;
  parts: Part[];
  slots: SlotPart[];
}

const DICTIONARY: Want = { case: 'nomn', number: 'sing' };

function fail(message: string): never {
  throw new UsageError(`template: ${message}`);
}

/** Parses and validates a template; throws UsageError pointing at the bad slot. */
export function parseTemplate(src: string): Template {
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  const flush = () => {
    if (text) parts.push({ kind: 'text', text });
    text = '';
  };
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '%') {
      if (next === '%') {
        text += '%';
        i += 2;
      } else if (next === 's') {
        flush();
        parts.push(slot('%s', i, null, false, parts));
        i += 2;
      } else {
        text += c;
        i += 1;
      }
    } else if (c === '{') {
      if (next === '{') {
        text += '{';
        i += 2;
        continue;
      }
      const close = src.indexOf('}', i + 1);
      const open = src.indexOf('{', i + 1);
      if (close < 0 || (open >= 0 && open < close)) fail(`unclosed slot "${src.slice(i, open >= 0 ? open : undefined)}" at column ${i + 1}`);
      const source = src.slice(i, close + 1);
      flush();
      parts.push(parseSlot(source, i, parts));
      i = close + 1;
    } else if (c === '}') {
      if (next === '}') {
        text += '}';
        i += 2;
      } else {
        fail(`stray "}" at column ${i + 1} (write "}}" for a literal brace)`);
      }
    } else {
      text += c;
      i += 1;
    }
  }
  flush();
  const slots = parts.filter((p): p is SlotPart => p.kind === 'slot');
  if (slots.length === 0) fail('no slot for the noun: use %s, {}, {0} or {noun:CASE[,NUMBER]}');
  return { source: src, parts, slots };
}

function parseSlot(source: string, at: number, before: Part[]): SlotPart {
  const inner = source.slice(1, -1).trim();
  const where = `in slot ${source} at column ${at + 1}`;
  if (inner === '' || inner === '0') return slot(source, at, null, false, before);
  if (/^\d+$/.test(inner)) fail(`slot ${source} at column ${at + 1}: every slot is the same noun, only {0} is allowed`);
  const m = /^(noun|Noun|NOUN)\s*(?::(.*))?$/.exec(inner);
  if (!m) fail(`unknown slot ${source} at column ${at + 1} (expected {noun:CASE[,NUMBER]}, {Noun:…}, {} or %s)`);
  const capitalise = m[1] !== 'noun';
  if (m[2] === undefined) return slot(source, at, null, capitalise, before);
  if (m[2].trim() === '') fail(`missing grammemes ${where}`);
  try {
    return slot(source, at, parseWant(m[2]), capitalise, before);
  } catch (e) {
    if (e instanceof GrammemeError) fail(`${e.message} ${where}`);
    throw e;
  }
}

function slot(source: string, at: number, want: Want | null, capitalise: boolean, before: Part[]): SlotPart {
  return { kind: 'slot', source, column: at + 1, want, capitalise: capitalise || startsSentence(before) };
}

/** Nothing but quotes, brackets and spaces since the start or since . ! ? … or a line break. */
function startsSentence(before: Part[]): boolean {
  const last = before[before.length - 1];
  if (!last) return true;
  if (last.kind === 'slot') return false;
  const tail = last.text.replace(/[\s«»"“”„'(\[—–-]+$/u, '');
  return tail === '' ? before.length === 1 : /[.!?…\n]$/.test(tail) || /\n\s*$/.test(last.text);
}

export interface Rendered {
  text: string;
  /** The form put in each slot, in order. */
  forms: string[];
}

/** Like renderTemplate, with the form chosen for each slot. */
export function renderDetailed(t: Template, noun: Noun | string): Rendered | null {
  // The tweet's capitalisation (sentence start) is not the noun's; slots decide their own.
  const word = (typeof noun === 'string' ? noun : noun.word).toLowerCase();
  let text = '';
  const forms: string[] = [];
  for (const p of t.parts) {
    if (p.kind === 'text') {
      text += p.text;
      continue;
    }
    let form = inflect(word, p.want ?? DICTIONARY);
    if (form === null) return null;
    if (p.capitalise) form = form.charAt(0).toUpperCase() + form.slice(1);
    forms.push(form);
    text += form;
  }
  return { text, forms };
}

/**
 * Fills every slot with the noun in the form it asks for. Null when some form cannot be produced
 * (the word is not a dictionary noun, its lemma is ambiguous, or it lacks the form).
 * Requires `await loadMorph()` first.
 */
export function renderTemplate(t: Template, noun: Noun | string): string | null {
  return renderDetailed(t, noun)?.text ?? null;
}
