import { describe, expect, it } from 'vitest';
import { OAuth1Helper } from 'twitter-api-v2/dist/esm/client-mixins/oauth1.helper.js';
import { baseString, checkHeader, hmacSha1, parseAuthHeader, percentEncode, signingKey } from '../../src/sandbox/oauth.js';

describe('sandbox OAuth 1.0a', () => {
  it('percent-encodes per RFC 3986', () => {
    expect(percentEncode("a b!*'()~-._")).toBe('a%20b%21%2A%27%28%29~-._');
    expect(percentEncode('кот')).toBe('%D0%BA%D0%BE%D1%82');
  });

  it('reproduces the signature of the example in X\'s "creating a signature" docs', () => {
    const params: Array<[string, string]> = [
      ['status', 'Hello Ladies + Gentlemen, a signed OAuth request!'],
      ['include_entities', 'true'],
      ['oauth_consumer_key', 'xvz1evFS4wEEPTGEFPHBog'],
      ['oauth_nonce', 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '1318622958'],
      ['oauth_token', '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb'],
      ['oauth_version', '1.0'],
    ];
    const base = baseString('post', 'https://api.twitter.com/1.1/statuses/update.json', params);
    const key = signingKey('kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw', 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE');
    expect(hmacSha1(base, key)).toBe('hCtSmYh+iHYCEqBWrE7C7hYmtUk=');
  });

  it('agrees with the signature twitter-api-v2 computes, query included', () => {
    const helper = new OAuth1Helper({ consumerKeys: { key: 'ck', secret: 'cs' } });
    const url = 'http://127.0.0.1:1234/2/users/1/timelines/reverse_chronological';
    const data = { since_id: '17', 'tweet.fields': 'author_id,created_at' };
    const auth = helper.authorize({ url, method: 'GET', data }, { key: 'tok', secret: 'ts' });
    const header = parseAuthHeader(helper.toHeader(auth).Authorization)!;
    expect(header.get('oauth_token')).toBe('tok');
    const params: Array<[string, string]> = [...header].filter(([k]) => k !== 'oauth_signature');
    params.push(...Object.entries(data));
    expect(hmacSha1(baseString('GET', url, params), signingKey('cs', 'ts'))).toBe(auth.oauth_signature);
  });

  it('rejects stale timestamps, foreign consumers and other methods', () => {
    const now = 1_700_000_000_000;
    const h = new Map([
      ['oauth_consumer_key', 'ck'],
      ['oauth_nonce', 'n'],
      ['oauth_signature', 's'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', String(now / 1000 - 299)],
    ]);
    expect(checkHeader(h, 'ck', now)).toBeUndefined();
    expect(checkHeader(new Map([...h, ['oauth_timestamp', String(now / 1000 + 301)]]), 'ck', now)).toBe('timestamp');
    expect(checkHeader(h, 'other', now)).toBe('consumer');
    expect(checkHeader(new Map([...h, ['oauth_signature_method', 'PLAINTEXT']]), 'ck', now)).toBe('method');
    expect(checkHeader(new Map([...h].filter(([k]) => k !== 'oauth_nonce')), 'ck', now)).toBe('missing');
    expect(parseAuthHeader('Bearer abc')).toBeUndefined();
  });
});
