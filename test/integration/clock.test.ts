import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { openClock } from '../../src/farm/clock.js';
import { runCli } from '../helpers/inproc.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const DAY = 86_400_000;
let redis: PrivateRedis;
let sb: TestSandbox;
let system: Config;
let sandboxed: Config;

beforeAll(async () => {
  redis = await startRedis();
  sb = await startTestSandbox();
  system = { ...loadConfig({}), redisUrl: redis.url, prefix: 'clock', xApi: sb.url, consumerKey: sb.app.consumer_key, consumerSecret: sb.app.consumer_secret };
  sandboxed = { ...system, clock: 'sandbox' };
});
afterAll(async () => {
  await sb?.close();
  await redis?.stop();
});

const list = async (config: Config) => {
  const r = await runCli(['list', '--json'], config);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Array<{ name: string; status: string; next_due_at: string; last_tick_at: string | null }>;
};

describe('TFCTL_CLOCK=sandbox', () => {
  it("moves the farm through time with the sandbox's clock", async () => {
    const owner = await sb.account('owner');
    await sb.account('friend');
    await sb.follow('owner', 'friend');
    await sb.tweet('friend', 'Кошки спят весь день.');
    await sb.advance(3 * 86_400); // the sandbox is three days ahead of the system clock

    let r = await runCli(['create', 'r1', 'reader', '--token', owner.token, '--secret', owner.secret, '--every', '1h'], sandboxed);
    expect(r.code, r.stderr).toBe(0);
    r = await runCli(['tick', 'r1', '--json'], sandboxed);
    expect(r.code, r.stderr).toBe(0);
    const ticked = JSON.parse(r.stdout) as { started_at: string; bots: Array<{ status: string }> };
    expect(ticked.bots[0]!.status).toBe('ok');
    // The tick ran at the sandbox's time, and the bot is due an hour after it.
    expect(Date.parse(ticked.started_at)).toBeGreaterThan(Date.now() + 3 * DAY - 60_000);
    const [r1] = await list(sandboxed);
    expect(Date.parse(r1!.last_tick_at!)).toBeGreaterThan(Date.now() + 3 * DAY - 60_000);
    expect(Date.parse(r1!.next_due_at) - Date.parse(r1!.last_tick_at!)).toBe(3_600_000);
    expect(r1!.status).toBe('waiting');

    // An hour later on the sandbox's clock the reader is due again; on the system's it is days away.
    await sb.advance(3601);
    expect((await list(sandboxed))[0]!.status).toBe('due');
    expect((await list(system))[0]!.status).toBe('waiting');
    // A tick runs only the due bots (the named ones say why not); by the sandbox's clock, r1 is one.
    r = await runCli(['tick', '--json'], system);
    expect((JSON.parse(r.stdout) as { bots: unknown[] }).bots).toEqual([]);
    r = await runCli(['tick', 'r1', '--json'], system);
    expect((JSON.parse(r.stdout) as { bots: Array<{ detail: string }> }).bots[0]!.detail).toBe('not due');
    r = await runCli(['tick', '--json'], sandboxed);
    expect((JSON.parse(r.stdout) as { bots: Array<{ name: string; status: string }> }).bots).toEqual([expect.objectContaining({ name: 'r1', status: 'idle' })]);
  });

  it('says which clock it could not read, and refuses an unknown one', async () => {
    await expect(openClock({ clock: 'sandbox', xApi: 'http://127.0.0.1:9' })).rejects.toThrow(/cannot read the sandbox's clock at http:\/\/127\.0\.0\.1:9\/sandbox\/clock/);
    await expect(openClock({ clock: 'sandbox' })).rejects.toThrow(/needs TFCTL_X_API/);
    await expect(openClock({ clock: 'sundial' })).rejects.toThrow(/invalid TFCTL_CLOCK "sundial"/);
    expect((await openClock({})).kind).toBe('system');
  });
});
