import { afterEach, describe, expect, it } from 'vitest';
import { classifyXError } from '../../src/x/errors.js';
import { blockedUntil, rateStateFromLimit } from '../../src/x/limits.js';
import { validateAgainst } from '../helpers/openapi.js';
import { apiError, signedFetch, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

describe('rate limits on the free tier', () => {
  it('the 18th post within 24 h gets 429 with the reset; advancing the clock past it lets posting resume', async () => {
    sb = await startTestSandbox({ tier: 'free' });
    const bot = await sb.account('free_bot');
    const c = sb.client(bot);
    for (let i = 1; i <= 17; i++) {
      const r = await c.v2.post('tweets', { text: `пост номер ${i}` }, { fullResponse: true });
      expect(r.rateLimit?.userDay?.remaining).toBe(17 - i);
    }
    const raw = await signedFetch(sb, bot, 'POST', '/2/tweets', JSON.stringify({ text: 'пост номер 18' }));
    expect(raw.status).toBe(429);
    expect(raw.json()).toEqual({ title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 });
    validateAgainst('Problem', raw.json());
    const reset = Number(raw.headers.get('x-rate-limit-reset'));
    const now = Date.now() / 1000;
    expect(reset).toBeGreaterThan(now + 86_000);
    expect(reset).toBeLessThanOrEqual(now + 86_401);
    expect(raw.headers.get('x-user-limit-24hour-remaining')).toBe('0');
    expect(raw.headers.get('x-app-limit-24hour-remaining')).toBe('0');
    expect(raw.headers.get('retry-after')).toBeNull();

    // the gateway sees the same through twitter-api-v2 and knows when to come back
    const err = await apiError(c.v2.tweet('пост номер 18'));
    const cls = classifyXError(err);
    expect(cls.kind).toBe('rate_limited');
    expect(cls.kind === 'rate_limited' && Math.abs(cls.resetAt - reset * 1000)).toBeLessThanOrEqual(1000);
    expect(blockedUntil(rateStateFromLimit(err.rateLimit))).toBe(reset * 1000);

    await sb.advance(86_401);
    const ok = await c.v2.tweet('пост номер 18');
    expect(ok.data.text).toBe('пост номер 18');
  });

  it('home timeline: 1 call per 15 min; the per-app POST window is shared by all users', async () => {
    sb = await startTestSandbox({ tier: 'free' });
    const a = await sb.account('a_bot');
    const ca = sb.client(a);
    await ca.v2.get('users/:id/timelines/reverse_chronological', {}, { params: { id: a.id } });
    const e = await apiError(ca.v2.get('users/:id/timelines/reverse_chronological', {}, { params: { id: a.id } }));
    expect(e.code).toBe(429);
    expect(e.rateLimit).toMatchObject({ limit: 1, remaining: 0 });
    await sb.advance(901);
    await ca.v2.get('users/:id/timelines/reverse_chronological', {}, { params: { id: a.id } });

    // 17 posts spread over several users exhaust the app's day
    for (let i = 0; i < 17; i++) {
      const u = await sb.account(`u${i}`);
      await sb.client(u).v2.tweet(`привет ${i}`);
    }
    const last = await sb.account('u_last');
    const e2 = await apiError(sb.client(last).v2.tweet('привет'));
    expect(e2.code).toBe(429);
    expect(e2.rateLimit?.day?.remaining).toBe(0);
    expect(e2.rateLimit?.userDay?.remaining).toBe(17);
    const cls = classifyXError(e2);
    expect(cls.kind === 'rate_limited' && cls.resetAt).toBe(e2.rateLimit!.day!.reset * 1000);
  });

  it('pro tier: 100 posts per 15 minutes per user', async () => {
    sb = await startTestSandbox({ tier: 'pro' });
    const bot = await sb.account('pro_bot');
    for (let i = 0; i < 100; i++) {
      const r = await signedFetch(sb, bot, 'POST', '/2/tweets', JSON.stringify({ text: `п${i}` }));
      expect(r.status).toBe(201);
    }
    const r = await signedFetch(sb, bot, 'POST', '/2/tweets', JSON.stringify({ text: 'п100' }));
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('x-rate-limit-reset')) - Date.now() / 1000).toBeLessThanOrEqual(900);
    await sb.admin('POST', '/sandbox/clock', { advance: 900 });
    expect((await signedFetch(sb, bot, 'POST', '/2/tweets', JSON.stringify({ text: 'п100' }))).status).toBe(201);
  });
});

describe('rate limits of the lookup, search and stream endpoints', () => {
  it('free: the 4th user lookup in 15 minutes is 429 with the window in the headers', async () => {
    sb = await startTestSandbox({ tier: 'free' });
    const bot = await sb.account('look_bot');
    const c = sb.client(bot);
    for (let i = 0; i < 3; i++) {
      const r = await c.v2.get('users/by/username/look_bot', {}, { fullResponse: true });
      expect(r.rateLimit).toMatchObject({ limit: 3, remaining: 2 - i });
    }
    const err = await apiError(c.v2.userByUsername('look_bot'));
    expect(err.code).toBe(429);
    validateAgainst('Problem', err.data);
    expect(err.rateLimit?.remaining).toBe(0);
  });

  it('pro: app-only search counts in the app window (450), user search in the user window (300)', async () => {
    sb = await startTestSandbox();
    const bot = await sb.account('search_bot');
    const app = await sb.bearerClient();
    const asApp = await app.v2.get('tweets/search/recent', { query: 'кот' }, { fullResponse: true });
    expect(asApp.rateLimit).toMatchObject({ limit: 450, remaining: 449 });
    const asUser = await sb.client(bot).v2.get('tweets/search/recent', { query: 'кот' }, { fullResponse: true });
    expect(asUser.rateLimit).toMatchObject({ limit: 300, remaining: 299 });
    const stream = await app.v2.get('tweets/search/stream/rules', {}, { fullResponse: true });
    expect(stream.rateLimit).toMatchObject({ limit: 450, remaining: 449 });
  });
});
