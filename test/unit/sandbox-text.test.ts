import { describe, expect, it } from 'vitest';
import { Limiter } from '../../src/sandbox/limits.js';
import { State } from '../../src/sandbox/state.js';
import { renderRetweetText, renderText, tco, weightedLength } from '../../src/sandbox/text.js';

const none = () => undefined;

describe('text as X returns it', () => {
  it('t.co links are 23 characters, stable per post and URL, different across posts', () => {
    expect(tco('https://example.com', '1')).toMatch(/^https:\/\/t\.co\/[A-Za-z0-9]{10}$/);
    expect(tco('https://example.com', '1')).toBe(tco('https://example.com', '1'));
    expect(tco('https://example.com', '1')).not.toBe(tco('https://example.com', '2'));
    expect(tco('https://example.com', '1')).toHaveLength(23);
  });

  it('escapes only & < > (quotes stay), and indexes entities in code points of the unescaped text', () => {
    const r = renderText('"Ёж" & 🦔 #ёжик', '5', none);
    expect(r.text).toBe('"Ёж" &amp; 🦔 #ёжик');
    // the emoji is one code point: #ёжик starts at 9
    expect(r.entities.hashtags).toEqual([{ start: 9, end: 14, tag: 'ёжик' }]);
    expect(r.note).toBeUndefined();
  });

  it('a post over 280 weighted characters is cut to fit with … and kept whole in note_tweet', () => {
    const long = `${'слово '.repeat(60)}#конец`;
    const r = renderText(long, '7', none);
    expect(weightedLength(r.text)).toBeLessThanOrEqual(280);
    expect(r.text.endsWith('…')).toBe(true);
    expect(r.note!.text).toBe(long);
    expect(r.note!.entities.hashtags?.[0]?.tag).toBe('конец');
    expect(r.entities.hashtags).toBeUndefined(); // the hashtag is past the cut
  });

  it('a short retweet is not cut; a long one keeps 140 characters of the original', () => {
    expect(renderRetweetText('masha', 'коротко & ясно', '9', none).text).toBe('RT @masha: коротко &amp; ясно');
    const long = renderRetweetText('masha', 'б'.repeat(141), '9', none);
    expect(long.text).toBe(`RT @masha: ${'б'.repeat(140)}…`);
  });
});

describe('engagement and persistence', () => {
  it('likes, replies, quotes and retweets count once per account and follow deletions; likes, rules and the bearer token persist', () => {
    const s = new State({ seed: 1, now: () => 1_800_000_000_000 });
    const a = s.createAccount('a');
    const b = s.createAccount('b');
    const t = s.addTweet(a, 'исходный');
    expect(s.like(b, t.id)).toBe(true);
    expect(s.like(b, t.id)).toBe(false);
    const reply = s.addTweet(b, 'ответ @a', undefined, { replyTo: t.id });
    s.addTweet(b, 'цитата', undefined, { quoteOf: t.id });
    s.addTweet(b, 'RT @a: исходный', undefined, { retweetOf: t.id });
    expect(s.engagement(t.id)).toEqual({ retweets: 1, replies: 1, quotes: 1, likes: 1 });
    expect(reply.conversationId).toBe(t.id);
    expect(s.mentionsOf.get('a')).toEqual([reply]);
    s.deleteTweet(reply);
    expect(s.engagement(t.id).replies).toBe(0);
    expect(s.mentionsOf.get('a')).toEqual([]);

    s.rules = [{ id: '1', value: 'кот', tag: 'cats' }];
    s.bearer = 'AAAA-token';
    const copy = new State({ seed: 1, now: Date.now });
    copy.load(JSON.parse(JSON.stringify(s.toJSON())));
    expect(copy.engagement(t.id)).toEqual({ retweets: 1, replies: 0, quotes: 1, likes: 1 });
    expect(copy.liked.get(b.id)).toEqual([t.id]);
    expect(copy.rules).toEqual(s.rules);
    expect(copy.bearer).toBe('AAAA-token');
  });
});

describe('limiter: app-only windows and tiers without access', () => {
  it('bearer calls count in the per-app window, apart from every user', () => {
    const l = new Limiter('pro');
    const k = 'GET /2/tweets/search/recent';
    for (let i = 0; i < 450; i++) expect(l.take(k, 'app', 0, true).ok).toBe(true);
    const r = l.take(k, 'app', 0, true);
    expect(r.ok).toBe(false);
    expect(r.headers['x-rate-limit-limit']).toBe('450');
    expect(l.take(k, 'u1', 0).headers['x-rate-limit-limit']).toBe('300');
  });

  it('the filtered stream and counts are Pro only; free user lookups are 3 per 15 minutes', () => {
    expect(new Limiter('pro').enrolled('GET /2/tweets/search/stream')).toBe(true);
    expect(new Limiter('basic').enrolled('GET /2/tweets/search/stream')).toBe(false);
    expect(new Limiter('free').enrolled('GET /2/tweets/counts/recent')).toBe(false);
    const l = new Limiter('free');
    for (let i = 0; i < 3; i++) expect(l.take('GET /2/users/by/username/:username', 'u', 0).ok).toBe(true);
    expect(l.take('GET /2/users/by/username/:username', 'u', 0).ok).toBe(false);
  });
});
