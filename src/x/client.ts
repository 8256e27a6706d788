/**
 * Builds twitter-api-v2 clients. The library has no base-URL option and always calls
 * https.request, so when an API base is set (TFCTL_X_API, e.g. the sandbox) a plugin rewrites each
 * request's origin before it is signed, and an http.Agent lets it speak plain http. OAuth replies
 * (/oauth/*) are form-encoded; the library only knows that for its own hosts, so we force it.
 */
import http from 'node:http';
import https from 'node:https';
import { TwitterApi, type ITwitterApiClientPlugin, type TwitterApiTokens } from 'twitter-api-v2';

export interface XClientOptions {
  /** API origin (scheme://host[:port]); unset for the real X API */
  apiBase?: string;
  appKey: string;
  appSecret: string;
  accessToken?: string;
  accessSecret?: string;
  /** an app-only bearer token (OAuth 2.0): the client then signs nothing and sends it */
  bearerToken?: string;
  /** per-request timeout in ms (the library has none by default); default 30 s */
  timeoutMs?: number;
  /** more plugins, after the one that sets the origin and the timeout */
  plugins?: ITwitterApiClientPlugin[];
}

// One agent per origin and process: keep-alive sockets are shared by every bot's client.
const agents = new Map<string, http.Agent>();

function agentFor(origin: string): http.Agent {
  let a = agents.get(origin);
  if (!a) {
    a = origin.startsWith('http:')
      ? new http.Agent({ keepAlive: true, maxSockets: 64 })
      : new https.Agent({ keepAlive: true, maxSockets: 64 });
    agents.set(origin, a);
  }
  return a;
}

// A big tick makes a client per bot, all with the same base: it is parsed once.
const origins = new Map<string, string>();
const originOf = (apiBase: string): string => {
  let o = origins.get(apiBase);
  if (o === undefined) origins.set(apiBase, (o = apiOrigin(apiBase)));
  return o;
};

/** Validates and normalises an API base to its origin. */
export function apiOrigin(apiBase: string): string {
  let u: URL;
  try {
    u = new URL(apiBase);
  } catch {
    throw new Error(`invalid X API base URL: ${apiBase}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`invalid X API base URL: ${apiBase}`);
  return u.origin;
}

/**
 * The plugin: swaps the origin of every request when `origin` is set (path and query kept; the
 * signature is computed after this hook, over the new URL) and gives every request a timeout.
 */
export function originPlugin(origin: string | undefined, timeoutMs = 30_000): ITwitterApiClientPlugin {
  const rewrite = (params: { url: string; forceParseMode?: unknown; timeout?: number }) => {
    params.timeout ??= timeoutMs;
    if (!origin) return;
    // The library's URLs are absolute (or host-first): everything from the first slash after the host stays.
    const url = params.url;
    const host = url.indexOf('//');
    const slash = url.indexOf('/', host < 0 ? 0 : host + 2);
    const path = slash < 0 ? '/' : url.slice(slash);
    params.url = origin + path;
    if (path.startsWith('/oauth/')) params.forceParseMode = 'url';
  };
  return {
    onBeforeRequestConfig: ({ params }) => rewrite(params as { url: string }),
    onBeforeStreamRequestConfig: ({ params }) => rewrite(params as { url: string }),
  };
}

export function createXClient(opts: XClientOptions): TwitterApi {
  const tokens: TwitterApiTokens = { appKey: opts.appKey, appSecret: opts.appSecret };
  if (opts.accessToken && opts.accessSecret) {
    tokens.accessToken = opts.accessToken;
    tokens.accessSecret = opts.accessSecret;
  }
  const origin = opts.apiBase ? originOf(opts.apiBase) : undefined;
  const settings = { plugins: [originPlugin(origin, opts.timeoutMs), ...(opts.plugins ?? [])], httpAgent: agentFor(origin ?? 'https://api.x.com') };
  return opts.bearerToken ? new TwitterApi(opts.bearerToken, settings) : new TwitterApi(tokens, settings);
}

/**
 * generateAuthLink() always answers with an https://api.x.com/oauth/... link; point it at the
 * configured origin so the user opens the sandbox's authorize page.
 */
export function rewriteAuthLink(url: string, apiBase?: string): string {
  if (!apiBase) return url;
  const u = new URL(url);
  return apiOrigin(apiBase) + u.pathname + u.search;
}

/** Closes idle keep-alive sockets (tests, short-lived commands that want to exit promptly). */
export function destroyAgents(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}
