import { describe, expect, it } from 'vitest';
import {
  explain,
  formatQuery,
  matches,
  matchingRules,
  parseQuery,
  QUERY_MAX_LENGTH,
  RULE_MAX_LENGTH,
  tokenize,
  XQuerySyntaxError,
  XQueryTooLongError,
  XQueryUnsupportedError,
  type MatchableTweet,
} from '../../src/xquery/index.js';

const tweet = (text: string, t: Partial<MatchableTweet> = {}): MatchableTweet => ({ id: '1', text, author_id: '100', author_username: 'someone', ...t });
const match = (q: string, text: string, t: Partial<MatchableTweet> = {}) => matches(parseQuery(q), tweet(text, t));

function errorOf(q: string, opts?: Parameters<typeof parseQuery>[1]): XQuerySyntaxError {
  try {
    parseQuery(q, opts);
  } catch (e) {
    if (e instanceof XQuerySyntaxError) return e;
    throw e;
  }
  throw new Error(`parseQuery(${JSON.stringify(q)}) did not throw`);
}

describe('tokenisation', () => {
  it('splits on punctuation, symbols and spaces, lower-cased', () => {
    expect(tokenize('I like coca-cola!', 'search')).toEqual(['i', 'like', 'coca', 'cola']);
    expect(tokenize('Кот,КОШКА;котёнок — #Ёж @user_1', 'stream')).toEqual(['кот', 'кошка', 'котёнок', 'ёж', 'user', '1']);
  });
  it('keeps emoji as tokens of their own', () => {
    expect(tokenize('hi😃there 👍🏽', 'search')).toEqual(['hi', '😃', 'there', '👍🏽']);
  });
  it('matches a Cyrillic keyword only as a whole word', () => {
    for (const text of ['кот', 'КОТ!', 'мой кот.', '«Кот»', '#кот', 'кот-воркот']) expect(match('кот', text), text).toBe(true);
    for (const text of ['котлета', 'котов', 'скот', 'котик']) expect(match('кот', text), text).toBe(false);
  });
  it('matches Latin keywords case-insensitively, and without accents only in search', () => {
    expect(match('CAFÉ', 'un cafe')).toBe(true);
    expect(matches(parseQuery('CAFÉ', { flavor: 'stream' }), tweet('un cafe'))).toBe(false);
    expect(matches(parseQuery('CAFÉ', { flavor: 'stream' }), tweet('un Café'))).toBe(true);
  });
  it('does not fold Cyrillic й or ё in search', () => {
    expect(match('мой', 'мои')).toBe(false);
    expect(match('ёж', 'ёж')).toBe(true);
  });
  it('reads an unquoted keyword with punctuation as its tokens in order', () => {
    expect(match('coca-cola', 'Coca Cola')).toBe(true);
    expect(match('coca-cola', 'cola coca')).toBe(false);
  });
  it('matches a quoted phrase as written, on word boundaries', () => {
    expect(match('"coca-cola"', 'I like Coca-Cola.')).toBe(true);
    expect(match('"coca-cola"', 'coca cola')).toBe(false);
    expect(match('"мой  кот"', 'вот мой\nкот')).toBe(true);
    expect(match('"мой кот"', 'мой котёнок')).toBe(false);
  });
});

describe('precedence and grouping', () => {
  it.each([
    ['apple OR iphone ipad', 'apple OR (iphone ipad)'],
    ['ipad iphone OR android', '(ipad iphone) OR android'],
    ['(apple OR iphone) ipad', '(apple OR iphone) ipad'],
    ['a -b OR c d', '(a -b) OR (c d)'],
    ['a (b OR (c d))', 'a (b OR (c d))'],
    ['a -(b OR c)', 'a -(b OR c)'],
  ])('%s reads as %s', (q, shown) => {
    expect(formatQuery(parseQuery(q))).toBe(shown);
  });
  it('evaluates AND before OR', () => {
    expect(match('apple OR iphone ipad', 'apple')).toBe(true);
    expect(match('apple OR iphone ipad', 'iphone')).toBe(false);
    expect(match('(apple OR iphone) ipad', 'apple')).toBe(false);
  });
  it('negates a group as a whole', () => {
    expect(match('ski -(snow OR rain)', 'ski in sun')).toBe(true);
    expect(match('ski -(snow OR rain)', 'ski in rain')).toBe(false);
  });
  it('treats lower-case or as a keyword, not the operator', () => {
    expect(match('cats or dogs', 'cats or dogs')).toBe(true);
    expect(match('cats or dogs', 'cats')).toBe(false);
  });
});

describe('syntax errors carry a 1-based column', () => {
  it.each([
    ['(кот', 1, "missing ')'"],
    ['a (b (c) d', 3, "missing ')'"],
    ['кот)', 4, "extraneous input ')'"],
    ['foo:bar', 1, "Reference to invalid operator 'foo'"],
    ['cat is:cat', 5, "Reference to invalid operator 'is:cat'"],
    ['a OR', 3, "'OR'"],
    ['OR a', 1, "'OR'"],
    ['a OR OR b', 6, "'OR'"],
    ['a ()', 4, "')'"],
    ['"unclosed phrase', 1, 'missing closing'],
    ['cat -', 5, "'-'"],
    ['cat - dog', 5, "'-'"],
    ['a AND b', 3, 'Ambiguous use of and'],
    ["don't", 4, "'''"],
    ['cat lang:', 10, 'missing a value'],
    ['cat from:bad-name!', 10, 'invalid username'],
    ['cat conversation_id:12ab', 21, 'invalid post id'],
    ['@', 1, 'no viable alternative'],
    ['cat #', 5, 'no viable alternative'],
    ['cat @this_name_is_too_long', 5, 'invalid username'],
    ['   ', 1, 'empty query'],
    ['cat lang:en OR has:links', 16, 'standalone'],
    ['cat OR -dog', 8, 'non-negation'],
  ])('%j → column %i', (q, column, words) => {
    const e = errorOf(q);
    expect(e.column).toBe(column);
    expect(e.message).toContain(words);
    expect(e.message).toMatch(new RegExp(`\\(at position ${column}\\)$`));
  });
  it('names X operators it cannot evaluate with their own error class', () => {
    expect(errorOf('cat place_country:US')).toBeInstanceOf(XQueryUnsupportedError);
    expect(errorOf('cat place_country:US').column).toBe(5);
  });
});

describe('length limits', () => {
  it('accepts a query of exactly the limit and refuses one character more', () => {
    const q = (n: number) => `cat ${'x'.repeat(n - 4)}`;
    expect(() => parseQuery(q(512))).not.toThrow();
    const e = errorOf(q(513));
    expect(e).toBeInstanceOf(XQueryTooLongError);
    expect(e.column).toBe(513);
  });
  it('applies the caller’s tier limit', () => {
    const q = `cat ${'x'.repeat(1000)}`;
    expect(errorOf(q, { maxLength: QUERY_MAX_LENGTH.basic })).toBeInstanceOf(XQueryTooLongError);
    expect(() => parseQuery(q, { maxLength: RULE_MAX_LENGTH.pro })).not.toThrow();
    expect(() => parseQuery(q, { maxLength: QUERY_MAX_LENGTH.enterprise })).not.toThrow();
  });
  it('publishes X’s figures per tier', () => {
    expect(QUERY_MAX_LENGTH).toEqual({ free: 512, basic: 512, pro: 512, enterprise: 4096 });
    expect(RULE_MAX_LENGTH).toEqual({ free: 512, basic: 512, pro: 1024, enterprise: 2048 });
  });
});

describe('operators', () => {
  it('derives hashtags, mentions, cashtags and links from the text when the tweet has none', () => {
    expect(match('#Котики', 'смотрите #котики!')).toBe(true);
    expect(match('@Bob', 'hi @bob.')).toBe(true);
    expect(match('cat @bob', 'cat bob@example.com')).toBe(false);
    expect(match('$gme', 'buy $GME now')).toBe(true);
    expect(match('cat has:links', 'cat https://example.com/x.')).toBe(true);
    expect(match('cat has:links', 'cat example')).toBe(false);
  });
  it('accepts a digits-only hashtag, which matches nothing, as X extracts no such tag', () => {
    expect(match('#2024', '#2024 was a year')).toBe(false);
    expect(match('#2024 OR year', '#2024 was a year')).toBe(true);
  });
  it('prefers the entities a tweet brings', () => {
    expect(match('#a', 'no tags in text', { hashtags: ['A'] })).toBe(true);
    expect(match('#a', '#a in text', { hashtags: [] })).toBe(false);
  });
  it('finds the retweeted author from "RT @user:" when the reference lacks it', () => {
    expect(match('retweets_of:Bob', 'RT @bob: hi', { referenced_tweets: [{ type: 'retweeted', id: '5' }] })).toBe(true);
    expect(match('retweets_of:Bob', 'RT @bob: hi')).toBe(false);
  });
  it('is:reply holds for a reply known only by its in_reply_to_user_id', () => {
    expect(match('cat is:reply', '@a cat', { in_reply_to_user_id: '5' })).toBe(true);
    expect(match('cat -is:reply', '@a cat', { in_reply_to_user_id: '5' })).toBe(false);
  });
  it('matches point_radius by distance', () => {
    expect(match('point_radius:[37.6173 55.7558 10km]', 'x', { coordinates: [37.62, 55.76] })).toBe(true);
    expect(match('point_radius:[37.6173 55.7558 10km]', 'x', { coordinates: [37.9, 55.76] })).toBe(false); // ~18 km east
    expect(match('point_radius:[37.6173 55.7558 10mi]', 'x', { coordinates: [37.9, 55.76] })).toBe(false); // 10 mi = 16 km
    expect(match('point_radius:[37.6173 55.7558 12mi]', 'x', { coordinates: [37.9, 55.76] })).toBe(true);
  });
  it('accepts lang: in any case', () => {
    expect(match('cat lang:RU', 'cat', { lang: 'ru' })).toBe(true);
  });
});

describe('explain', () => {
  const q = parseQuery('cat -is:retweet (dog OR #pets)');
  it('names the clause that failed', () => {
    const r = explain(q, tweet('a cat and a bird'));
    expect(r.matched).toBe(false);
    expect(r.reason).toBe('no match: dog failed (no word dog in the text); #pets failed (hashtags: none)');
  });
  it('names the branch that held', () => {
    const r = explain(q, tweet('a cat and a bird #Pets'));
    expect(r).toEqual({ matched: true, reason: expect.stringContaining('#pets held (hashtags: pets)') });
    expect(r.reason).toMatch(/^matched: cat held/);
  });
  it('explains a negation that failed', () => {
    const r = explain(q, tweet('RT @a: cat dog', { referenced_tweets: [{ type: 'retweeted', id: '5' }] }));
    expect(r.matched).toBe(false);
    expect(r.reason).toContain('-is:retweet failed');
  });
  it('agrees with matches()', () => {
    for (const text of ['cat dog', 'cat', 'dog #pets', 'cat #pets']) expect(explain(q, tweet(text)).matched).toBe(matches(q, tweet(text)));
  });
});

describe('matchingRules', () => {
  it('returns the rules a tweet matches, in order, each with its own flavor', () => {
    const rules = [
      { id: '1', query: parseQuery('café', { flavor: 'stream' }) },
      { id: '2', query: parseQuery('café') },
      { id: '3', query: parseQuery('cafe -is:retweet', { flavor: 'stream' }) },
      { id: '4', query: parseQuery('tea') },
    ];
    expect(matchingRules(rules, tweet('un cafe')).map((r) => r.id)).toEqual(['2', '3']);
    expect(matchingRules(rules, tweet('un café')).map((r) => r.id)).toEqual(['1', '2']);
    expect(matchingRules(rules, tweet('nothing'))).toEqual([]);
  });
});

describe('robustness', () => {
  // A fixed-seed generator: the same 3,000 queries every run.
  let seed = 20261129;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const pieces = ['кот', 'cat', 'OR', 'AND', '(', ')', '-', '"мой кот"', '"', '#tag', '@bob', '$gme', 'from:bob', 'is:retweet', 'has:links',
    'lang:ru', 'foo:bar', "'", '[', 'point_radius:[37.6 55.7 5km]', 'bounding_box:[37.5 55.7 37.6 55.8]', 'url:"t.co"', '😃', '-is:nullcast', ':', '#'];
  const queries = Array.from({ length: 3000 }, () => {
    const n = 1 + rand(7);
    return Array.from({ length: n }, () => pieces[rand(pieces.length)]!).join(rand(4) === 0 ? '' : ' ');
  });
  const sample = [tweet('мой кот #tag @bob $GME https://t.co/a', { lang: 'ru', author_username: 'bob', coordinates: [37.55, 55.75] }), tweet('cat 😃')];

  it('either parses or throws XQuerySyntaxError, never anything else', () => {
    let parsed = 0;
    for (const q of queries) {
      try {
        parseQuery(q);
        parsed++;
      } catch (e) {
        expect(e, q).toBeInstanceOf(XQuerySyntaxError);
        const col = (e as XQuerySyntaxError).column;
        expect(col >= 1 && col <= q.length + 1, `${q}: column ${col}`).toBe(true);
      }
    }
    expect(parsed).toBeGreaterThan(300); // the generator does make valid queries too
  });

  it('formatQuery gives a query that reads and matches the same', () => {
    for (const q of queries) {
      let parsed;
      try {
        parsed = parseQuery(q);
      } catch {
        continue;
      }
      const again = parseQuery(formatQuery(parsed));
      expect(formatQuery(again), q).toBe(formatQuery(parsed));
      for (const t of sample) expect(matches(again, t), `${q} on ${t.text}`).toBe(matches(parsed, t));
    }
  });
});
