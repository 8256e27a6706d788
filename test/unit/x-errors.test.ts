import { describe, expect, it } from 'vitest';
import { ApiPartialResponseError, ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import { classifyXError } from '../../src/x/errors.js';
import { blockedUntil, rateStateFromHeaders, rateStateFromLimit } from '../../src/x/limits.js';

function respErr(code: number, data: unknown, headers: Record<string, string> = {}, rateLimit?: unknown) {
  return new ApiResponseError(`Request failed with code ${code}`, {
    code,
    data: data as never,
    headers,
    request: {} as never,
    response: {} as never,
    rateLimit: rateLimit as never,
  });
}

const NOW = 1_800_000_000_000;

describe('classifyXError', () => {
  it('429: resets from x-rate-limit-reset, or the exhausted 24-hour window when that is the spent one', () => {
    const simple = classifyXError(respErr(429, {}, {}, { limit: 1, remaining: 0, reset: NOW / 1000 + 900 }), NOW);
    expect(simple).toMatchObject({ kind: 'rate_limited', resetAt: NOW + 900_000 });
    const day = classifyXError(
      respErr(429, {}, {}, {
        limit: 100, remaining: 99, reset: NOW / 1000 + 900,
        userDay: { limit: 17, remaining: 0, reset: NOW / 1000 + 80_000 },
        day: { limit: 17, remaining: 3, reset: NOW / 1000 + 70_000 },
      }),
      NOW,
    );
    expect(day).toMatchObject({ kind: 'rate_limited', resetAt: NOW + 80_000_000 });
    const headersOnly = classifyXError(respErr(429, {}, { 'x-rate-limit-limit': '5', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(NOW / 1000 + 60) }), NOW);
    expect(headersOnly).toMatchObject({ kind: 'rate_limited', resetAt: NOW + 60_000 });
    const none = classifyXError(respErr(429, {}), NOW);
    expect(none).toMatchObject({ kind: 'rate_limited', resetAt: NOW + 15 * 60_000 });
  });

  it('duplicate 403, other 403 fatal, 401 auth revoked, 5xx transient, 400 fatal', () => {
    const dup = { detail: 'You are not allowed to create a Tweet with duplicate content.', type: 'about:blank', title: 'Forbidden', status: 403 };
    expect(classifyXError(respErr(403, dup)).kind).toBe('duplicate');
    expect(classifyXError(respErr(403, { errors: [{ code: 187, message: 'Status is a duplicate.' }] })).kind).toBe('duplicate');
    expect(classifyXError(respErr(403, { title: 'Forbidden', detail: 'Forbidden', type: 'about:blank' })).kind).toBe('fatal');
    expect(classifyXError(respErr(401, { title: 'Unauthorized', detail: 'Unauthorized' }))).toEqual({ kind: 'auth_revoked', reason: 'HTTP 401: Unauthorized' });
    expect(classifyXError(respErr(503, { title: 'Service Unavailable' })).kind).toBe('transient');
    expect(classifyXError(respErr(500, undefined)).kind).toBe('transient');
    expect(classifyXError(respErr(400, { errors: [{ message: 'Your Tweet text is too long.' }] }))).toEqual({ kind: 'fatal', reason: 'HTTP 400: Your Tweet text is too long.' });
  });

  it('network errors, partial responses and timeouts are transient; anything else fatal', () => {
    const net = new ApiRequestError('Request failed.', { request: {} as never, error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(classifyXError(net)).toEqual({ kind: 'transient', reason: 'network: connect ECONNREFUSED' });
    const timeout = new ApiRequestError('Request failed.', { request: {} as never, error: new Error('Request timeout.') });
    expect(classifyXError(timeout).kind).toBe('transient');
    const partial = new ApiPartialResponseError('partial', { request: {} as never, response: {} as never, responseError: new Error('x'), rawContent: '' });
    expect(classifyXError(partial).kind).toBe('transient');
    expect(classifyXError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).kind).toBe('transient');
    expect(classifyXError(new TypeError('x is undefined')).kind).toBe('fatal');
  });
});

describe('rate-limit state helpers', () => {
  it('reads headers and tells when a call can be made', () => {
    const s = rateStateFromHeaders({
      'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '5', 'x-rate-limit-reset': String(NOW / 1000 + 900),
      'x-app-limit-24hour-limit': '10000', 'x-app-limit-24hour-remaining': '0', 'x-app-limit-24hour-reset': String(NOW / 1000 + 3600),
    })!;
    expect(s.window).toEqual({ limit: 100, remaining: 5, resetAt: NOW + 900_000 });
    expect(blockedUntil(s, NOW)).toBe(NOW + 3_600_000);
    expect(blockedUntil(s, NOW + 3_600_001)).toBe(0);
    expect(rateStateFromHeaders({})).toBeUndefined();
    expect(rateStateFromLimit({ limit: 1, remaining: 1, reset: 5 })?.window).toEqual({ limit: 1, remaining: 1, resetAt: 5000 });
    expect(blockedUntil(undefined)).toBe(0);
  });
});
