import { extractNouns, type Noun } from './nouns.js';
import { parseTemplate, renderTemplate, type Template } from './template.js';
import { fitsTweet } from './weight.js';

/** Tweets whose nouns a maker remembers. */
const MEMO_LIMIT = 10_000;

/** A text a template makes of one noun of a tweet. */
export interface Made {
  text: string;
  /** The noun's dictionary form. */
  noun: string;
}

/**
 * Makes the texts a template makes of tweets' nouns, in the order the nouns stand. Templates are parsed
 * and tweets analysed once per maker: a farm's writers share a handful of templates and one source's
 * tweets. Needs the dictionaries loaded (loadMorph). Texts over 280 are dropped, unless `keepTooLong`.
 */
export class TextMaker {
  private readonly templates = new Map<string, Template>();
  private readonly nouns = new Map<string, Noun[]>();

  make(template: string, tweet: string, keepTooLong: boolean): Made[] {
    let t = this.templates.get(template);
    if (!t) this.templates.set(template, (t = parseTemplate(template)));
    let nouns = this.nouns.get(tweet);
    if (!nouns) {
      // A maker may live for days (`tfctl run`): what it remembers stays bounded.
      if (this.nouns.size >= MEMO_LIMIT) this.nouns.clear();
      this.nouns.set(tweet, (nouns = extractNouns(tweet)));
    }
    const out: Made[] = [];
    for (const noun of nouns) {
      const text = renderTemplate(t, noun);
      if (text && (keepTooLong || fitsTweet(text))) out.push({ text, noun: noun.lemma });
    }
    return out;
  }
}
