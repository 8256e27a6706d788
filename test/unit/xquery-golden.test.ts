import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matches, parseQuery, XQuerySyntaxError, type Flavor, type MatchableTweet } from '../../src/xquery/index.js';

interface Case {
  source: string;
  query: string;
  flavor?: Flavor;
  note?: string;
  match?: Partial<MatchableTweet>[];
  noMatch?: Partial<MatchableTweet>[];
  error?: { column: number; message: string };
}

const golden = JSON.parse(readFileSync(new URL('../fixtures/xquery/golden.json', import.meta.url), 'utf8')) as { cases: Case[] };

const tweet = (t: Partial<MatchableTweet>): MatchableTweet => ({ id: '1', text: '', author_id: '100', author_username: 'someone', ...t });

describe('X query language: golden cases from X documentation', () => {
  it('has at least 40 cases', () => {
    const n = golden.cases.reduce((sum, c) => sum + (c.match?.length ?? 0) + (c.noMatch?.length ?? 0) + (c.error ? 1 : 0), 0);
    expect(n).toBeGreaterThanOrEqual(40);
  });

  for (const c of golden.cases) {
    const opts = { flavor: c.flavor ?? 'search' };
    if (c.error) {
      it(`${c.query} → 400 at ${c.error.column} [${c.source}]`, () => {
        let err: unknown;
        try {
          parseQuery(c.query, opts);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(XQuerySyntaxError);
        expect((err as XQuerySyntaxError).message).toContain(c.error!.message);
        expect((err as XQuerySyntaxError).column).toBe(c.error!.column);
      });
      continue;
    }
    for (const t of c.match ?? []) {
      it(`${c.query} matches ${JSON.stringify(t.text)} [${c.source}]`, () => {
        expect(matches(parseQuery(c.query, opts), tweet(t))).toBe(true);
      });
    }
    for (const t of c.noMatch ?? []) {
      it(`${c.query} does not match ${JSON.stringify(t.text)} [${c.source}]`, () => {
        expect(matches(parseQuery(c.query, opts), tweet(t))).toBe(false);
      });
    }
  }
});
