import { spawn } from 'node:child_process';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, tfctl } from '../helpers/cli.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/** The OAuth 1.0a PIN flow end to end: tfctl auth as a process, the sandbox as X, a person played by fetch. */
let redis: PrivateRedis;
let client: Redis;
let sb: TestSandbox;
let env: Record<string, string>;

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  sb = await startTestSandbox();
  env = { REDIS_URL: redis.url, TFCTL_PREFIX: 'tf', ...sb.cliEnv };
});
afterAll(async () => {
  await sb?.close();
  await redis?.stop();
});
beforeEach(async () => {
  await redis.flush();
  expect((await tfctl(['create', 'bot1', 'reader'], env)).code).toBe(0);
});

interface AuthRun {
  code: number;
  stdout: string;
  stderr: string;
  url: string;
}

/** Runs `tfctl auth`, waits for the authorize URL, lets `answer` produce the PIN line, then waits for exit. */
function authFlow(name: string, answer: (url: string) => Promise<string>): Promise<AuthRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'auth', name], { env: { ...process.env, TFCTL_DEBUG: '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let url = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = /(https?:\/\/\S+\/oauth\/authorize\?\S+)/.exec(stderr);
      if (m && !url) {
        url = m[1]!;
        answer(url).then((line) => child.stdin.end(line), reject);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, url });
    });
  });
}

/** What a person does: opens the page, signs in as `username`, copies the PIN. */
async function pinFor(url: string, username: string): Promise<string> {
  const page = await (await fetch(`${url}&username=${username}`)).text();
  const pin = /<code id="pin">(\d+)<\/code>/.exec(page)?.[1];
  if (!pin) throw new Error(`no PIN on the page: ${page}`);
  return pin;
}

describe('tfctl auth', () => {
  it('authorizes a bot through the PIN flow and stores tokens and identity, printing no secret', async () => {
    const r = await authFlow('bot1', async (url) => `${await pinFor(url, 'alice_bot')}\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.url.startsWith(`${sb.url}/oauth/authorize?oauth_token=`)).toBe(true);
    expect(r.stderr).toMatch(/Open this URL, authorize, then type the PIN/);
    expect(r.stdout).toBe('authorized bot1 as @alice_bot\n');

    const h = await client.hgetall('tf:bot:{bot1}');
    expect(h.username).toBe('alice_bot');
    expect(h.user_id).toMatch(/^\d+$/);
    expect(h.token).toBeTruthy();
    expect(h.secret).toBeTruthy();
    expect(r.stdout + r.stderr).not.toContain(h.token!);
    expect(r.stdout + r.stderr).not.toContain(h.secret!);
    // The stored tokens are alice's: X answers /2/users/me with her account.
    const me = await sb.client({ id: h.user_id!, username: 'alice_bot', name: '', token: h.token!, secret: h.secret! }).v2.me();
    expect(me.data).toMatchObject({ id: h.user_id, username: 'alice_bot' });
    const show = JSON.parse((await tfctl(['show', 'bot1', '--json'], env)).stdout);
    expect(show).toMatchObject({ token: 'set', secret: 'set' });
  });

  it('fails with exit 1 and one line when X rejects the PIN, storing nothing', async () => {
    const r = await authFlow('bot1', async () => '1234567\n');
    expect(r.code).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('tfctl:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^tfctl: authorization failed: X did not accept the PIN/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await client.hget('tf:bot:{bot1}', 'token')).toBeNull();
  });

  it('is a usage error without the X app keys, or with no PIN, or for an unknown bot', async () => {
    const noApp = await tfctl(['auth', 'bot1'], { ...env, TFCTL_CONSUMER_KEY: '', TFCTL_CONSUMER_SECRET: '' });
    expect(noApp.code).toBe(2);
    expect(noApp.stderr.trim()).toBe('tfctl: the X app is not configured: set TFCTL_CONSUMER_KEY and TFCTL_CONSUMER_SECRET');
    const noPin = await tfctl(['auth', 'bot1'], env, '');
    expect(noPin.code).toBe(2);
    expect(noPin.stderr).toMatch(/tfctl: no PIN was given/);
    const unknown = await tfctl(['auth', 'nobody'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe('tfctl: unknown bot "nobody" (see tfctl list)');
  });
});
