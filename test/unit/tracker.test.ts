import { describe, expect, it } from 'vitest';
import { batchesPerMinute, estimate } from '../../src/bots/tracker/plan.js';
import { sparkline, top } from '../../src/bots/tracker/report.js';
import { parseUsers } from '../../src/bots/tracker/settings.js';
import type { Snapshot, TrackedTweet } from '../../src/bots/tracker/store.js';
import { ranked } from '../../src/bots/tracker/files.js';

const snap = (at: number, counts: Record<string, number>, prev?: Snapshot): Snapshot => ({
  at,
  batches: 1,
  of: 1,
  counts: Object.fromEntries(Object.entries(counts).map(([id, c]) => [id, [c, prev?.counts[id] ? c - prev.counts[id]![0] : 0]])),
});

describe('tracker settings', () => {
  it('takes ids, @names and bare names, once each, and refuses anything else with a usage error', () => {
    expect(parseUsers('285532415, @Some_one,other,@some_one')).toEqual([{ id: '285532415' }, { username: 'Some_one' }, { username: 'other' }]);
    expect(() => parseUsers('')).toThrow(/at least one/);
    expect(() => parseUsers('a-b')).toThrow(/invalid account "a-b"/);
    expect(() => parseUsers('@abcdefghijklmnop')).toThrow(/invalid account/);
    expect(() => parseUsers(Array.from({ length: 101 }, (_, i) => String(i + 1)).join(','))).toThrow(/at most 100/);
  });
});

describe('tracker plan', () => {
  it("sends the lookup limit's share of a minute, at least one, and one before X has said", () => {
    expect(batchesPerMinute(undefined)).toBe(1);
    expect(batchesPerMinute({ limit: 900, remaining: 900, reset: 0 })).toBe(60);
    expect(batchesPerMinute({ limit: 15, remaining: 15, reset: 0 })).toBe(1);
    expect(batchesPerMinute({ limit: 1, remaining: 1, reset: 0 })).toBe(1);
  });
  it('estimates requests and reads a day, and how far lookups are spread', () => {
    expect(estimate(250, 3, 60, { limit: 900, remaining: 0, reset: 0 })).toMatchObject({ batches: 3, minutes_per_round: 1, lookups_per_day: 3 * 1440, timeline_requests_per_day: 3 * 288, reads_per_day: 250 });
    // Basic: 15 lookups per 15 minutes, so 3 batches take 3 minutes a round.
    expect(estimate(250, 3, 60, { limit: 15, remaining: 0, reset: 0 })).toMatchObject({ per_minute: 1, minutes_per_round: 3, lookups_per_day: 1440 });
  });
});

describe('tracker report', () => {
  const tweets = new Map<string, TrackedTweet>([
    ['10', { author_id: 'u1', text: 'first\nline', created_at: 0 }],
    ['9', { author_id: 'u2', text: 'second', created_at: 0 }],
    ['11', { author_id: 'u1', text: 'third', created_at: 0 }],
  ]);
  const users = new Map([['u1', 'ann'], ['u2', 'bo']]);
  const s0 = snap(0, { '9': 5, '10': 1, '11': 0 });
  const s1 = snap(60_000, { '9': 5, '10': 3, '11': 2 }, s0);
  const s2 = snap(120_000, { '9': 6, '10': 7, '11': 2 }, s1);

  it('ranks by total or by growth over the window, ties by id, with screen names and one-line texts', () => {
    const byTotal = top([s0, s1, s2], tweets, users, { n: 2, windowS: 900, by: 'total' })!;
    expect(byTotal.rows.map((r) => [r.rank, r.id, r.retweets, r.growth, r.screen_name])).toEqual([[1, '10', 7, 6, 'ann'], [2, '9', 6, 1, 'bo']]);
    expect(byTotal.rows[0]!.text).toBe('first line');
    expect(byTotal.rows[0]!.per_minute).toEqual([2, 4]);
    const byGrowth = top([s0, s1, s2], tweets, users, { n: 3, windowS: 60, by: 'growth' })!;
    // The window of one minute starts at s1: 10 grew 4, 9 grew 1, 11 none.
    expect(byGrowth.rows.map((r) => [r.id, r.growth])).toEqual([['10', 4], ['9', 1], ['11', 0]]);
    expect(top([], tweets, users, { n: 5, windowS: 900, by: 'total' })).toBeUndefined();
  });

  it('sorts a file most retweeted first, equal counts by numeric id', () => {
    expect(ranked(snap(0, { '11': 2, '9': 2, '100': 3 }))).toEqual([['100', 3], ['9', 2], ['11', 2]]);
  });

  it('draws a sparkline scaled to the busiest minute', () => {
    expect(sparkline([0, 1, 2, 4])).toBe('▁▃▅█');
    expect(sparkline([0, 0])).toBe('▁▁');
  });
});
