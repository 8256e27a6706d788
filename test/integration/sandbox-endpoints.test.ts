import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwitterApi } from 'twitter-api-v2';
import { validateAgainst } from '../helpers/openapi.js';
import { apiError, signedFetch, startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';

/** The endpoints the retweeting and collecting kinds need, through twitter-api-v2, each body checked against X's OpenAPI. */
let sb: TestSandbox;
let masha: Creds;
let petya: Creds;
let lena: Creds;
let m: TwitterApi;
let p: TwitterApi;

beforeAll(async () => {
  sb = await startTestSandbox();
  masha = await sb.account('masha');
  petya = await sb.account('petya');
  lena = await sb.account('lena');
  m = sb.client(masha);
  p = sb.client(petya);
});
afterAll(() => sb.close());

describe('user lookup', () => {
  it('by username, by usernames, by id, by ids; a missing user is 200 with errors', async () => {
    const one = await p.v2.userByUsername('masha', { 'user.fields': ['created_at', 'public_metrics'] });
    validateAgainst('Get2UsersByUsernameUsernameResponse', one);
    expect(one.data).toMatchObject({ id: masha.id, username: 'masha' });

    const many = await p.v2.usersByUsernames(['masha', 'lena', 'nobody_here']);
    validateAgainst('Get2UsersByResponse', many);
    expect(many.data.map((u) => u.username)).toEqual(['masha', 'lena']);
    expect(many.errors?.[0]).toMatchObject({ resource_type: 'user', value: 'nobody_here' });

    const byId = await p.v2.user(lena.id);
    validateAgainst('Get2UsersIdResponse', byId);
    expect(byId.data.username).toBe('lena');
    const byIds = await p.v2.users([lena.id, petya.id]);
    validateAgainst('Get2UsersResponse', byIds);
    expect(byIds.data.map((u) => u.id)).toEqual([lena.id, petya.id]);

    const missing = await p.v2.userByUsername('ghost');
    validateAgainst('Get2UsersByUsernameUsernameResponse', missing);
    expect(missing.data).toBeUndefined();
    expect(missing.errors?.[0]?.type).toBe('https://api.twitter.com/2/problems/resource-not-found');
  });

  it('a username over 15 characters and a malformed id are 400, as on X', async () => {
    const long = await apiError(p.v2.userByUsername('a_name_of_16_chr'));
    expect(long.code).toBe(400);
    validateAgainst('Problem', long.data);
    const bad = await apiError(p.v2.user('12ab'));
    expect(bad.code).toBe(400);
  });

  it('/2/users/me takes the user expansions X allows', async () => {
    await sb.tweet('masha', 'Первый пост Маши');
    const pinned = await m.v2.me({ expansions: ['pinned_tweet_id'] });
    validateAgainst('Get2UsersMeResponse', pinned);
    // most_recent_tweet_id is newer than the library's types
    const me = await m.v2.me({ expansions: ['most_recent_tweet_id'], 'tweet.fields': ['created_at'] } as unknown as Parameters<TwitterApi['v2']['me']>[0]);
    validateAgainst('Get2UsersMeResponse', me);
    expect(me.data.most_recent_tweet_id).toBeDefined();
    expect((me as { includes?: { tweets?: Array<{ text: string }> } }).includes?.tweets?.[0]?.text).toBe('Первый пост Маши');
  });
});

describe('mentions, retweets, likes, quotes and the counts they move', () => {
  it('the mentions timeline lists posts naming the user, newest first', async () => {
    const a = await sb.tweet('petya', 'Привет, @masha! Как дела?');
    const b = await sb.tweet('lena', '@MASHA смотри, какой кот');
    await sb.tweet('lena', 'masha без собаки не упоминание');
    const tl = await p.v2.userMentionTimeline(masha.id, { 'tweet.fields': ['author_id', 'entities'], max_results: 5 });
    validateAgainst('Get2UsersIdMentionsResponse', tl.data);
    expect(tl.tweets.map((t) => t.id)).toEqual([b.id, a.id]);
    const mention = tl.tweets[1]!.entities!.mentions![0]!;
    expect(mention).toMatchObject({ username: 'masha', id: masha.id, start: 8, end: 14 });
  });

  it('v2.retweet moves retweet_count; v2.tweets shows public_metrics; retweeted_by lists the account', async () => {
    const orig = await sb.tweet('lena', 'Кошка спит на подоконнике');
    const before = await p.v2.tweets([orig.id], { 'tweet.fields': ['public_metrics'] });
    validateAgainst('Get2TweetsResponse', before);
    const rt = await p.v2.retweet(petya.id, orig.id);
    validateAgainst('UsersRetweetsCreateResponse', rt);
    expect(rt.data.retweeted).toBe(true);
    await sb.retweet('masha', orig.id);
    const after = await p.v2.tweets([orig.id], { 'tweet.fields': ['public_metrics'] });
    validateAgainst('Get2TweetsResponse', after);
    expect(after.data[0]!.public_metrics!.retweet_count).toBe(before.data[0]!.public_metrics!.retweet_count + 2);

    const by = await p.v2.tweetRetweetedBy(orig.id);
    validateAgainst('Get2TweetsIdRetweetedByResponse', by);
    expect(by.data.map((u) => u.username)).toEqual(['masha', 'petya']);

    // undoing the retweet moves it back
    await p.v2.unretweet(petya.id, orig.id);
    const undone = await p.v2.tweets([orig.id], { 'tweet.fields': ['public_metrics'] });
    expect(undone.data[0]!.public_metrics!.retweet_count).toBe(before.data[0]!.public_metrics!.retweet_count + 1);
  });

  it('replies, quotes and likes move reply_count, quote_count and like_count', async () => {
    const orig = await sb.tweet('lena', 'Какая погода в Питере?');
    const base = (await p.v2.singleTweet(orig.id, { 'tweet.fields': ['public_metrics'] })).data.public_metrics!;
    const reply = await p.v2.tweet({ text: 'Дождь, конечно', reply: { in_reply_to_tweet_id: orig.id } });
    validateAgainst('TweetCreateResponse', reply);
    const quote = await m.v2.tweet({ text: 'Вечный вопрос', quote_tweet_id: orig.id });
    const like = await m.v2.like(masha.id, orig.id);
    validateAgainst('UsersLikesCreateResponse', like);
    await sb.like('petya', orig.id);
    const now = (await p.v2.singleTweet(orig.id, { 'tweet.fields': ['public_metrics'] })).data.public_metrics!;
    expect(now.reply_count - base.reply_count).toBe(1);
    expect(now.quote_count - base.quote_count).toBe(1);
    expect(now.like_count - base.like_count).toBe(2);

    const r = await p.v2.singleTweet(reply.data.id, {
      'tweet.fields': ['referenced_tweets', 'in_reply_to_user_id', 'conversation_id'],
      expansions: ['referenced_tweets.id', 'in_reply_to_user_id'],
    });
    validateAgainst('Get2TweetsIdResponse', r);
    expect(r.data.referenced_tweets).toEqual([{ type: 'replied_to', id: orig.id }]);
    expect(r.data.in_reply_to_user_id).toBe(lena.id);
    expect(r.data.conversation_id).toBe(orig.id);
    expect(r.includes?.tweets?.[0]?.id).toBe(orig.id);

    const quotes = await p.v2.quotes(orig.id, { 'tweet.fields': ['referenced_tweets'] });
    validateAgainst('Get2TweetsIdQuoteTweetsResponse', quotes.data);
    expect(quotes.tweets.map((t) => t.id)).toEqual([quote.data.id]);
    const likers = await m.v2.tweetLikedBy(orig.id);
    validateAgainst('Get2TweetsIdLikingUsersResponse', likers);
    expect(likers.data.map((u) => u.username)).toEqual(['petya', 'masha']);
    const liked = await m.v2.userLikedTweets(masha.id);
    validateAgainst('Get2UsersIdLikedTweetsResponse', liked.data);
    expect(liked.tweets.map((t) => t.id)).toContain(orig.id);

    const unlike = await m.v2.unlike(masha.id, orig.id);
    expect(unlike.data.liked).toBe(false);
  });
});

describe('tweets as X returns them', () => {
  it('escapes & < >, wraps links as t.co with entities, and cuts long posts into note_tweet', async () => {
    const t = await sb.tweet('lena', 'Кот & пёс <3 #котики https://example.com/a/very/long/path/to/a/page @petya');
    const got = await p.v2.singleTweet(t.id, { 'tweet.fields': ['entities'] });
    validateAgainst('Get2TweetsIdResponse', got);
    expect(got.data.text).toMatch(/^Кот &amp; пёс &lt;3 #котики https:\/\/t\.co\/[A-Za-z0-9]{10} @petya$/);
    const e = got.data.entities!;
    expect(e.hashtags).toEqual([{ start: 13, end: 20, tag: 'котики' }]);
    expect(e.urls![0]).toMatchObject({ start: 21, end: 44, expanded_url: 'https://example.com/a/very/long/path/to/a/page', display_url: 'example.com/a/very/long/p…' });
    expect(e.mentions![0]).toMatchObject({ username: 'petya', id: petya.id });

    const long = 'Очень длинная заметка. '.repeat(20).trim();
    const lt = await sb.tweet('lena', long);
    const lg = await p.v2.singleTweet(lt.id, { 'tweet.fields': ['note_tweet'] });
    validateAgainst('Get2TweetsIdResponse', lg);
    expect(lg.data.text.endsWith('…')).toBe(true);
    expect([...lg.data.text].length).toBeLessThanOrEqual(280);
    expect((lg.data as { note_tweet?: { text: string } }).note_tweet?.text).toBe(long);
  });

  it('a retweet reads "RT @user: " and 140 characters of the original; the whole is in includes.tweets', async () => {
    const text = 'Я'.repeat(200);
    const orig = await sb.tweet('masha', text);
    const rt = await sb.retweet('lena', orig.id);
    const got = await p.v2.singleTweet(rt.id, { 'tweet.fields': ['referenced_tweets', 'entities'], expansions: ['referenced_tweets.id'] });
    validateAgainst('Get2TweetsIdResponse', got);
    expect(got.data.text).toBe(`RT @masha: ${'Я'.repeat(140)}…`);
    expect(got.data.referenced_tweets).toEqual([{ type: 'retweeted', id: orig.id }]);
    expect(got.includes?.tweets?.[0]?.text).toBe(text);
    expect(got.data.entities!.mentions![0]).toMatchObject({ start: 3, end: 9, username: 'masha' });
    // the admin listing shows lena's retweets
    const mine = await sb.tweets('lena');
    expect(mine[0]).toMatchObject({ id: rt.id, referenced_tweets: [{ type: 'retweeted', id: orig.id }] });
  });
});

describe('search and counts', () => {
  it('v2.search pages matches; v2.tweetCountRecent counts them per hour', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await sb.tweet('petya', `Пирог номер ${i} испечён`)).id);
    const res = await p.v2.search('пирог', { max_results: 10, 'tweet.fields': ['author_id'] });
    validateAgainst('Get2TweetsSearchRecentResponse', res.data);
    expect(res.tweets.map((t) => t.id)).toEqual(ids.slice(2).reverse());
    const next = await res.next();
    expect(next.tweets.map((t) => t.id)).toEqual(ids.slice(0, 2).reverse());

    const app = await sb.bearerClient();
    const counts = await app.v2.tweetCountRecent('пирог', { granularity: 'hour' });
    validateAgainst('Get2TweetsCountsRecentResponse', counts);
    expect(counts.meta.total_tweet_count).toBe(12);
    expect(counts.data.reduce((s, b) => s + b.tweet_count, 0)).toBe(12);
    expect(counts.data.length).toBeGreaterThanOrEqual(168);
  });
});

describe("search speaks X's query language", () => {
  it('keywords are whole tokens; operators, phrases and groups work; malformed queries are 400 with the position', async () => {
    const kot = await sb.tweet('masha', 'Мой барсик спит');
    const other = await sb.tweet('masha', 'Барсиков двое, и барсику скучно');
    const reply = await sb.tweet('lena', 'А мой барсик не спит', { reply_to: kot.id, lang: 'ru' });
    const ids = async (q: string) => (await p.v2.search(q)).tweets.map((t) => t.id);
    expect(await ids('барсик')).toEqual([reply.id, kot.id]);
    expect(await ids('барсик from:masha')).toEqual([kot.id]);
    expect(await ids('барсик is:reply')).toEqual([reply.id]);
    expect(await ids('"барсик спит"')).toEqual([kot.id]);
    expect(await ids('(барсик OR барсику) -is:reply lang:ru')).toEqual([other.id, kot.id]);
    expect(await ids('to:masha барсик')).toEqual([reply.id]);

    // seeded location and language reach lookups and the geo operators
    const moscow = await sb.tweet('petya', 'Барсик гуляет у Кремля', { coordinates: [37.6175, 55.7520], lang: 'ru' });
    const geo = await p.v2.singleTweet(moscow.id, { 'tweet.fields': ['geo', 'lang'] });
    validateAgainst('Get2TweetsIdResponse', geo);
    expect(geo.data.geo).toEqual({ coordinates: { type: 'Point', coordinates: [37.6175, 55.752] } });
    expect(await ids('барсик point_radius:[37.6 55.75 5km]')).toEqual([moscow.id]);
    expect(await ids('барсик has:geo -from:petya')).toEqual([]);

    for (const [q, pos] of [['(кот', 1], ['foo:bar', 1]] as const) {
      const e = await apiError(p.v2.search(q));
      expect(e.code, q).toBe(400);
      validateAgainst('Problem', e.data);
      expect(JSON.stringify(e.data)).toContain(`(at position ${pos})`);
    }
    const long = await apiError(p.v2.search('кот '.repeat(130).trim()));
    expect(long.code).toBe(400);
    expect(JSON.stringify(long.data)).toMatch(/exceeds the maximum of 512/);
  });
});

describe('app-only authentication', () => {
  it('appLogin() gets a bearer token that reads but cannot post; invalidated, it is refused', async () => {
    const app = await sb.bearerClient();
    const who = await app.v2.userByUsername('masha');
    expect(who.data.id).toBe(masha.id);
    const post = await apiError(app.v2.tweet('нельзя'));
    expect(post.code).toBe(403);
    validateAgainst('Problem', post.data);
    expect((post.data as { type: string }).type).toBe('https://api.twitter.com/2/problems/unsupported-authentication');

    // stream rules take the bearer token only
    const userRules = await apiError(p.v2.streamRules());
    expect(userRules.code).toBe(403);

    const token = (app as unknown as { _bearerToken?: string })._bearerToken ?? (app.getActiveTokens() as { bearerToken: string }).bearerToken;
    const basic = Buffer.from(`${sb.app.consumer_key}:${sb.app.consumer_secret}`).toString('base64');
    const inv = await fetch(`${sb.url}/oauth2/invalidate_token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: `access_token=${encodeURIComponent(token)}`,
    });
    expect(inv.status).toBe(200);
    const dead = await apiError(app.v2.userByUsername('masha'));
    expect(dead.code).toBe(401);
    // a wrong secret gets no token
    const bad = await fetch(`${sb.url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${sb.app.consumer_key}:nope`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(bad.status).toBe(401);
  });
});

describe('strict where X is strict', () => {
  it('unknown and repeated query parameters are 400', async () => {
    const unknown = await signedFetch(sb, petya, 'GET', '/2/tweets/search/recent?query=кот&foo=1');
    expect(unknown.status).toBe(400);
    validateAgainst('Problem', unknown.json());
    expect(unknown.text).toContain('The query parameter [foo] is not one of');
    const twice = await signedFetch(sb, petya, 'GET', '/2/tweets/search/recent?query=кот&max_results=10&max_results=20');
    expect(twice.status).toBe(400);
    expect(twice.text).toContain('Duplicate parameters are not allowed');
  });

  it('POST /2/tweets refuses unknown fields, text/plain bodies and media it never issued', async () => {
    const extra = await signedFetch(sb, petya, 'POST', '/2/tweets', JSON.stringify({ text: 'привет', colour: 'red' }));
    expect(extra.status).toBe(400);
    validateAgainst('Problem', extra.json());
    expect(extra.text).toContain('$.colour');
    const plain = await signedFetch(sb, petya, 'POST', '/2/tweets', JSON.stringify({ text: 'привет' }), { contentType: 'text/plain' });
    expect(plain.status).toBe(400);
    expect(plain.text).toContain('content-type of application/json');
    const media = await signedFetch(sb, petya, 'POST', '/2/tweets', JSON.stringify({ text: 'фото', media: { media_ids: ['123'] } }));
    expect(media.status).toBe(400);
    const gone = await signedFetch(sb, petya, 'POST', '/2/tweets', JSON.stringify({ text: 'ответ', reply: { in_reply_to_tweet_id: '1' } }));
    expect(gone.status).toBe(403);
  });

  it('DELETE /2/tweets/abc is 400, not 404', async () => {
    const r = await signedFetch(sb, petya, 'DELETE', '/2/tweets/abc');
    expect(r.status).toBe(400);
    validateAgainst('Problem', r.json());
  });

  it('the admin clock refuses to run more than 10 years ahead, and keeps working', async () => {
    await expect(sb.advance(1e308)).rejects.toThrow(/400.*10 years/);
    await expect(sb.advance(11 * 365 * 86_400)).rejects.toThrow(/400/);
    const ok = await sb.advance(60);
    expect(ok.offset_s).toBe(60);
    const me = await p.v2.me();
    expect(me.data.id).toBe(petya.id);
  });
});
