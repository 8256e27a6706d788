/**
 * The bridge between stored tweets and X's query language: compiles a search query or a stream rule,
 * answering a malformed one with X's 400, and tests tweets against it.
 */
import { invalidRequest, type Reply } from './http.js';
import type { State, Tweet } from './state.js';

export interface Compiled {
  test(t: Tweet): boolean;
}

/** X's 400 for a query it cannot parse: the parser's message after X's own prefix. */
export function queryError(param: string, value: string, message: string): Reply {
  return invalidRequest({ parameters: { [param]: [value] }, message: `There were errors processing your request: ${message}` });
}

/**
 * A useful subset of X's search syntax: words and "phrases" (case-insensitive, all must match),
 * #tags, @mentions, from:user, is:retweet, lang:xx, a leading - to negate, and OR between groups.
 */
export function compile(state: State, query: string, opts: { maxLength: number; param?: string; flavor?: 'search' | 'stream' }): Compiled | Reply {
  const param = opts.param ?? 'query';
  if (query.length > opts.maxLength) return queryError(param, query, `Query length ${query.length} exceeds the maximum of ${opts.maxLength} characters`);
  const groups: Array<Array<(t: Tweet) => boolean>> = [[]];
  for (const tok of query.match(/-?"[^"]*"|\S+/g) ?? []) {
    if (tok === 'OR') {
      groups.push([]);
      continue;
    }
    const neg = tok.startsWith('-') && tok.length > 1;
    const term = neg ? tok.slice(1) : tok;
    let test: (t: Tweet) => boolean;
    const lower = term.replace(/^"|"$/g, '').toLowerCase();
    if (lower.startsWith('from:')) {
      const acc = state.account(lower.slice(5).replace(/^@/, ''));
      test = (t) => !!acc && t.authorId === acc.id;
    } else if (lower === 'is:retweet') {
      test = (t) => !!t.retweetOf;
    } else if (lower.startsWith('lang:')) {
      const lang = lower.slice(5);
      test = (t) => (/[\u0400-\u04FF]/.test(t.text) ? 'ru' : 'en') === lang;
    } else {
      test = (t) => t.text.toLowerCase().includes(lower);
    }
    groups[groups.length - 1]!.push(neg ? (t) => !test(t) : test);
  }
  return { test: (t) => groups.some((g) => g.length > 0 && g.every((f) => f(t))) };
}
