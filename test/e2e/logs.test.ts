import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tfctl } from '../helpers/cli.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Logs as an operator reads them: `tfctl tick` writes JSON lines on stderr (stdout stays the report),
 * each with time and level, `bot` on every line about one bot, one line per bot that did something or
 * failed and a summary, at the level TFCTL_LOG_LEVEL asks for; and no token or secret at any level.
 */
let redis: PrivateRedis;
let sb: TestSandbox;
let env: Record<string, string>;
let farmNo = 0;
const accounts = new Map<string, Creds>();

interface Line {
  time: string;
  level: string;
  bot?: string;
  msg: string;
  [k: string]: unknown;
}

beforeAll(async () => {
  redis = await startRedis();
  sb = await startTestSandbox({ tier: 'pro' });
  for (const [name, creds] of await sb.seedHome('w1', 'w2')) accounts.set(name, creds);
  env = { REDIS_URL: redis.url, ...sb.cliEnv };
});
afterAll(async () => {
  await sb?.close();
  await redis?.stop();
});
beforeEach(() => {
  env.TFCTL_PREFIX = `logs${++farmNo}`;
});

const creds = (name: string) => ['--token', accounts.get(name)!.token, '--secret', accounts.get(name)!.secret];

async function farm(): Promise<void> {
  for (const args of [
    ['create', 'r1', 'reader', ...creds('owner')],
    ['create', 'w1', 'writer', '--reader', 'r1', '--template', 'Жизнь без {noun:gent,plur} не та.', '--grab', '1', ...creds('w1')],
    ['create', 'w2', 'writer', '--reader', 'r1', '--template', 'Утро. {Noun}. Кофе.', '--grab', '1', ...creds('w2')],
  ]) {
    const r = await tfctl(args, env);
    expect(r.code, r.stderr).toBe(0);
  }
}

function parse(stderr: string): Line[] {
  return stderr.trimEnd().split('\n').filter(Boolean).map((l) => {
    try {
      return JSON.parse(l) as Line;
    } catch {
      throw new Error(`not a JSON line on stderr: ${stderr.slice(0, 1500)}`);
    }
  });
}

describe('tfctl tick logs', () => {
  it('TFCTL_LOG_LEVEL=info: JSON lines with time, level and bot, one per bot that acted, and a summary', async () => {
    await farm();
    const r = await tfctl(['tick'], { ...env, TFCTL_LOG_LEVEL: 'info' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 ran, 2 posted/); // the report stays on stdout
    const lines = parse(r.stderr);
    for (const l of lines) {
      expect(new Date(l.time).toISOString()).toBe(l.time);
      expect(l.level).toBe('info');
    }
    const byBot = lines.filter((l) => l.bot);
    expect(byBot.map((l) => l.bot).sort()).toEqual(['r1', 'w1', 'w2']);
    const reader = byBot.find((l) => l.bot === 'r1')!;
    expect(reader).toMatchObject({ role: 'reader', status: 'ok', fetched: 5 });
    expect(reader.x_calls).toEqual([expect.objectContaining({ call: 'GET /2/users/:id/timelines/reverse_chronological', status: 200 })]);
    const writer = byBot.find((l) => l.bot === 'w1')!;
    expect(writer).toMatchObject({ role: 'writer', status: 'ok', posted: 1, x_status: 201 });
    expect(typeof writer.ms).toBe('number');
    const summary = lines.filter((l) => !l.bot);
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatchObject({ msg: 'tick done', ran: 3, posted: 2, failed: 0 });

    // Nothing due: only the summary, no line for bots that did nothing.
    const quiet = parse((await tfctl(['tick'], { ...env, TFCTL_LOG_LEVEL: 'info' })).stderr);
    expect(quiet.filter((l) => l.bot)).toEqual([]);
    expect(quiet).toHaveLength(1);
  });

  it('says nothing at the default level (warn) when all goes well, and logs a failure with its X status', async () => {
    await farm();
    let r = await tfctl(['tick', 'r1'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    await sb.fault('/2/tweets', 503, 1, 'POST');
    r = await tfctl(['tick', 'w1'], env);
    expect(r.code).toBe(1);
    const lines = parse(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', bot: 'w1', status: 'failed', x_status: 503 });
  });

  it('never logs a token or a secret, at any level', async () => {
    await farm();
    const secrets = [sb.app.consumer_secret, ...[...accounts.values()].flatMap((a) => [a.token, a.secret])];
    const all: string[] = [];
    // trace logs everything every other level does; a 401 puts an auth failure in the log too.
    await sb.fault('/2/tweets', 401, 1, 'POST');
    for (const args of [['tick', '--force'], ['tick', '--force', '--dry-run'], ['set', 'w1', 'paused=false'], ['tick', 'w1', '--force']]) {
      const r = await tfctl(args, { ...env, TFCTL_LOG_LEVEL: 'trace' });
      all.push(r.stderr, r.stdout);
    }
    const text = all.join('\n');
    expect(parse(all.filter((_, i) => i % 2 === 0).join('\n')).some((l) => l.level === 'debug' || l.level === 'trace')).toBe(true);
    expect(text).toMatch(/auth failed/);
    for (const s of secrets) expect(text).not.toContain(s);
  }, 60_000);

  it('refuses an unknown TFCTL_LOG_LEVEL with exit 2', async () => {
    const r = await tfctl(['tick'], { ...env, TFCTL_LOG_LEVEL: 'loud' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tfctl: TFCTL_LOG_LEVEL "loud"/);
  });
});
