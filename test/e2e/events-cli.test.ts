import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { tfctl } from '../helpers/cli.js';
import { runCli } from '../helpers/inproc.js';
import { loadConfig } from '../../src/config.js';
import { AUTHOR_TWEETS, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Farm events through the CLI: a writer's 401 is `failed` and `token_revoked`, new tokens and a good
 * tick `recovered`; `tfctl events` lists them (NDJSON with --json), and the webhook gets each once,
 * also those it missed while it was down.
 */
let redis: PrivateRedis;
let sb: TestSandbox;
let receiver: Receiver;
let env: Record<string, string>;

beforeAll(async () => {
  redis = await startRedis();
  sb = await startTestSandbox({ tier: 'pro' });
  receiver = await startReceiver();
  await sb.seedHome();
  env = { REDIS_URL: redis.url, ...sb.cliEnv, TFCTL_PREFIX: 'ev', TFCTL_WEBHOOK_URL: receiver.url };
});
afterAll(async () => {
  await receiver?.stop();
  await sb?.close();
  await redis?.stop();
});

const run = (args: string[]) => runCli(args, loadConfig(env));
async function ok(args: string[]) {
  const r = await run(args);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}
const tokens = async (name: string) => {
  const c = await sb.account(name);
  return [`token=${c.token}`, `secret=${c.secret}`];
};

describe('tfctl events and the webhook', () => {
  it('a 401 is failed and token_revoked; new tokens and a good tick are recovered; the webhook gets each once, also after being down', async () => {
    const w = await sb.account('w1');
    await ok(['create', 'r1', 'reader', '--token', (await sb.account('owner')).token, '--secret', (await sb.account('owner')).secret]);
    await ok(['create', 'w1', 'writer', '--reader', 'r1', '--template', 'Снова о {noun:loct}.', '--grab', '1', '--token', w.token, '--secret', w.secret]);
    await ok(['tick']);
    expect(receiver.got.map((e) => `${e.type}:${e.bot}`)).toEqual(['posted:w1']);

    await receiver.stop();
    await sb.revoke('w1');
    const failed = await run(['tick', '--force', 'w1']);
    expect(failed.code).toBe(1);
    // Failing, it is skipped: no second `failed`.
    await run(['tick', '--force', 'w1']);
    await ok(['set', 'w1', ...(await tokens('w1'))]);
    await ok(['tick', '--force', 'w1']);

    const text = (await ok(['events', '--bot', 'w1'])).stdout.trim().split('\n');
    expect(text.map((l) => l.split(/\s+/)[1])).toEqual(['posted', 'failed', 'token_revoked', 'posted', 'recovered']);
    const json = (await ok(['events', '--json', '--since', '1h'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(json.map((e) => e.type)).toEqual(['posted', 'failed', 'token_revoked', 'posted', 'recovered']);
    expect(json[1]).toMatchObject({ bot: 'w1', detail: expect.stringMatching(/401/) });
    expect(Date.parse(json[1]!.at!)).toBeGreaterThan(0);
    expect(json.every((e) => typeof e.id === 'string')).toBe(true);

    // The receiver comes back: the next run (cron's, here a tick with nothing due) sends what it missed, in order, once.
    await receiver.start();
    for (let i = 0; i < 20 && receiver.got.length < 5; i++) {
      await new Promise((r) => setTimeout(r, 500));
      await ok(['tick']);
    }
    expect(receiver.got.map((e) => e.type)).toEqual(['posted', 'failed', 'token_revoked', 'posted', 'recovered']);
    expect(receiver.got.map((e) => e.id)).toEqual(json.map((e) => e.id));
    await ok(['tick']);
    expect(receiver.got).toHaveLength(5);
  });

  it('a backlog over TFCTL_BACKLOG_ALERT is one event per consumer of the source, measured after the tick', async () => {
    const many = loadConfig({ ...env, TFCTL_PREFIX: 'evb', TFCTL_BACKLOG_ALERT: '2', TFCTL_WEBHOOK_URL: undefined });
    const owner = await sb.account('owner');
    const must = async (args: string[]) => expect((await runCli(args, many)).code, args.join(' ')).toBe(0);
    await must(['create', 'r2', 'reader', '--token', owner.token, '--secret', owner.secret]);
    for (const name of ['w2', 'w3']) {
      const w = await sb.account(name);
      await must(['create', name, 'writer', '--reader', 'r2', '--template', 'Снова о {noun:loct}.', '--grab', '1', '--token', w.token, '--secret', w.secret]);
    }
    await runCli(['tick'], many);
    const events = (await runCli(['events', '--json', '--since', '1h'], many)).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; bot: string; backlog?: number; source?: string });
    const backlog = events.filter((e) => e.type === 'backlog');
    // Each writer took one of the reader's tweets; what is left of them is over 2.
    expect(backlog.map((e) => e.bot).sort()).toEqual(['w2', 'w3']);
    for (const e of backlog) expect(e).toMatchObject({ source: 'r2', backlog: AUTHOR_TWEETS.length - 1 });
  });

  it('refuses a bad --since and an unknown bot with exit 2, and prints NDJSON as a child process', async () => {
    expect((await run(['events', '--since', 'soon'])).code).toBe(2);
    expect((await run(['events', '--bot', 'ghost'])).code).toBe(2);
    const r = await tfctl(['events', '--json', '--bot', 'w1'], env);
    expect(r.code, r.stderr).toBe(0);
    for (const line of r.stdout.trim().split('\n')) expect(JSON.parse(line)).toHaveProperty('type');
  });
});
