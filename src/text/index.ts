/**
 * What a writer bot (and `tfctl preview`) needs from the text engine, in one place:
 * parse a template once, then `compose` it with a tweet to get the texts it could post.
 */
import { loadMorph } from './morph.js';
import { extractNouns, type Noun } from './nouns.js';
import { parseTemplate, renderDetailed, type Template } from './template.js';
import { fitsTweet, weightedLength } from './weight.js';

export { loadMorph, inflect, isMorphLoaded } from './morph.js';
export { extractNouns, tokenize, STOP_LEMMAS, type Noun, type Token } from './nouns.js';
export { parseTemplate, renderTemplate, renderDetailed, type Template, type SlotPart, type Rendered } from './template.js';
export { fitsTweet, weightedLength, MAX_WEIGHTED_LENGTH } from './weight.js';
export { parseWant, type Want, type Case, type NumberGram } from './grammemes.js';

export interface Candidate {
  text: string;
  noun: Noun;
  /** The form put in each slot, in template order. */
  forms: string[];
  weightedLength: number;
}

export type Skip = { noun: Noun; reason: 'no-form' | 'too-long' | 'already-posted'; text?: string };

export interface ComposeOptions {
  /** True for a text this bot has already posted: such candidates are skipped. */
  alreadyPosted?: (text: string) => boolean;
}

export interface Composition {
  nouns: Noun[];
  candidates: Candidate[];
  skipped: Skip[];
}

/** Every text the template makes from the tweet's nouns, in the nouns' order, with why others were dropped. */
export async function composeDetailed(template: Template | string, tweetText: string, opts: ComposeOptions = {}): Promise<Composition> {
  const t = typeof template === 'string' ? parseTemplate(template) : template;
  await loadMorph();
  const nouns = extractNouns(tweetText);
  const candidates: Candidate[] = [];
  const skipped: Skip[] = [];
  for (const noun of nouns) {
    const r = renderDetailed(t, noun);
    if (!r) skipped.push({ noun, reason: 'no-form' });
    else if (!fitsTweet(r.text)) skipped.push({ noun, reason: 'too-long', text: r.text });
    else if (opts.alreadyPosted?.(r.text)) skipped.push({ noun, reason: 'already-posted', text: r.text });
    else candidates.push({ text: r.text, noun, forms: r.forms, weightedLength: weightedLength(r.text) });
  }
  return { nouns, candidates, skipped };
}

/** The texts the template makes from the tweet's nouns, in order, skipping over-long and already posted ones. */
export async function compose(template: Template | string, tweetText: string, opts: ComposeOptions = {}): Promise<Candidate[]> {
  return (await composeDetailed(template, tweetText, opts)).candidates;
}
