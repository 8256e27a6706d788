import type { RedisClient } from '../../store/client.js';
import type { Keys } from '../../store/keys.js';

/**
 * Every tweet a retweeter looked at gets a decision, with the rule that matched it (if one did):
 *   retweeted          — retweeted (or quoted) now
 *   no_rule            — no rule matches it
 *   outside_window     — a rule matches, but it is outside the bot's windows: it waits (stays unprocessed)
 *   too_old            — older than max-age: dropped
 *   own_tweet          — its own tweet or another farm account's: never retweeted
 *   already_retweeted  — this bot retweeted it before (or X says so)
 *   capped             — a rule matches, but this tick's per-tick or min-gap is spent: it waits
 *   refused            — X refused it for good (deleted, protected…): dropped
 * Kept in a capped list per bot (newest first) and counted per decision in a hash.
 */
export const DECISIONS = ['retweeted', 'no_rule', 'outside_window', 'too_old', 'own_tweet', 'already_retweeted', 'capped', 'refused'] as const;
export type DecisionKind = (typeof DECISIONS)[number];

/** Decisions that leave the tweet unprocessed, to be decided again on a later tick. */
export const WAITING: ReadonlySet<DecisionKind> = new Set(['outside_window', 'capped']);

export interface Decision {
  tweet_id: string;
  author: string;
  decision: DecisionKind;
  rule: string | null;
  /** epoch ms */
  at: number;
  /** the retweet's or quote's id, for `retweeted` */
  post_id?: string;
  detail?: string;
}

export const OWN = { decisions: 'decisions', counts: 'decision_counts', waiting: 'waiting' } as const;
const KEEP = 500;

export class Decisions {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly bot: string,
  ) {}

  /**
   * Logs decisions and counts them. A waiting decision is logged once per tweet and reason, not on every
   * tick it keeps waiting; a final one clears the tweet's waiting mark. One MULTI (all keys in the bot's slot).
   */
  async record(decisions: Decision[]): Promise<void> {
    if (!decisions.length) return;
    const waitKey = this.keys.own(this.bot, OWN.waiting);
    const waiting = decisions.filter((d) => WAITING.has(d.decision));
    const before = waiting.length ? await this.redis.hmget(waitKey, ...waiting.map((d) => d.tweet_id)) : [];
    const seen = new Map(waiting.map((d, i) => [d.tweet_id, before[i]]));
    const multi = this.redis.multi();
    const logged: Decision[] = [];
    for (const d of decisions) {
      if (WAITING.has(d.decision)) {
        if (seen.get(d.tweet_id) === d.decision) continue;
        multi.hset(waitKey, d.tweet_id, d.decision);
      } else multi.hdel(waitKey, d.tweet_id);
      logged.push(d);
      multi.hincrby(this.keys.own(this.bot, OWN.counts), d.decision, 1);
    }
    if (logged.length) {
      multi.lpush(this.keys.own(this.bot, OWN.decisions), ...logged.map((d) => JSON.stringify(d)));
      multi.ltrim(this.keys.own(this.bot, OWN.decisions), 0, KEEP - 1);
    }
    await multi.exec();
  }

  async recent(count = 20): Promise<Decision[]> {
    return (await this.redis.lrange(this.keys.own(this.bot, OWN.decisions), 0, count - 1)).map((v) => JSON.parse(v) as Decision);
  }

  async counts(): Promise<Record<DecisionKind, number>> {
    const h = await this.redis.hgetall(this.keys.own(this.bot, OWN.counts));
    return Object.fromEntries(DECISIONS.map((d) => [d, Number(h[d] ?? 0)])) as Record<DecisionKind, number>;
  }
}
