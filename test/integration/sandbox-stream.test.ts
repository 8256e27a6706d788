import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ETwitterStreamEvent, type TweetStream, type TweetV2SingleStreamResult, type TwitterApi } from 'twitter-api-v2';
import { validateAgainst } from '../helpers/openapi.js';
import { apiError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/** The filtered stream and its rules through twitter-api-v2's bearer client, as a collector would use them. */
let sb: TestSandbox;
let app: TwitterApi;

beforeAll(async () => {
  sb = await startTestSandbox({ keepAliveMs: 200 });
  await sb.account('masha');
  await sb.account('petya');
  app = await sb.bearerClient();
});
afterAll(() => sb.close());

/** Resolves with the next event of a kind, or rejects after `ms`. */
function next<T = unknown>(stream: TweetStream, event: ETwitterStreamEvent, ms = 1000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    stream.once(event, (v: T) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

describe('stream rules', () => {
  it('adds rules with ids and tags, lists them, refuses duplicates and malformed rules, deletes by id', async () => {
    const dry = await app.v2.updateStreamRules({ add: [{ value: 'кот', tag: 'cats' }] }, { dry_run: true });
    validateAgainst('AddOrDeleteRulesResponse', dry);
    expect(dry.meta.summary).toMatchObject({ created: 1, valid: 1 });
    expect((await app.v2.streamRules()).data).toBeUndefined();

    const added = await app.v2.updateStreamRules({ add: [{ value: 'кот', tag: 'cats' }, { value: 'пёс' }] });
    validateAgainst('AddOrDeleteRulesResponse', added);
    expect(added.data.map((r) => r.value)).toEqual(['кот', 'пёс']);
    for (const r of added.data) expect(r.id).toMatch(/^\d{1,19}$/);

    const list = await app.v2.streamRules();
    validateAgainst('RulesLookupResponse', list);
    expect(list.data.map((r) => [r.value, r.tag])).toEqual([['кот', 'cats'], ['пёс', undefined]]);

    const dup = await app.v2.updateStreamRules({ add: [{ value: 'кот' }] });
    validateAgainst('AddOrDeleteRulesResponse', dup);
    expect(dup.errors?.[0]).toMatchObject({ title: 'DuplicateRule', id: added.data[0]!.id });

    const bad = await apiError(app.v2.updateStreamRules({ add: [{ value: 'x'.repeat(1025) }, { value: 'лиса' }] }));
    expect(bad.code).toBe(400);
    validateAgainst('AddOrDeleteRulesResponse', bad.data);
    expect((bad.data as { meta: { summary: { created: number; invalid: number } } }).meta.summary).toMatchObject({ created: 0, invalid: 1 });
    expect((await app.v2.streamRules()).data).toHaveLength(2);

    const del = await app.v2.updateStreamRules({ delete: { ids: [added.data[1]!.id] } });
    validateAgainst('AddOrDeleteRulesResponse', del);
    expect(del.meta.summary).toMatchObject({ deleted: 1, not_deleted: 0 });
    expect((await app.v2.streamRules()).data.map((r) => r.value)).toEqual(['кот']);
  });

  it('free and basic tiers have no filtered stream (403 client-not-enrolled)', async () => {
    await sb.admin('POST', '/sandbox/tier', { tier: 'basic' });
    try {
      const e = await apiError(app.v2.streamRules());
      expect(e.code).toBe(403);
      validateAgainst('Problem', e.data);
      expect((e.data as { reason: string }).reason).toBe('client-not-enrolled');
    } finally {
      await sb.admin('POST', '/sandbox/tier', { tier: 'pro' });
    }
  });
});

describe('the filtered stream', () => {
  it('delivers a matching tweet within a second with matching_rules, keeps alive, allows one connection, and drops on admin request', async () => {
    const rules = await app.v2.streamRules();
    const catRule = rules.data.find((r) => r.value === 'кот')!;
    const stream = await app.v2.searchStream({ 'tweet.fields': ['author_id', 'created_at'], expansions: ['author_id'] });
    try {
      await next(stream, ETwitterStreamEvent.DataKeepAlive, 1000);

      // a second connection for the same app is refused as on X
      const second = await apiError(app.v2.searchStream());
      expect(second.code).toBe(429);
      validateAgainst('Problem', second.data);
      expect((second.data as { connection_issue: string }).connection_issue).toBe('TooManyConnections');

      const arrived = next<TweetV2SingleStreamResult>(stream, ETwitterStreamEvent.Data, 1000);
      const started = Date.now();
      await sb.tweet('petya', 'Мой пёс гуляет один');
      const posted = await sb.tweet('masha', 'Рыжий кот спит на солнце');
      const msg = await arrived;
      expect(Date.now() - started).toBeLessThan(1000);
      validateAgainst('FilteredStreamingTweetResponse', msg);
      expect(msg.data.id).toBe(posted.id);
      expect(msg.matching_rules).toEqual([{ id: catRule.id, tag: 'cats' }]);
      expect(msg.includes?.users?.[0]?.username).toBe('masha');

      // operators: a rule for masha's posts that are not retweets; petya's retweet of hers does not match it
      const fromMasha = await app.v2.updateStreamRules({ add: [{ value: 'from:masha -is:retweet', tag: 'masha' }] });
      const both = next<TweetV2SingleStreamResult>(stream, ETwitterStreamEvent.Data, 1000);
      const second2 = await sb.tweet('masha', 'Второй кот пришёл');
      const m2 = await both;
      expect(m2.data.id).toBe(second2.id);
      expect(m2.matching_rules.map((r) => r.tag).sort()).toEqual(['cats', 'masha']);
      const viaRt = next<TweetV2SingleStreamResult>(stream, ETwitterStreamEvent.Data, 1000);
      const rt = await sb.retweet('petya', second2.id);
      const m3 = await viaRt;
      expect(m3.data.id).toBe(rt.id);
      expect(m3.matching_rules).toEqual([{ id: catRule.id, tag: 'cats' }]);
      await app.v2.updateStreamRules({ delete: { ids: [fromMasha.data[0]!.id] } });

      const closed = next(stream, ETwitterStreamEvent.ConnectionClosed, 1000);
      expect(await sb.disconnectStreams()).toBe(1);
      await closed;
      // the slot is free again: a new connection is accepted
      const again = await app.v2.searchStream();
      again.close();
    } finally {
      stream.close();
    }
  });
});
