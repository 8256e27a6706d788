import { describe, expect, it } from 'vitest';
import { apiOrigin, createXClient, originPlugin, rewriteAuthLink } from '../../src/x/client.js';

describe('X client', () => {
  it('the plugin swaps the origin, forces form parsing for /oauth/ and sets a timeout', () => {
    const plugin = originPlugin('http://127.0.0.1:9999', 1234);
    const params = { url: 'https://api.x.com/2/tweets?x=1', method: 'POST' } as Record<string, unknown>;
    plugin.onBeforeRequestConfig!({ params } as never);
    expect(params).toMatchObject({ url: 'http://127.0.0.1:9999/2/tweets?x=1', timeout: 1234 });
    expect(params.forceParseMode).toBeUndefined();
    const oauth = { url: 'https://api.x.com/oauth/request_token' } as Record<string, unknown>;
    plugin.onBeforeRequestConfig!({ params: oauth } as never);
    expect(oauth).toMatchObject({ url: 'http://127.0.0.1:9999/oauth/request_token', forceParseMode: 'url' });
    const hostFirst = { url: 'api.x.com/2/users/me' } as Record<string, unknown>;
    plugin.onBeforeRequestConfig!({ params: hostFirst } as never);
    expect(hostFirst.url).toBe('http://127.0.0.1:9999/2/users/me');
    const real = { url: 'https://api.x.com/2/tweets' } as Record<string, unknown>;
    originPlugin(undefined).onBeforeRequestConfig!({ params: real } as never);
    expect(real.url).toBe('https://api.x.com/2/tweets');
  });

  it('rewrites auth links and validates the API base', () => {
    expect(rewriteAuthLink('https://api.x.com/oauth/authorize?oauth_token=abc', 'http://127.0.0.1:5/')).toBe('http://127.0.0.1:5/oauth/authorize?oauth_token=abc');
    expect(rewriteAuthLink('https://api.x.com/oauth/authorize?oauth_token=abc')).toBe('https://api.x.com/oauth/authorize?oauth_token=abc');
    expect(apiOrigin('http://localhost:8080/anything')).toBe('http://localhost:8080');
    expect(() => apiOrigin('ftp://x')).toThrow(/invalid/);
    expect(() => createXClient({ apiBase: 'not a url', appKey: 'k', appSecret: 's' })).toThrow(/invalid/);
    expect(createXClient({ appKey: 'k', appSecret: 's', accessToken: 't', accessSecret: 'u' }).v2).toBeDefined();
  });
});
