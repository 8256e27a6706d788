/**
 * A client for the sandbox's admin API (the contract in ARCHITECTURE.md §6), used by the demo, the
 * benchmark and the tests. It speaks plain HTTP, so it works against any running sandbox.
 */
export interface SandboxAccount {
  id: string;
  username: string;
  name: string;
  token: string;
  secret: string;
}

export interface SandboxTweet {
  id: string;
  text: string;
  author_id: string;
  username: string;
  created_at: string;
  edit_history_tweet_ids: string[];
  public_metrics: Record<string, number>;
  referenced_tweets?: Array<{ type: string; id: string }>;
  lang?: string;
  conversation_id?: string;
  geo?: { coordinates: { type: 'Point'; coordinates: [number, number] } };
}

/** Optional parts of a seeded tweet: a reply, a quote, a language, a location ([longitude, latitude]). */
export interface SeedTweetOptions {
  reply_to?: string;
  quote_of?: string;
  lang?: string;
  coordinates?: [number, number];
}

export class SandboxAdmin {
  constructor(readonly url: string) {}

  /** Any admin call: JSON in, parsed JSON out; a non-2xx status throws with the sandbox's answer. */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  app(): Promise<{ consumer_key: string; consumer_secret: string }> { return this.call('GET', '/sandbox/app'); }
  account(username: string): Promise<SandboxAccount> { return this.call('POST', '/sandbox/accounts', { username }); }
  async follow(follower: string, followee: string): Promise<void> { await this.call('POST', '/sandbox/follows', { follower, followee }); }
  tweet(username: string, text: string, opts: SeedTweetOptions = {}): Promise<SandboxTweet> {
    return this.call('POST', '/sandbox/tweets', { username, text, ...opts });
  }
  /** That account retweets the tweet; returns the retweet. */
  retweet(username: string, tweetId: string): Promise<SandboxTweet> { return this.call('POST', '/sandbox/retweets', { username, tweet_id: tweetId }); }
  like(username: string, tweetId: string): Promise<{ liked: true; like_count: number }> {
    return this.call('POST', '/sandbox/likes', { username, tweet_id: tweetId });
  }
  /** Drops every open filtered-stream connection; returns how many there were. */
  async disconnectStreams(): Promise<number> {
    return (await this.call<{ disconnected: number }>('POST', '/sandbox/stream/disconnect')).disconnected;
  }
  /** An account's tweets (every account's without a name), newest first. */
  tweets(username?: string): Promise<SandboxTweet[]> {
    return this.call('GET', username ? `/sandbox/tweets?username=${encodeURIComponent(username)}` : '/sandbox/tweets');
  }
  requests(): Promise<Record<string, number>> { return this.call('GET', '/sandbox/requests'); }
  async resetRequests(): Promise<void> { await this.call('DELETE', '/sandbox/requests'); }
  advance(seconds: number): Promise<{ now: string; now_ms: number; offset_s: number }> { return this.call('POST', '/sandbox/clock', { advance: seconds }); }
  async fault(path: string, status: number, count = 1, method?: string): Promise<void> {
    await this.call('POST', '/sandbox/faults', { path, status, count, method });
  }
  async revoke(username: string): Promise<void> { await this.call('POST', '/sandbox/revoke', { username }); }
}
