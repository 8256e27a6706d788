/**
 * Sorts whatever a twitter-api-v2 call threw into the few cases the farm acts on:
 *   rate_limited  → wait until resetAt, this bot only
 *   duplicate     → X already has this text from this account: count it as posted, move on
 *   auth_revoked  → the tokens no longer work: mark the bot failing, keep its data
 *   transient     → network trouble, timeouts, 5xx: try again on a later tick (no double post)
 *   fatal         → a request X will never accept as sent (other 4xx, bugs)
 */
import { ApiPartialResponseError, ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import { blockedUntil, rateStateFromHeaders, rateStateFromLimit } from './limits.js';

export type XErrorClass =
  | { kind: 'rate_limited'; resetAt: number; reason: string }
  | { kind: 'duplicate'; reason: string }
  | { kind: 'auth_revoked'; reason: string }
  | { kind: 'transient'; reason: string }
  | { kind: 'fatal'; reason: string };

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);
const DEFAULT_WAIT_MS = 15 * 60_000;

function describe(data: unknown, code: number): string {
  const d = data as { detail?: unknown; title?: unknown; errors?: Array<{ message?: unknown }> } | undefined;
  const msg = d?.errors?.[0]?.message ?? d?.detail ?? d?.title;
  return `HTTP ${code}${typeof msg === 'string' ? `: ${msg}` : ''}`;
}

function isDuplicate(data: unknown): boolean {
  const d = data as { detail?: unknown; errors?: Array<{ code?: unknown; message?: unknown }> } | undefined;
  if (typeof d?.detail === 'string' && /duplicate content/i.test(d.detail)) return true;
  // v1.1 shape: code 187 "Status is a duplicate."
  return !!d?.errors?.some((e) => e?.code === 187 || (typeof e?.message === 'string' && /duplicate/i.test(e.message)));
}

function resetOf(err: ApiResponseError, nowMs: number): number {
  const state = rateStateFromLimit(err.rateLimit) ?? rateStateFromHeaders((err.headers ?? {}) as Record<string, string>);
  const blocked = blockedUntil(state, nowMs);
  if (blocked) return blocked;
  // A 429 whose headers show budget left (or none at all): trust x-rate-limit-reset if it is ahead.
  if (state && state.window.resetAt > nowMs) return state.window.resetAt;
  return nowMs + DEFAULT_WAIT_MS;
}

export function classifyXError(err: unknown, nowMs = Date.now()): XErrorClass {
  if (err instanceof ApiResponseError) {
    const code = err.code;
    const reason = describe(err.data, code);
    if (code === 429 || code === 420) return { kind: 'rate_limited', resetAt: resetOf(err, nowMs), reason };
    if (code === 401) return { kind: 'auth_revoked', reason };
    if (code === 403 && isDuplicate(err.data)) return { kind: 'duplicate', reason };
    if (code >= 500 || code === 408) return { kind: 'transient', reason };
    return { kind: 'fatal', reason };
  }
  if (err instanceof ApiRequestError) {
    // twitter-api-v2 1.29 builds these with `{error}` but its getter reads `requestError`: try both.
    const cause = err.requestError ?? (err as unknown as { _options?: { error?: Error } })._options?.error;
    return { kind: 'transient', reason: `network: ${cause?.message ?? err.message}` };
  }
  if (err instanceof ApiPartialResponseError) return { kind: 'transient', reason: `partial response: ${err.message}` };
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  if (e && (NETWORK_CODES.has(String(e.code)) || e.name === 'AbortError' || e.name === 'TimeoutError' || /timeout/i.test(String(e.message)))) {
    return { kind: 'transient', reason: String(e.message ?? e.code) };
  }
  return { kind: 'fatal', reason: err instanceof Error ? err.message : String(err) };
}
