import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { tfctl } from '../helpers/cli.js';
import { exportFarm } from '../../src/archive/export.js';
import { startSandbox } from '../../src/sandbox/server.js';

/** Tokens, secrets and passwords stay out of ps, DEBUG output, error lines, last_error and world-readable files. */
let redis: PrivateRedis;
let client: Redis;
let dir: string;
beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  dir = mkdtempSync(join(tmpdir(), 'tfctl-secrets-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await redis?.stop();
});

const TOKEN = '4242-tokenvalue0001';
const SECRET = 'secretvalue0001xyz';

describe('secrets', () => {
  it('create and set take tokens from stdin or TFCTL_TOKEN/TFCTL_TOKEN_SECRET, never needing them in argv', async () => {
    const env = { REDIS_URL: redis.url, TFCTL_PREFIX: 's1' };
    expect((await tfctl(['create', 'r1', 'reader', '--token-stdin'], env, `${TOKEN}\n${SECRET}\n`)).code).toBe(0);
    expect(await client.hmget('s1:bot:{r1}', 'token', 'secret')).toEqual([TOKEN, SECRET]);
    expect((await tfctl(['create', 'r2', 'reader'], { ...env, TFCTL_TOKEN: TOKEN, TFCTL_TOKEN_SECRET: SECRET })).code).toBe(0);
    expect(await client.hmget('s1:bot:{r2}', 'token', 'secret')).toEqual([TOKEN, SECRET]);
    expect((await tfctl(['set', 'r2', '--token-stdin'], env, '4242-newtoken\nnewsecret\n')).code).toBe(0);
    expect(await client.hmget('s1:bot:{r2}', 'token', 'secret')).toEqual(['4242-newtoken', 'newsecret']);
    // With key=value assignments the environment's tokens are left alone.
    expect((await tfctl(['set', 'r2', 'every=2h'], { ...env, TFCTL_TOKEN: 'x-1', TFCTL_TOKEN_SECRET: 'y' })).code).toBe(0);
    expect(await client.hget('s1:bot:{r2}', 'token')).toBe('4242-newtoken');
    const bad = await tfctl(['create', 'r3', 'reader', '--token-stdin'], env, 'only-a-token\n');
    expect(bad.code).toBe(2);
  });

  it('DEBUG=ioredis:* (as the README documents) prints commands, not tokens', async () => {
    const env = { REDIS_URL: redis.url, TFCTL_PREFIX: 's2', DEBUG: 'ioredis:*' };
    const r = await tfctl(['create', 'r1', 'reader', '--token', TOKEN, '--secret', SECRET], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ioredis/); // the debug output is there…
    expect(r.stderr).not.toContain(TOKEN); // …without the secrets
    expect(r.stderr).not.toContain(SECRET);
    const s = await tfctl(['set', 'r1', `token=${TOKEN}x`, `secret=${SECRET}x`], env);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).not.toContain(TOKEN);
    expect(s.stderr).not.toContain(SECRET);
  });

  it('a password in TFCTL_X_API is neither echoed nor stored in last_error', async () => {
    const env = { REDIS_URL: redis.url, TFCTL_PREFIX: 's3', TFCTL_CONSUMER_KEY: 'ck', TFCTL_CONSUMER_SECRET: 'cs-consumer-secret' };
    expect((await tfctl(['create', 'r1', 'reader', '--token-stdin'], env, `${TOKEN}\n${SECRET}\n`)).code).toBe(0);
    for (const api of ['http://farm:Pa55w0rdX@127.0.0.1:9', 'http://farm:Pa55w0rdX@127.0.0.1:99999']) {
      const r = await tfctl(['tick', '--force', '--json'], { ...env, TFCTL_X_API: api });
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).not.toContain('Pa55w0rdX');
      expect((await client.hget('s3:bot:{r1}', 'last_error')) ?? '').not.toContain('Pa55w0rdX');
    }
  });

  it('export writes nothing through a symlink planted at a temporary name, and the archive is 0600', async () => {
    await client.hset('s4:bot:{r1}', 'role', 'reader', 'token', TOKEN, 'secret', SECRET);
    await client.sadd('s4:{farm-wide}:bots', 'r1');
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    const file = join(dir, 'farm.tar.gz');
    // The name main used for its temporary file, in the archive's (shared) directory.
    symlinkSync(victim, join(dir, `.farm.tar.gz.${process.pid}.partial`));
    await exportFarm(client, 's4', file);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(file).isFile()).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('the sandbox --state file (app secret, every token) is 0600', async () => {
    const state = join(dir, 'sandbox.json');
    const sb = await startSandbox({ seed: true, stateFile: state });
    await sb.close();
    expect(statSync(state).mode & 0o777).toBe(0o600);
  });
});
