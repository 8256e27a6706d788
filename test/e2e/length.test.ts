import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { tfctl } from '../helpers/cli.js';
import { startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Length as X counts it (twitter-text's default weighting: Cyrillic weighs 1 per letter), through the
 * CLI: a long Russian template posts through the sandbox, one that can never fit is refused at once.
 */
let redis: PrivateRedis;
let client: Redis;
let sb: TestSandbox;
let env: Record<string, string>;
const accounts = new Map<string, Creds>();

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  sb = await startTestSandbox({ tier: 'pro' });
  for (const name of ['owner', 'author', 'longw']) accounts.set(name, await sb.account(name));
  await sb.follow('owner', 'author');
  await sb.tweet('author', 'Сегодня кошка спала на диване весь день');
  env = { REDIS_URL: redis.url, TFCTL_PREFIX: 'len', ...sb.cliEnv };
});
afterAll(async () => {
  client?.disconnect();
  await sb?.close();
  await redis?.stop();
});

const creds = (name: string) => ['--token', accounts.get(name)!.token, '--secret', accounts.get(name)!.secret];

describe('tweet length as X counts it', () => {
  it('posts a template of 270 Cyrillic letters and %s', async () => {
    const template = `${'я'.repeat(270)} %s`;
    expect((await tfctl(['create', 'r1', 'reader', ...creds('owner')], env)).code).toBe(0);
    const created = await tfctl(['create', 'longw', 'writer', '--reader', 'r1', '--template', template, ...creds('longw')], env);
    expect(created.code, created.stderr).toBe(0);
    const r = await tfctl(['tick', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ posted: 1, failed: 0 });
    const posted = (await sb.tweets('longw')).map((t) => t.text);
    expect(posted).toEqual([`${'я'.repeat(270)} кошка`]); // 276 weighted: X took it
  });

  it('refuses a template of 290 Cyrillic letters with exit 2, its weighted length, and nothing written', async () => {
    const before = await client.keys('*');
    const r = await tfctl(['create', 'toolong', 'writer', '--reader', 'r1', '--template', `${'я'.repeat(290)} %s`], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/too long.*\b29[0-9]\b.*280/);
    expect((await client.keys('*')).sort()).toEqual(before.sort());
  });

  it('refuses it on set too, and keeps the old template', async () => {
    const r = await tfctl(['set', 'longw', `template=${'я'.repeat(281)}%s`], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/too long/);
    const shown = JSON.parse((await tfctl(['show', 'longw', '--json'], env)).stdout) as { template: string };
    expect(shown.template).toBe(`${'я'.repeat(270)} %s`);
  });

  it('preview says "too long" when the tweet\'s nouns make the text too long', async () => {
    // 278 + a noun of 3 letters or more: fits only a two-letter form, so the template is accepted.
    expect((await tfctl(['set', 'longw', `template=${'я'.repeat(277)} %s`], env)).code).toBe(0);
    const r = await tfctl(['preview', 'longw', '--text', 'Сегодня кошка спала на диване'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/too long/);
    expect(r.stdout).not.toMatch(/no usable noun/);
  });
});
