import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runCli } from '../helpers/inproc.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Transient failures (5xx, timeouts, connection refused) bring a bot back after 1, 2, 4 … minutes,
 * capped at its `every`, instead of a whole interval; a success resets the backoff. The farm follows the
 * sandbox's clock (TFCTL_CLOCK=sandbox), so minutes pass without waiting.
 */
let redis: PrivateRedis;
let client: Redis;
let sb: TestSandbox;
let env: Record<string, string>;
let farmNo = 0;

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  sb = await startTestSandbox({ tier: 'pro' });
  env = { REDIS_URL: redis.url, TFCTL_CLOCK: 'sandbox', ...sb.cliEnv };
});
afterAll(async () => {
  await sb?.close();
  await redis?.stop();
});
beforeEach(() => {
  env.TFCTL_PREFIX = `backoff${++farmNo}`;
});

const run = (args: string[], extra: Record<string, string> = {}) => runCli(args, loadConfig({ ...env, ...extra }));

/** A reader on an account of its own; returns the path of its timeline, where faults are put. */
async function createReader(every: string): Promise<string> {
  const who = await sb.account(`acct${farmNo}`);
  const r = await run(['create', 'r1', 'reader', '--every', every, '--token', who.token, '--secret', who.secret]);
  expect(r.code, r.stderr).toBe(0);
  return `/2/users/${who.id}/timelines/reverse_chronological`;
}

/** How long after its last tick the bot is next due, in seconds. */
async function gap(): Promise<number> {
  const h = await client.hgetall(`${env.TFCTL_PREFIX}:bot:{r1}`);
  return (Number(h.next_due_at) - Number(h.last_tick_at)) / 1000;
}

async function tick(): Promise<{ status: string; detail: string }> {
  const r = await run(['tick', 'r1', '--json']);
  const bot = (JSON.parse(r.stdout) as { bots: Array<{ status: string; detail: string }> }).bots[0]!;
  return bot;
}

describe('transient failures back off', () => {
  it('1, 2, 4 … minutes after each 5xx in a row, capped at every; a success resets it', async () => {
    const timeline = await createReader('5m');
    await sb.fault(timeline, 503, 4);
    const gaps: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect((await tick()).status).toBe('failed');
      gaps.push(await gap());
      // Not due before its backoff is over, due right after.
      expect((await tick()).detail).toBe('not due');
      await sb.advance(gaps[i]! + 1);
    }
    expect(gaps).toEqual([60, 120, 240, 300]);

    expect((await tick()).status).not.toBe('failed');
    expect(await gap()).toBe(300);

    // After a success, the next transient failure starts again at one minute.
    await sb.advance(301);
    await sb.fault(timeline, 500, 1);
    expect((await tick()).status).toBe('failed');
    expect(await gap()).toBe(60);
  });

  it('a refused connection is transient too', async () => {
    await createReader('1h');
    const r = await run(['tick', 'r1', '--force', '--json'], { TFCTL_X_API: 'http://127.0.0.1:1', TFCTL_CLOCK: 'system' });
    expect(r.code).toBe(1);
    expect(await gap()).toBe(60);
  });

  it('an error X will never accept waits the whole interval', async () => {
    const timeline = await createReader('1h');
    await sb.fault(timeline, 400, 1);
    expect((await tick()).status).toBe('failed');
    expect(await gap()).toBe(3600);
  });
});
