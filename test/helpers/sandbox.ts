import { SandboxAdmin, type SandboxAccount, type SandboxTweet, type SeedTweetOptions } from '../../src/sandbox/admin-client.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { createXClient } from '../../src/x/client.js';
import { ApiResponseError, type TwitterApi } from 'twitter-api-v2';

// The sandbox's own admin client, under the names the tests use.
export type Creds = SandboxAccount;
export type AdminTweet = SandboxTweet;

export interface TestSandbox {
  sandbox: Sandbox;
  url: string;
  app: { consumer_key: string; consumer_secret: string };
  /** The environment that points `tfctl` at this sandbox with its app's keys. */
  cliEnv: { TFCTL_X_API: string; TFCTL_CONSUMER_KEY: string; TFCTL_CONSUMER_SECRET: string };
  /** any admin call: JSON in, parsed JSON out; throws on a non-2xx status */
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  account(username: string): Promise<Creds>;
  follow(follower: string, followee: string): Promise<void>;
  tweet(username: string, text: string, opts?: SeedTweetOptions): Promise<AdminTweet>;
  retweet(username: string, tweetId: string): Promise<AdminTweet>;
  like(username: string, tweetId: string): Promise<{ liked: true; like_count: number }>;
  disconnectStreams(): Promise<number>;
  tweets(username?: string): Promise<AdminTweet[]>;
  requests(): Promise<Record<string, number>>;
  resetRequests(): Promise<void>;
  advance(seconds: number): Promise<{ now: string; now_ms: number; offset_s: number }>;
  fault(path: string, status: number, count?: number, method?: string): Promise<void>;
  revoke(username: string): Promise<void>;
  /** a twitter-api-v2 client for an account (creds or username), through createXClient */
  client(who: Creds): TwitterApi;
  /** an app-only (consumer keys) client, for the PIN flow */
  appClient(): TwitterApi;
  /** a bearer-token client, as twitter-api-v2's appLogin() makes it against this sandbox */
  bearerClient(): Promise<TwitterApi>;
  /**
   * The home timeline most farm tests start from: `owner` follows `author`, who has posted AUTHOR_TWEETS.
   * Makes those two accounts and the `others` named; returns every one of them by name.
   */
  seedHome(...others: string[]): Promise<Map<string, Creds>>;
  close(): Promise<void>;
}

/**
 * Starts an in-process sandbox on a free port and drives it through its admin API, for any test
 * that needs an X to talk to. Default: no seed fixture (an empty world), tier pro.
 */
export async function startTestSandbox(opts: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = await startSandbox({ seed: false, ...opts });
  const url = sandbox.url;
  const api = new SandboxAdmin(url);
  const app = await api.app();
  return {
    sandbox,
    url,
    app,
    cliEnv: { TFCTL_X_API: url, TFCTL_CONSUMER_KEY: app.consumer_key, TFCTL_CONSUMER_SECRET: app.consumer_secret },
    admin: (method, path, body) => api.call(method, path, body),
    account: (username) => api.account(username),
    follow: (follower, followee) => api.follow(follower, followee),
    tweet: (username, text, o) => api.tweet(username, text, o),
    retweet: (username, id) => api.retweet(username, id),
    like: (username, id) => api.like(username, id),
    disconnectStreams: () => api.disconnectStreams(),
    tweets: (username) => api.tweets(username),
    requests: () => api.requests(),
    resetRequests: () => api.resetRequests(),
    advance: (seconds) => api.advance(seconds),
    fault: (path, status, count, method) => api.fault(path, status, count, method),
    revoke: (username) => api.revoke(username),
    client: (who) =>
      createXClient({ apiBase: url, appKey: app.consumer_key, appSecret: app.consumer_secret, accessToken: who.token, accessSecret: who.secret }),
    appClient: () => createXClient({ apiBase: url, appKey: app.consumer_key, appSecret: app.consumer_secret }),
    bearerClient: () => createXClient({ apiBase: url, appKey: app.consumer_key, appSecret: app.consumer_secret }).appLogin(),
    async seedHome(...others) {
      const accounts = new Map<string, Creds>();
      for (const name of ['owner', 'author', ...others]) accounts.set(name, await api.account(name));
      await api.follow('owner', 'author');
      for (const text of AUTHOR_TWEETS) await api.tweet('author', text);
      return accounts;
    },
    close: () => sandbox.close(),
  };
}

import { randomBytes } from 'node:crypto';
import { baseString, hmacSha1, percentEncode, signingKey } from '../../src/sandbox/oauth.js';

export interface SignOptions {
  /** override pieces of the header to produce bad requests */
  tamper?: (params: Record<string, string>) => void;
  timestamp?: number;
  nonce?: string;
  contentType?: string;
}

/**
 * A raw OAuth 1.0a-signed fetch, for what the library will not send: tampered signatures, stale
 * timestamps, malformed bodies, exact status codes.
 */
export async function signedFetch(
  sb: TestSandbox,
  who: Pick<Creds, 'token' | 'secret'> | undefined,
  method: string,
  pathAndQuery: string,
  body?: string | Buffer,
  o: SignOptions = {},
): Promise<{ status: number; headers: Headers; text: string; json: () => unknown }> {
  const url = new URL(sb.url + pathAndQuery);
  const params: Record<string, string> = {
    oauth_consumer_key: sb.app.consumer_key,
    oauth_nonce: o.nonce ?? randomBytes(16).toString('hex'),
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(o.timestamp ?? Math.floor(Date.now() / 1000)),
    oauth_version: '1.0',
  };
  if (who) params.oauth_token = who.token;
  const all: Array<[string, string]> = [...Object.entries(params), ...url.searchParams];
  const base = baseString(method, url.origin + url.pathname, all);
  params.oauth_signature = hmacSha1(base, signingKey(sb.app.consumer_secret, who?.secret));
  o.tamper?.(params);
  const header = 'OAuth ' + Object.entries(params).map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`).join(', ');
  const res = await fetch(url, {
    method,
    headers: { authorization: header, ...(body !== undefined ? { 'content-type': o.contentType ?? 'application/json' } : {}) },
    body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** The X API error a call must end in: any other outcome fails the test. */
export async function apiError(call: Promise<unknown>): Promise<ApiResponseError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiResponseError) return err;
    throw err;
  }
  throw new Error('expected the call to fail with an X API error');
}

/** Five everyday Russian tweets, each with a dictionary noun, that the CLI tests seed an author with. */
export const AUTHOR_TWEETS = [
  'Сегодня кошка спала на диване весь день',
  'Купил новую книгу, читаю весь вечер',
  'В лесу уже лежит снег',
  'Весна пришла, а лужи всё те же',
  'Мама испекла пирог с яблоками',
] as const;
