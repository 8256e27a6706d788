import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { weightedLength } from '../../src/text/weight.js';
import { tfctl } from '../helpers/cli.js';
import { runCli } from '../helpers/inproc.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';

/** A writer's hashtags end to end: created by the CLI, ticked against the sandbox, counted in Redis. */
let redis: PrivateRedis;
let client: Redis;
let sb: TestSandbox;
let env: Record<string, string>;
const accounts = new Map<string, Creds>();

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  sb = await startTestSandbox({ tier: 'pro' });
  for (const [name, creds] of await sb.seedHome('tagger')) accounts.set(name, creds);
  env = { REDIS_URL: redis.url, ...sb.cliEnv, TFCTL_PREFIX: 'tags' };
});
afterAll(async () => {
  await sb?.close();
  await redis?.stop();
});

const creds = (name: string) => ['--token', accounts.get(name)!.token, '--secret', accounts.get(name)!.secret];

describe('hashtags', () => {
  it('a writer with --hashtags "#котики:2 #пятница" adds both while they fit and stops #котики after two posts', async () => {
    for (const args of [
      ['create', 'r1', 'reader', ...creds('owner')],
      ['create', 'w', 'writer', '--reader', 'r1', '--template', '%s – это когда тебя любят.', '--grab', '1', '--hashtags', '#котики:2 #пятница', ...creds('tagger')],
    ]) {
      const r = await tfctl(args, env);
      expect(r.code, r.stderr).toBe(0);
    }
    const bad = await tfctl(['set', 'w', 'hashtags=#1'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid hashtag "#1"/);

    const config = loadConfig(env);
    for (let i = 0; i < 4; i++) {
      const r = await runCli(['tick', '--force', '--json'], config);
      expect(r.code, r.stderr).toBe(0);
    }
    const posted = (await sb.tweets('tagger')).sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id.length - b.id.length || (a.id < b.id ? -1 : 1))).map((t) => t.text);
    expect(posted).toHaveLength(4);
    expect(posted.slice(0, 2).every((t) => t.endsWith(' #котики #пятница'))).toBe(true);
    expect(posted.slice(2).every((t) => t.endsWith('любят. #пятница'))).toBe(true);
    for (const t of posted) expect(weightedLength(t)).toBeLessThanOrEqual(280);
    // The quota is counted by the posts' own bookkeeping.
    expect(await client.hgetall('tags:{w}:hashtags')).toEqual({ '#котики': '2', '#пятница': '4', ':turn': '4' });
    const show = JSON.parse((await runCli(['show', 'w', '--json'], config)).stdout) as Record<string, unknown>;
    expect(show.hashtags).toBe('#котики:2 #пятница');
  });
});
