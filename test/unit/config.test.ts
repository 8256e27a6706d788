import { describe, expect, it } from 'vitest';
import { hidePassword, loadConfig } from '../../src/config.js';

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
