/**
 * OAuth 1.0a (RFC 5849) HMAC-SHA1 verification, as X does it for every user-context call.
 * The signature covers the method, the base URL, the oauth_* header parameters, the query and a
 * form-encoded body (a JSON body is not signed). Staleness is judged against the REAL wall clock,
 * not the sandbox clock: advancing the sandbox clock must not invalidate freshly signed requests.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_WINDOW_S = 300;

/** RFC 3986 encoding: encodeURIComponent leaves !*'() alone, OAuth wants them escaped. */
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

export function percentEncode(s: string): string {
  // Hot path: oauth_* names, tokens, nonces and timestamps are almost always unreserved already.
  if (UNRESERVED.test(s)) return s;
  return encodeURIComponent(s).replace(/[!*'()]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function signingKey(consumerSecret: string, tokenSecret = ''): string {
  return percentEncode(consumerSecret) + '&' + percentEncode(tokenSecret);
}

/** Parses `OAuth k="v", …`; returns undefined when the header is not an OAuth one. */
export function parseAuthHeader(header: string | undefined): Map<string, string> | undefined {
  if (!header || !/^OAuth\s/i.test(header)) return undefined;
  const out = new Map<string, string>();
  const re = /([A-Za-z0-9_\-.~%]+)\s*=\s*"([^"]*)"/g;
  let m: RegExpExecArray | null;
  const body = header.slice(6);
  while ((m = re.exec(body))) {
    const k = m[1]!;
    const v = m[2]!;
    try {
      // Most values need no decoding; skipping it keeps the per-request cost down.
      out.set(k.includes('%') ? decodeURIComponent(k) : k, v.includes('%') ? decodeURIComponent(v) : v);
    } catch {
      return undefined;
    }
  }
  return out;
}

/**
 * The signature base string. Identical key=value pairs are collapsed: twitter-api-v2 merges the
 * header, query and body into one object, so e.g. an oauth_token sent both in the header and in the
 * access_token body is signed once, and X accepts that.
 */
export function baseString(method: string, baseUrl: string, params: Array<[string, string]>): string {
  const enc = params.map(([k, v]) => [percentEncode(k), percentEncode(v)] as [string, string]);
  enc.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  let s = '';
  let prev = '';
  for (const [k, v] of enc) {
    const pair = k + '=' + v;
    if (pair === prev) continue;
    s += (s ? '&' : '') + pair;
    prev = pair;
  }
  return method.toUpperCase() + '&' + percentEncode(baseUrl) + '&' + percentEncode(s);
}

export function hmacSha1(base: string, key: string): string {
  return createHmac('sha1', key).update(base).digest('base64');
}

export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

export interface SignedRequest {
  method: string;
  /** scheme://host[:port]/path, no query */
  baseUrl: string;
  /** decoded query pairs */
  query: Array<[string, string]>;
  /** decoded form-body pairs (empty unless the body is application/x-www-form-urlencoded) */
  form: Array<[string, string]>;
  header: Map<string, string>;
}

/** Collects everything the signature covers, minus oauth_signature and realm. */
export function signedParams(req: SignedRequest): Array<[string, string]> {
  const params: Array<[string, string]> = [];
  for (const [k, v] of req.header) if (k !== 'oauth_signature' && k !== 'realm') params.push([k, v]);
  for (const p of req.query) params.push(p);
  for (const p of req.form) params.push(p);
  return params;
}

export type VerifyFailure = 'missing' | 'consumer' | 'method' | 'timestamp' | 'token' | 'signature' | 'nonce';

/**
 * Remembers nonces for the length of the timestamp window so a captured request cannot be replayed.
 * Two generations rotated every window: O(1) per request, memory bounded by traffic in ~2 windows.
 */
export class NonceCache {
  private current = new Set<string>();
  private previous = new Set<string>();
  private rotatedAt = Date.now();

  seen(key: string, realNowMs: number): boolean {
    if (realNowMs - this.rotatedAt > TIMESTAMP_WINDOW_S * 1000 * 2) {
      this.previous = this.current;
      this.current = new Set();
      this.rotatedAt = realNowMs;
    }
    if (this.current.has(key) || this.previous.has(key)) return true;
    this.current.add(key);
    return false;
  }
}

/** Checks the non-cryptographic parts of the header; returns a failure or undefined. */
export function checkHeader(h: Map<string, string>, consumerKey: string, realNowMs: number): VerifyFailure | undefined {
  const ts = h.get('oauth_timestamp');
  if (!h.get('oauth_signature') || !h.get('oauth_nonce') || !ts || !h.get('oauth_consumer_key')) return 'missing';
  if (h.get('oauth_consumer_key') !== consumerKey) return 'consumer';
  if (h.get('oauth_signature_method') !== 'HMAC-SHA1') return 'method';
  const v = h.get('oauth_version');
  if (v !== undefined && v !== '1.0') return 'method';
  if (!/^\d{1,12}$/.test(ts) || Math.abs(Number(ts) - realNowMs / 1000) > TIMESTAMP_WINDOW_S) return 'timestamp';
  return undefined;
}
