/**
 * Synthetic engagement. Each tweet gets a fixed "appeal" from a hash of (seed, id); its counts grow
 * along a saturating curve of its age on the sandbox clock. Pure and deterministic, and
 * non-decreasing in age, so a tracker can watch engagement rise by advancing /sandbox/clock.
 */
import { createHash } from 'node:crypto';

export interface PublicMetrics {
  retweet_count: number;
  reply_count: number;
  like_count: number;
  quote_count: number;
  impression_count: number;
  bookmark_count: number;
}

/** Five uniform numbers in [0,1) from the seed and the tweet id. */
function uniforms(seed: number, id: string): number[] {
  const h = createHash('sha256').update(`${seed}:${id}`).digest();
  const out: number[] = [];
  for (let i = 0; i < 6; i++) out.push(h.readUInt32BE(i * 4) / 2 ** 32);
  return out;
}

/** Half of a tweet's lifetime engagement arrives within ~4 hours, nearly all within two days. */
const TAU_S = 6 * 3600;

/** What sandbox accounts did to the tweet: added on top of the synthetic audience's counts. */
export interface Engagement {
  retweets: number;
  replies: number;
  quotes: number;
  likes: number;
}

const NONE: Engagement = { retweets: 0, replies: 0, quotes: 0, likes: 0 };

export function publicMetrics(seed: number, id: string, ageSeconds: number, extra: Engagement = NONE): PublicMetrics {
  const [a, b, c, d, e, f] = uniforms(seed, id) as [number, number, number, number, number, number];
  const age = Math.max(0, ageSeconds);
  const grown = 1 - Math.exp(-age / TAU_S);
  // Heavy-tailed reach: most tweets are seen by dozens, a few by thousands.
  const reach = 20 + 20_000 * a ** 4;
  const impressions = Math.floor(reach * grown);
  const likeRate = 0.01 + 0.06 * b;
  return {
    impression_count: impressions,
    like_count: Math.floor(impressions * likeRate) + extra.likes,
    retweet_count: Math.floor(impressions * likeRate * 0.2 * c) + extra.retweets,
    reply_count: Math.floor(impressions * likeRate * 0.15 * d) + extra.replies,
    quote_count: Math.floor(impressions * likeRate * 0.05 * e) + extra.quotes,
    bookmark_count: Math.floor(impressions * likeRate * 0.1 * f),
  };
}
