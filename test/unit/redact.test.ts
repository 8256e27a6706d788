import { describe, expect, it } from 'vitest';
import { addSecret, addSecretsFromEnv, redact } from '../../src/redact.js';

describe('redact', () => {
  it('blanks URL passwords, secret fields as ioredis logs them, and known values', () => {
    expect(redact('cannot reach https://bot:hunter2pass@x.example:8443/2/tweets')).toBe('cannot reach https://bot:***@x.example:8443/2/tweets');
    expect(redact(`hset([ 'tf:bot:{w}', 'token', '1234-abcDEF', 'secret', 'S3cr3tS3cr3t', 'every_s', '60' ])`)).toBe(
      `hset([ 'tf:bot:{w}', 'token', '***', 'secret', '***', 'every_s', '60' ])`,
    );
    expect(redact('{"token":"1234-abc","template":"x"}')).toBe('{"token":"***","template":"x"}');
    expect(redact('oauth_token="1234-abc", oauth_signature="zzz%3D"')).toBe('oauth_token="***", oauth_signature="***"');
    addSecret('plain-value-seen-before');
    expect(redact('evalsha(sha, 2, plain-value-seen-before)')).toBe('evalsha(sha, 2, ***)');
    addSecretsFromEnv({ TFCTL_X_API: 'http://u:p%40ss-word@127.0.0.1:1', TFCTL_CONSUMER_SECRET: 'consumer-secret-1' });
    expect(redact('auth([ p@ss-word ]) consumer-secret-1')).toBe('auth([ *** ]) ***');
    expect(redact('every=60 paused=false template={noun:gent}')).toBe('every=60 paused=false template={noun:gent}');
    expect(redact('set w token=1234-abc secret=xyz every=1h')).toBe('set w token=*** secret=*** every=1h');
    expect(redact("evalsha('sha,4,p:bots,zz,token,4242-abc,secret,xyz123,created_at,1')")).toBe("evalsha('sha,4,p:bots,zz,token,***,secret,***,created_at,1')");
    // Prose naming a secret's file is not a secret.
    expect(redact('bot "rx": secret: /tmp/open.secret can be read by others')).toBe('bot "rx": secret: /tmp/open.secret can be read by others');
  });

  it('blanks every known value among many, wherever it stands, the longest where two begin alike', () => {
    for (let i = 0; i < 2000; i++) addSecret(`${1000 + i}-tokenvalue${i}`);
    addSecret('shared-head-short');
    addSecret('shared-head-short-and-longer');
    expect(redact('1000-tokenvalue0')).toBe('***');
    expect(redact('x1999-tokenvalue999y and 2999-tokenvalue1999')).toBe('x***y and ***');
    expect(redact('1500-tokenvalue5001500-tokenvalue500')).toBe('******');
    expect(redact('a shared-head-short-and-longer b shared-head-short c')).toBe('a *** b *** c');
    expect(redact('1000-tokenvalue')).toBe('1000-tokenvalue');
    expect(redact('posted 1')).toBe('posted 1');
  });
});
