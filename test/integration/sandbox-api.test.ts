import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwitterApi } from 'twitter-api-v2';
import { rewriteAuthLink } from '../../src/x/client.js';
import { validateAgainst } from '../helpers/openapi.js';
import { apiError, signedFetch, startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
let owner: Creds;
let c: TwitterApi;

beforeAll(async () => {
  sb = await startTestSandbox({ seed: 7 });
  owner = await sb.account('owner');
  c = sb.client(owner);
});
afterAll(() => sb.close());

describe('seeded world', () => {
  it('owner exists (200 with the same creds) and follows the fixture authors', async () => {
    const again = await sb.admin<Creds>('POST', '/sandbox/accounts', { username: '@owner' });
    expect(again).toEqual(owner);
    const all = await sb.tweets();
    expect(all.length).toBeGreaterThanOrEqual(300);
    // ids are strings beyond 2^53 and increase with time
    for (let i = 1; i < all.length; i++) {
      expect(BigInt(all[i - 1]!.id) > BigInt(all[i]!.id)).toBe(true);
      expect(Date.parse(all[i - 1]!.created_at)).toBeGreaterThanOrEqual(Date.parse(all[i]!.created_at));
    }
    expect(BigInt(all[0]!.id) > 2n ** 53n).toBe(true);
    expect(all.some((t) => /[А-Яа-яЁё]/.test(t.text))).toBe(true);
  });
});

describe('v2 endpoints through twitter-api-v2, validated against openapi.json', () => {
  it('GET /2/users/me', async () => {
    const me = await c.v2.me({ 'user.fields': ['created_at', 'public_metrics'] });
    validateAgainst('Get2UsersMeResponse', me);
    expect(me.data).toMatchObject({ id: owner.id, username: 'owner' });
    expect(me.data.public_metrics!.following_count).toBe(7);
  });

  it('home timeline: followees and self, newest first, expansions, paging, since_id', async () => {
    const tl = await c.v2.homeTimeline({
      max_results: 20,
      'tweet.fields': ['author_id', 'created_at', 'public_metrics', 'referenced_tweets'],
      expansions: ['author_id'],
    });
    validateAgainst('Get2UsersIdTimelinesReverseChronologicalResponse', tl.data);
    expect(tl.meta.result_count).toBe(20);
    expect(tl.meta.next_token).toBeTruthy();
    const ids = tl.tweets.map((t) => t.id);
    expect([...ids].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1))).toEqual(ids);
    expect(tl.meta.newest_id).toBe(ids[0]);
    expect(tl.meta.oldest_id).toBe(ids[19]);
    const usernames = new Set(tl.includes.users.map((u) => u.username));
    expect(usernames.has('stranger')).toBe(false);
    for (const t of tl.tweets) expect(tl.includes.author(t)).toBeDefined();

    // the whole timeline by pages equals everything owner should see
    const expected = (await sb.tweets()).filter((t) => t.username !== 'stranger').map((t) => t.id);
    await tl.fetchLast(1000);
    expect(tl.tweets.map((t) => t.id)).toEqual(expected);

    // since_id: nothing new, then one new followee tweet
    const newest = expected[0]!;
    const none = (await c.v2.get('users/:id/timelines/reverse_chronological', { since_id: newest }, { params: { id: owner.id } })) as Record<string, unknown>;
    validateAgainst('Get2UsersIdTimelinesReverseChronologicalResponse', none);
    expect(none).toEqual({ meta: { result_count: 0 } });
    const fresh = await sb.tweet('masha_k', 'Свежий твит про погоду в Москве');
    const one = (await c.v2.get('users/:id/timelines/reverse_chronological', { since_id: newest }, { params: { id: owner.id } })) as {
      data: Array<{ id: string }>;
      meta: { result_count: number };
    };
    expect(one.data.map((t) => t.id)).toEqual([fresh.id]);
    expect(one.meta.result_count).toBe(1);
  });

  it('home timeline: 400 on max_results out of range, 403 for another user', async () => {
    const err = await apiError(c.v2.get('users/:id/timelines/reverse_chronological', { max_results: 500 }, { params: { id: owner.id } }));
    expect(err.code).toBe(400);
    expect(err.data).toEqual({
      errors: [{ parameters: { max_results: ['500'] }, message: 'The `max_results` query parameter value [500] is not between 1 and 100' }],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    });
    validateAgainst('InvalidRequestProblem', err.data);
    const masha = await sb.account('masha_k');
    const other = await apiError(c.v2.get('users/:id/timelines/reverse_chronological', {}, { params: { id: masha.id } }));
    expect(other.code).toBe(403);
    validateAgainst('Problem', other.data);
  });

  it('GET /2/users/:id/tweets', async () => {
    const lena = await sb.account('lena_reads');
    const ut = await c.v2.userTimeline(lena.id, { max_results: 5, 'tweet.fields': ['author_id', 'created_at'] });
    validateAgainst('Get2UsersIdTweetsResponse', ut.data);
    expect(ut.tweets).toHaveLength(5);
    for (const t of ut.tweets) expect(t.author_id).toBe(lena.id);
    const page2 = await ut.next();
    expect(page2.tweets[0]!.id).not.toBe(ut.tweets[0]!.id);
    const err = await apiError(c.v2.userTimeline(lena.id, { max_results: 2 }));
    expect(err.code).toBe(400);
  });

  it('POST /2/tweets (201), duplicate 403, too long 400, 280 weighted fits', async () => {
    const raw = await signedFetch(sb, owner, 'POST', '/2/tweets', JSON.stringify({ text: 'Кофе, кот и книга' }));
    expect(raw.status).toBe(201);
    validateAgainst('TweetCreateResponse', raw.json());
    expect(raw.headers.get('x-user-limit-24hour-remaining')).toMatch(/^\d+$/);
    expect(raw.headers.get('x-app-limit-24hour-limit')).toBe('10000');

    const posted = await c.v2.tweet('Сегодня в метро читал Чехова');
    validateAgainst('TweetCreateResponse', posted);
    expect(posted.data.text).toBe('Сегодня в метро читал Чехова');
    expect(BigInt(posted.data.id) > 2n ** 53n).toBe(true);

    const dup = await apiError(c.v2.tweet('Сегодня в метро читал Чехова'));
    expect(dup.code).toBe(403);
    expect(dup.data).toEqual({
      detail: 'You are not allowed to create a Tweet with duplicate content.',
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
    });
    validateAgainst('Problem', dup.data);

    // twitter-text's v3 config weighs U+0000–U+10FF (Latin, Cyrillic…) 1 and CJK/emoji 2
    const long = await apiError(c.v2.tweet('я'.repeat(281)));
    expect(long.code).toBe(400);
    validateAgainst('InvalidRequestProblem', long.data);
    expect((long.data as { errors: Array<{ message: string }> }).errors[0]!.message).toMatch(/^Your Tweet text is too long\./);
    const fits = await c.v2.tweet('ю'.repeat(280));
    expect(fits.data.id).toMatch(/^\d{19}$/);
    expect((await apiError(c.v2.tweet('日'.repeat(141)))).code).toBe(400);
    await c.v2.tweet('日'.repeat(140));
  });

  it('DELETE /2/tweets/:id, then lookup reports it missing', async () => {
    const t = await c.v2.tweet('Удалю через секунду');
    const del = await c.v2.deleteTweet(t.data.id);
    validateAgainst('TweetDeleteResponse', del);
    expect(del.data.deleted).toBe(true);
    const gone = await c.v2.singleTweet(t.data.id);
    validateAgainst('Get2TweetsIdResponse', gone);
    expect(gone.data).toBeUndefined();
    expect(gone.errors![0]).toMatchObject({ resource_id: t.data.id, type: 'https://api.twitter.com/2/problems/resource-not-found' });
    // after deletion the same text may be posted again
    await c.v2.tweet('Удалю через секунду');
    const again = await apiError(c.v2.deleteTweet(t.data.id));
    expect(again.code).toBe(404);
  });

  it('retweet and undo; the retweet shows in followers\' timelines as RT with referenced_tweets', async () => {
    const masha = await sb.account('masha_k');
    const lena = await sb.account('lena_reads');
    const orig = (await sb.tweets('lena_reads'))[3]!;
    const before = (await c.v2.singleTweet(orig.id, { 'tweet.fields': ['public_metrics'] })).data.public_metrics!.retweet_count;
    const mc = sb.client(masha);
    const rt = await mc.v2.retweet(masha.id, orig.id);
    validateAgainst('UsersRetweetsCreateResponse', rt);
    expect(rt.data.retweeted).toBe(true);
    const tl = await c.v2.homeTimeline({ max_results: 3, 'tweet.fields': ['referenced_tweets', 'author_id'] });
    const top = tl.tweets[0]!;
    expect(top.author_id).toBe(masha.id);
    expect(top.text).toBe(`RT @${lena.username}: ${orig.text}`);
    expect(top.referenced_tweets).toEqual([{ type: 'retweeted', id: orig.id }]);
    const after = (await c.v2.singleTweet(orig.id, { 'tweet.fields': ['public_metrics'] })).data.public_metrics!.retweet_count;
    expect(after).toBe(before + 1);

    const undo = await mc.v2.unretweet(masha.id, orig.id);
    validateAgainst('UsersRetweetsDeleteResponse', undo);
    expect(undo.data.retweeted).toBe(false);
    const tl2 = await c.v2.homeTimeline({ max_results: 3 });
    expect(tl2.tweets[0]!.id).not.toBe(top.id);
  });

  it('lookup by ids and by id, public_metrics that grow with the sandbox clock', async () => {
    const some = (await sb.tweets('anya_coffee')).slice(0, 3).map((t) => t.id);
    const res = await c.v2.tweets([...some, '1234567890123456789'], { 'tweet.fields': ['public_metrics', 'created_at', 'author_id'] });
    validateAgainst('Get2TweetsResponse', res);
    expect(res.data.map((t) => t.id)).toEqual(some);
    expect(res.errors![0]).toMatchObject({ resource_id: '1234567890123456789', parameter: 'ids' });
    const fresh = await c.v2.tweet('Метрики растут со временем');
    const m0 = (await c.v2.singleTweet(fresh.data.id, { 'tweet.fields': ['public_metrics'] })).data.public_metrics!;
    expect(m0.impression_count).toBe(0);
    await sb.advance(48 * 3600);
    const one = await c.v2.singleTweet(fresh.data.id, { 'tweet.fields': ['public_metrics'] });
    validateAgainst('Get2TweetsIdResponse', one);
    const m1 = one.data.public_metrics!;
    expect(m1.impression_count).toBeGreaterThan(0);
    for (const k of Object.keys(m0) as Array<keyof typeof m0>) expect(m1[k]!).toBeGreaterThanOrEqual(m0[k]!);
  });

  it('GET /2/tweets/search/recent with next_token paging', async () => {
    // the sandbox clock moved 48 h above; seeded tweets are within the 7-day window still
    const s = await c.v2.search('кофе', { max_results: 10, 'tweet.fields': ['author_id'] });
    validateAgainst('Get2TweetsSearchRecentResponse', s.data);
    expect(s.tweets.length).toBe(10);
    for (const t of s.tweets) expect(t.text.toLowerCase()).toContain('кофе');
    expect(s.meta.next_token).toBeTruthy();
    const p2 = await s.next(10);
    const ids = new Set(p2.tweets.map((t) => t.id));
    for (const t of s.tweets) expect(ids.has(t.id)).toBe(false);
    const from = await c.v2.search('from:kot_vasya -is:retweet', { max_results: 100 });
    const vasya = await sb.account('kot_vasya');
    expect(from.tweets.length).toBe((await sb.tweets('kot_vasya')).length);
    expect(from.tweets.every((t) => t.id && t.text)).toBe(true);
    void vasya;
    const none = (await c.v2.get('tweets/search/recent', { query: 'абракадабра' })) as Record<string, unknown>;
    expect(none).toEqual({ meta: { result_count: 0 } });
  });

  it('every API response carries x-rate-limit-* headers', async () => {
    const r = await c.v2.get('users/me', undefined, { fullResponse: true });
    expect(r.rateLimit).toMatchObject({ limit: 75 });
    expect(r.rateLimit!.remaining).toBeLessThan(75);
    expect(r.rateLimit!.reset).toBeGreaterThan(Date.now() / 1000);
  });
});

describe('OAuth 1.0a', () => {
  it('PIN flow: request_token → authorize page shows PIN → access_token → tokens work', async () => {
    const app = sb.appClient();
    const link = await app.generateAuthLink('oob');
    expect(link.oauth_callback_confirmed).toBe('true');
    const url = rewriteAuthLink(link.url, sb.url);
    expect(url.startsWith(sb.url + '/oauth/authenticate?oauth_token=')).toBe(true);
    const chooser = await (await fetch(url)).text();
    expect(chooser).toContain('@owner');
    const page = await fetch(url + '&username=pin_bot');
    expect(page.headers.get('content-type')).toContain('text/html');
    const pin = /<code id="pin">(\d+)<\/code>/.exec(await page.text())?.[1];
    expect(pin).toMatch(/^\d{7}$/);
    const reqClient = sb.client({ token: link.oauth_token, secret: link.oauth_token_secret } as Creds);
    const wrong = await apiError(reqClient.login('0000000'));
    expect(wrong.code).toBe(401);
    const login = await reqClient.login(pin!);
    expect(login.screenName).toBe('pin_bot');
    const me = await login.client.v2.me();
    expect(me.data).toMatchObject({ username: 'pin_bot', id: login.userId });
    const adminView = await sb.account('pin_bot');
    expect(adminView.token).toBe(login.accessToken);
    // a request token is single-use
    expect((await apiError(reqClient.login(pin!))).code).toBe(401);
  });

  it('POST /sandbox/authorize gives the PIN without the page', async () => {
    const link = await sb.appClient().generateAuthLink('oob');
    const { pin } = await sb.admin<{ pin: string }>('POST', '/sandbox/authorize', { oauth_token: link.oauth_token, username: 'owner' });
    const login = await sb.client({ token: link.oauth_token, secret: link.oauth_token_secret } as Creds).login(pin);
    expect(login.accessToken).toBe(owner.token);
  });

  it('a tampered signature, unknown token, stale timestamp or replayed nonce gets 401', async () => {
    const ok = await signedFetch(sb, owner, 'GET', '/2/users/me?user.fields=created_at');
    expect(ok.status).toBe(200);
    const unauthorized = { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' };
    const tampered = await signedFetch(sb, owner, 'GET', '/2/users/me', undefined, {
      tamper: (p) => (p.oauth_signature = p.oauth_signature!.slice(0, -4) + 'AAA='),
    });
    expect(tampered.status).toBe(401);
    expect(tampered.json()).toEqual(unauthorized);
    validateAgainst('Problem', tampered.json());
    // signature computed for another query: the query is signed
    const query = await signedFetch(sb, owner, 'GET', '/2/users/me?user.fields=created_at', undefined, {
      tamper: () => undefined,
    });
    expect(query.status).toBe(200);
    const unknown = await signedFetch(sb, { token: '1-nope', secret: 'x' }, 'GET', '/2/users/me');
    expect(unknown.status).toBe(401);
    const stale = await signedFetch(sb, owner, 'GET', '/2/users/me', undefined, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(401);
    // A replay repeats the timestamp too: a nonce need only be unique per timestamp (RFC 5849), so two
    // signings a second apart would both be fresh.
    const replay = { nonce: 'n' + Date.now(), timestamp: Math.floor(Date.now() / 1000) };
    expect((await signedFetch(sb, owner, 'GET', '/2/users/me', undefined, replay)).status).toBe(200);
    expect((await signedFetch(sb, owner, 'GET', '/2/users/me', undefined, replay)).status).toBe(401);
    expect((await signedFetch(sb, owner, 'GET', '/2/users/me', undefined, { ...replay, timestamp: replay.timestamp - 1 })).status).toBe(200);
    const noAuth = await fetch(sb.url + '/2/users/me');
    expect(noAuth.status).toBe(401);
  });

  it('the sandbox clock does not affect timestamp checks', async () => {
    await sb.advance(3600);
    expect((await signedFetch(sb, owner, 'GET', '/2/users/me')).status).toBe(200);
  });

  it('a revoked account gets 401; creating it again issues new working tokens', async () => {
    const victim = await sb.account('revoked_one');
    const vc = sb.client(victim);
    await vc.v2.me();
    await sb.revoke('revoked_one');
    const err = await apiError(vc.v2.me());
    expect(err.code).toBe(401);
    const fresh = await sb.account('revoked_one');
    expect(fresh.token).not.toBe(victim.token);
    expect((await sb.client(fresh).v2.me()).data.username).toBe('revoked_one');
  });
});

describe('bad input never crashes the server', () => {
  it('malformed JSON → 400, unknown route → 404, body over 64 KiB → 413, all problem bodies', async () => {
    const bad = await signedFetch(sb, owner, 'POST', '/2/tweets', '{"text": "без кавычки}');
    expect(bad.status).toBe(400);
    validateAgainst('InvalidRequestProblem', bad.json());
    const notObj = await signedFetch(sb, owner, 'POST', '/2/tweets', '[1,2]');
    expect(notObj.status).toBe(400);
    const noText = await signedFetch(sb, owner, 'POST', '/2/tweets', '{}');
    expect(noText.status).toBe(400);

    const nf = await fetch(sb.url + '/2/nothing/here');
    expect(nf.status).toBe(404);
    const nfBody = await nf.json();
    expect(nfBody).toEqual({ title: 'Not Found', detail: 'Not Found', type: 'about:blank', status: 404 });
    validateAgainst('Problem', nfBody);

    const big = await signedFetch(sb, owner, 'POST', '/2/tweets', JSON.stringify({ text: 'ы'.repeat(70_000) }));
    expect(big.status).toBe(413);
    validateAgainst('Problem', big.json());

    const garbage = await fetch(sb.url + '/2/tweets?ids=%E0%A4%A&max_results=' + 'x'.repeat(5000), { headers: { authorization: 'OAuth garbage' } });
    expect(garbage.status).toBe(401);
    const adminBad = await fetch(sb.url + '/sandbox/accounts', { method: 'POST', body: 'nope' });
    expect(adminBad.status).toBe(400);
    // still alive and serving
    expect((await c.v2.me()).data.username).toBe('owner');
  });
});

describe('admin: requests counters and faults', () => {
  it('counts API calls by method and path template; DELETE resets', async () => {
    await sb.resetRequests();
    await c.v2.me();
    await c.v2.get('users/:id/timelines/reverse_chronological', { max_results: 1 }, { params: { id: owner.id } });
    await c.v2.get('users/:id/timelines/reverse_chronological', { max_results: 1 }, { params: { id: owner.id } });
    await fetch(sb.url + '/sandbox/app');
    expect(await sb.requests()).toEqual({
      'GET /2/users/me': 1,
      'GET /2/users/:id/timelines/reverse_chronological': 2,
    });
  });

  it('faults: the next N calls fail with the status and X\'s body, by template or concrete path', async () => {
    await sb.fault('/2/tweets', 503, 2, 'POST');
    for (let i = 0; i < 2; i++) {
      const e = await apiError(c.v2.tweet(`fault ${i}`));
      expect(e.code).toBe(503);
      expect(e.data).toEqual({ title: 'Service Unavailable', detail: 'Service Unavailable', type: 'about:blank', status: 503 });
    }
    await c.v2.tweet('после сбоя всё работает');
    await sb.fault(`/2/users/${owner.id}/timelines/reverse_chronological`, 500);
    const e = await apiError(c.v2.get('users/:id/timelines/reverse_chronological', {}, { params: { id: owner.id } }));
    expect(e.code).toBe(500);
    await sb.fault('/2/users/me', 429);
    const rl = await apiError(c.v2.me());
    expect(rl.code).toBe(429);
    expect(rl.rateLimit?.remaining).toBe(0);
    expect((await sb.admin<{ faults: unknown[] }>('GET', '/sandbox/faults')).faults).toEqual([]);
  });
});
