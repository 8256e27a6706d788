import { describe, expect, it } from 'vitest';
import { hidePassword, loadConfig, readConfig, redisDatabase, redisWhere, seedUrls } from '../../src/config.js';
import { addSecretsFromEnv, redact } from '../../src/redact.js';
import { UsageError } from '../../src/errors.js';

describe('configuration', () => {
  it('comes from the environment, with the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379/0', prefix: 'tf', xApi: undefined });
    expect(loadConfig({ REDIS_URL: 'redis://h:1/2', TFCTL_PREFIX: 'p' })).toMatchObject({ redisUrl: 'redis://h:1/2', prefix: 'p' });
  });

  it('shows URLs with any password hidden, and otherwise exactly as given', () => {
    expect(hidePassword('redis://:s3cret@db.local:6379/0')).toBe('redis://:***@db.local:6379/0');
    expect(hidePassword('http://u:pw@h:8086/db')).toBe('http://u:***@h:8086/db');
    expect(hidePassword('http://h:8086')).toBe('http://h:8086');
    expect(hidePassword('redis://127.0.0.1:1/0')).toBe('redis://127.0.0.1:1/0');
    expect(hidePassword('not a url')).toBe('not a url');
  });
});

describe('configuration is checked before anything runs', () => {
  it('reads the database from REDIS_URL and refuses what is not a database number', () => {
    expect(redisDatabase('redis://h:1')).toBe(0);
    expect(redisDatabase('redis://:pw@h:1/7')).toBe(7);
    expect(redisDatabase('rediss://h/12')).toBe(12);
    expect(redisDatabase('/run/redis.sock?db=3')).toBe(3);
    expect(redisDatabase('redis://:pw@h:1/abc')).toMatch(/database "abc", which is not a database number/);
    expect(redisDatabase('redis://:pw@h:1/-1')).toMatch(/not a database number/);
    expect(redisDatabase('http://h:1/0')).toMatch(/not a Redis URL/);
    expect(redisDatabase('h:6379')).toMatch(/not a Redis URL|not a URL/);
    expect(redisDatabase('http://:pw@h:1/0')).not.toContain('pw');
  });

  it('throws a usage error for a bad setting, naming it, and lists every problem for the doctor', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://h/x' })).toThrow(UsageError);
    expect(() => loadConfig({ TFCTL_X_API: 'ftp://h' })).toThrow(/TFCTL_X_API must be an http\(s\) origin/);
    expect(() => loadConfig({ TFCTL_X_API: 'http://h:1/2' })).toThrow(/no path/);
    expect(() => loadConfig({ TFCTL_PREFIX: 'a{b}' })).toThrow(/TFCTL_PREFIX/);
    expect(loadConfig({ TFCTL_X_API: 'http://127.0.0.1:8787/' }).xApi).toBe('http://127.0.0.1:8787/');
    expect(readConfig({ REDIS_URL: 'redis://h/x', TFCTL_X_API: 'nope' }).problems).toHaveLength(2);
  });

  it('names where a farm lives without credentials', () => {
    expect(redisWhere('redis://:pw@db.local:6380/2', 2)).toBe('db.local:6380/2');
    expect(redisWhere('redis://db.local', 0)).toBe('db.local:6379/0');
  });

  it('takes a Redis Cluster: one or several seed nodes, database 0 only, passwords hidden', () => {
    expect(loadConfig({ REDIS_URL: 'redis://h:1', TFCTL_REDIS_CLUSTER: '1' })).toMatchObject({ redisCluster: true, redisDb: 0 });
    expect(loadConfig({ REDIS_URL: 'redis://h:1' }).redisCluster).toBe(false);
    expect(seedUrls('redis://:pw@a:1,b:2, c:3/0')).toEqual(['redis://:pw@a:1/0', 'redis://:pw@b:2/0', 'redis://:pw@c:3/0']);
    expect(seedUrls('redis://a:1')).toEqual(['redis://a:1']);
    expect(loadConfig({ REDIS_URL: 'redis://:pw@a:1,b:2', TFCTL_REDIS_CLUSTER: '1' }).redisDb).toBe(0);
    expect(readConfig({ REDIS_URL: 'redis://a:1/1', TFCTL_REDIS_CLUSTER: '1' }).problems).toEqual(['REDIS_URL selects database 1, but a Redis Cluster has only database 0 (TFCTL_REDIS_CLUSTER=1): drop /1 from the URL']);
    expect(readConfig({ REDIS_URL: 'redis://a:1,b:x', TFCTL_REDIS_CLUSTER: '1' }).problems[0]).toMatch(/^REDIS_URL "redis:\/\/b:x" is not a URL/);
    // Several hosts without the setting are no URL at all.
    expect(readConfig({ REDIS_URL: 'redis://a:1,b:2' }).problems[0]).toMatch(/is not a URL/);
    expect(hidePassword('redis://:s3cret@a:1,b:2')).toBe('redis://:***@a:1,b:2');
    expect(redisWhere('redis://:pw@a:1,b:2', 0, true)).toBe('cluster a:1,b:2');
    addSecretsFromEnv({ REDIS_URL: 'redis://:cluster-pw@a:1,b:2' });
    expect(redact('AUTH cluster-pw failed')).toBe('AUTH *** failed');
  });
});
