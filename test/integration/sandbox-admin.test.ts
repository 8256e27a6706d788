import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyXError } from '../../src/x/errors.js';
import { createXClient } from '../../src/x/client.js';
import { freePort } from '../helpers/redis.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.close());

describe('admin API', () => {
  it('accounts: 201 then 200 with the same creds; bad names 400; unknown admin call 404', async () => {
    const res = await fetch(`${sb.url}/sandbox/accounts`, { method: 'POST', body: '{"username":"fresh"}' });
    expect(res.status).toBe(201);
    const created = await res.json();
    const again = await fetch(`${sb.url}/sandbox/accounts`, { method: 'POST', body: '{"username":"@fresh"}' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(created);
    expect((await fetch(`${sb.url}/sandbox/accounts`, { method: 'POST', body: '{"username":"no spaces"}' })).status).toBe(400);
    expect((await fetch(`${sb.url}/sandbox/nothing`)).status).toBe(404);
  });

  it('follows drive the home timeline; unfollow removes them; tweets listed newest first', async () => {
    const reader = await sb.account('reader');
    await sb.account('author');
    await sb.follow('reader', 'author');
    const t1 = await sb.tweet('author', 'первый');
    const t2 = await sb.tweet('author', 'второй');
    expect((await sb.tweets('author')).map((t) => t.id)).toEqual([t2.id, t1.id]);
    expect(t2).toMatchObject({ username: 'author', text: 'второй', edit_history_tweet_ids: [t2.id] });
    const c = sb.client(reader);
    const tl = await c.v2.get('users/:id/timelines/reverse_chronological', {}, { params: { id: reader.id } }) as { data: Array<{ id: string }> };
    expect(tl.data.map((t) => t.id)).toEqual([t2.id, t1.id]);
    await sb.admin('DELETE', '/sandbox/follows', { follower: 'reader', followee: 'author' });
    const empty = await c.v2.get('users/:id/timelines/reverse_chronological', {}, { params: { id: reader.id } });
    expect(empty).toEqual({ meta: { result_count: 0 } });
    await expect(sb.follow('reader', 'ghost')).rejects.toThrow(/404/);
  });

  it('limits, tier switch and reset', async () => {
    const a = await sb.account('limited');
    await sb.client(a).v2.me();
    const limits = await sb.admin<Record<string, { limit: number; remaining: number }>>('GET', '/sandbox/limits?username=limited');
    expect(limits['GET /2/users/me']).toMatchObject({ limit: 75, remaining: 74 });
    await sb.admin('POST', '/sandbox/tier', { tier: 'basic' });
    const basic = await sb.admin<Record<string, { limit: number }>>('GET', '/sandbox/limits?username=limited');
    expect(basic['GET /2/users/me']!.limit).toBe(250);
    await expect(sb.admin('POST', '/sandbox/tier', { tier: 'enterprise' })).rejects.toThrow(/400/);
    await sb.admin('POST', '/sandbox/reset', { seed: false });
    expect(await sb.tweets()).toEqual([]);
    expect(await sb.admin('GET', '/sandbox/accounts')).toEqual([]);
    await sb.admin('POST', '/sandbox/reset', {});
    expect((await sb.tweets()).length).toBeGreaterThanOrEqual(300);
    const clock = await sb.advance(10);
    expect(clock.offset_s).toBe(10);
  });
});

describe('gateway against a dead origin', () => {
  it('a refused connection is classified transient', async () => {
    const port = await freePort();
    const c = createXClient({ apiBase: `http://127.0.0.1:${port}`, appKey: 'k', appSecret: 's', accessToken: 't', accessSecret: 'u' });
    const err = await c.v2.me().catch((e: unknown) => e);
    expect(classifyXError(err)).toMatchObject({ kind: 'transient', reason: expect.stringMatching(/ECONNREFUSED/) });
  });
});
