import { describe, expect, it } from 'vitest';
import { Limiter } from '../../src/sandbox/limits.js';
import { publicMetrics } from '../../src/sandbox/metrics.js';
import { cmpId, State } from '../../src/sandbox/state.js';

describe('sandbox state', () => {
  it('ids are snowflake-like strings beyond 2^53, strictly increasing even within one ms', () => {
    const s = new State({ seed: 1, now: () => 1_800_000_000_000 });
    const a = s.createAccount('a');
    const ids = Array.from({ length: 50 }, (_, i) => s.addTweet(a, `t${i}`).id);
    for (let i = 1; i < ids.length; i++) expect(BigInt(ids[i]!) > BigInt(ids[i - 1]!)).toBe(true);
    expect(BigInt(ids[0]!) > 2n ** 53n).toBe(true);
    expect(ids[0]).toMatch(/^\d{19}$/);
    expect(cmpId('99', '100')).toBeLessThan(0);
  });

  it('same seed → same app keys and account tokens; another seed → different', () => {
    const s1 = new State({ seed: 5, now: Date.now });
    const s2 = new State({ seed: 5, now: Date.now });
    const s3 = new State({ seed: 6, now: Date.now });
    expect(s1.app).toEqual(s2.app);
    expect(s1.app.key).not.toBe(s3.app.key);
    expect(s1.createAccount('bot').token).toBe(s2.createAccount('bot').token);
  });

  it('duplicate check follows deletions; persistence round-trips', () => {
    const s = new State({ seed: 1, now: Date.now });
    const a = s.createAccount('a');
    const t = s.addTweet(a, 'привет');
    expect(s.duplicateOf(a.id, 'привет')).toBe(t.id);
    s.deleteTweet(t);
    expect(s.duplicateOf(a.id, 'привет')).toBeUndefined();
    s.addTweet(a, 'снова');
    s.offsetMs = 5000;
    const copy = new State({ seed: 1, now: Date.now });
    copy.load(JSON.parse(JSON.stringify(s.toJSON())));
    expect(copy.duplicateOf(a.id, 'снова')).toBeDefined();
    expect(copy.offsetMs).toBe(5000);
    expect(copy.tokens.get(a.token)?.account.username).toBe('a');
    const next = copy.addTweet(copy.account('a')!, 'после загрузки');
    expect(BigInt(next.id) > BigInt(s.timeline[s.timeline.length - 1]!.id)).toBe(true);
  });
});

describe('public metrics', () => {
  it('are deterministic and never decrease with age', () => {
    expect(publicMetrics(1, '123', 3600)).toEqual(publicMetrics(1, '123', 3600));
    expect(publicMetrics(1, '123', 86400)).not.toEqual(publicMetrics(2, '123', 86400));
    expect(publicMetrics(1, '123', 0).impression_count).toBe(0);
    let prev = publicMetrics(1, '987654321', 0);
    for (let age = 60; age < 4 * 86400; age += 977) {
      const m = publicMetrics(1, '987654321', age);
      for (const k of Object.keys(m) as Array<keyof typeof m>) expect(m[k]).toBeGreaterThanOrEqual(prev[k]);
      prev = m;
    }
    expect(prev.impression_count).toBeGreaterThan(0);
  });
});

describe('limiter', () => {
  it('free tier posting: 17 per day per user, shared 17 per app; 429s do not consume', () => {
    const l = new Limiter('free');
    const t0 = 1_800_000_000_000;
    for (let i = 0; i < 17; i++) expect(l.take('POST /2/tweets', 'u1', t0).ok).toBe(true);
    const r = l.take('POST /2/tweets', 'u1', t0 + 1000);
    expect(r.ok).toBe(false);
    expect(r.headers['x-rate-limit-reset']).toBe(String(t0 / 1000 + 86_400));
    expect(r.headers['x-app-limit-24hour-remaining']).toBe('0');
    expect(l.take('POST /2/tweets', 'u2', t0).ok).toBe(false);
    expect(l.take('POST /2/tweets', 'u1', t0 + 86_400_000).ok).toBe(true);
  });

  it('pro home timeline: 180 per 15 minutes per user, separate users separate windows', () => {
    const l = new Limiter('pro');
    const k = 'GET /2/users/:id/timelines/reverse_chronological';
    for (let i = 0; i < 180; i++) l.take(k, 'u1', 0);
    expect(l.take(k, 'u1', 0).ok).toBe(false);
    expect(l.take(k, 'u2', 0).ok).toBe(true);
    expect(l.take(k, 'u1', 900_000).headers['x-rate-limit-remaining']).toBe('179');
  });
});
