import { byId } from './plan.js';
import type { Snapshot, TrackedTweet } from './store.js';

export type RankBy = 'total' | 'growth';

export interface TopRow {
  rank: number;
  id: string;
  screen_name: string;
  author_id: string;
  text: string;
  created_at: string;
  /** Retweets at the last minute. */
  retweets: number;
  /** Retweets gained over the window: the last minute's count less the window's first minute's. */
  growth: number;
  /** Retweets gained in each minute of the window, oldest first (the sparkline). */
  per_minute: number[];
}

export interface TopReport {
  /** The last snapshot's minute (epoch ms). */
  at: number;
  /** The first minute of the window actually covered (epoch ms). */
  from: number;
  rows: TopRow[];
}

/**
 * Ranks the tweets of the last snapshot by retweets (or by growth over `windowS` seconds), `n` of them.
 * A tweet first seen inside the window grows from its first count there.
 */
export function top(snaps: Snapshot[], tweets: Map<string, TrackedTweet>, users: Map<string, string>, opts: { n: number; windowS: number; by: RankBy }): TopReport | undefined {
  const last = snaps[snaps.length - 1];
  if (!last) return undefined;
  const inWindow = snaps.filter((s) => s.at >= last.at - opts.windowS * 1000);
  const rows: TopRow[] = [];
  for (const [id, [count]] of Object.entries(last.counts)) {
    const series = inWindow.map((s) => s.counts[id]?.[0]);
    const first = series.find((c) => c !== undefined) ?? count;
    const perMinute: number[] = [];
    for (let i = 1; i < series.length; i++) perMinute.push(series[i] !== undefined && series[i - 1] !== undefined ? Math.max(0, series[i]! - series[i - 1]!) : 0);
    const t = tweets.get(id);
    rows.push({
      rank: 0,
      id,
      screen_name: t ? users.get(t.author_id) ?? '' : '',
      author_id: t?.author_id ?? '',
      text: t ? oneLine(t.text) : '',
      created_at: t ? new Date(t.created_at).toISOString() : '',
      retweets: count,
      growth: count - first,
      per_minute: perMinute,
    });
  }
  const key = opts.by === 'growth' ? (r: TopRow) => [r.growth, r.retweets] : (r: TopRow) => [r.retweets, r.growth];
  rows.sort((a, b) => {
    const [a1, a2] = key(a);
    const [b1, b2] = key(b);
    return b1! - a1! || b2! - a2! || byId(a.id, b.id);
  });
  const out = rows.slice(0, opts.n);
  out.forEach((r, i) => (r.rank = i + 1));
  return { at: last.at, from: inWindow[0]!.at, rows: out };
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const BARS = '▁▂▃▄▅▆▇█';

/** One character per minute, scaled to the row's busiest minute. */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 || v <= 0 ? BARS[0] : BARS[Math.max(1, Math.round((v / max) * (BARS.length - 1)))])).join('');
}
