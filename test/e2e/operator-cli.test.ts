import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run as auth } from '../../src/cli/commands/auth.js';
import { run as inflect } from '../../src/cli/commands/inflect.js';
import { loadConfig } from '../../src/config.js';
import { BIN, tfctl } from '../helpers/cli.js';
import { runCli } from '../helpers/inproc.js';
import { bufferIo } from '../helpers/io.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/** What an operator meets around the main job: set, auth, help, tick's skip reasons, inflect, export. */
let redis: PrivateRedis;
let client: Redis;
let sb: TestSandbox;
let env: Record<string, string>;
let farmNo = 0;
let dir: string;

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  sb = await startTestSandbox({ tier: 'pro' });
  env = { REDIS_URL: redis.url, ...sb.cliEnv };
  dir = mkdtempSync(join(tmpdir(), 'tfctl-operator-'));
});
afterAll(async () => {
  await sb?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  env.TFCTL_PREFIX = `op${++farmNo}`;
});

const config = () => loadConfig(env);
const run = (args: string[]) => runCli(args, config());
const hash = (name: string) => client.hgetall(`${env.TFCTL_PREFIX}:bot:{${name}}`);

async function ok(args: string[]) {
  const r = await run(args);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

describe('tfctl set', () => {
  it('every= reschedules the bot from now', async () => {
    await ok(['create', 'r1', 'reader', '--every', '1h']);
    expect((await run(['tick', 'r1', '--force'])).code).toBe(1); // fails (no tokens), and is due in an hour
    const before = Date.now();
    await ok(['set', 'r1', 'every=10m']);
    const after = Date.now();
    const due = Number((await hash('r1')).next_due_at);
    expect(due).toBeGreaterThanOrEqual(before + 600_000);
    expect(due).toBeLessThanOrEqual(after + 600_000);
  });

  it('refuses an empty or blank token or secret, writing nothing', async () => {
    await ok(['create', 'r1', 'reader', '--token', 'T1', '--secret', 'S1']);
    const h = await hash('r1');
    for (const a of ['token=', 'token=   ', 'secret=', 'secret=\t']) {
      const r = await run(['set', 'r1', 'every=5m', a]);
      expect(r.code, a).toBe(2);
      expect(r.stderr).toMatch(/^tfctl: (token|secret) must not be (empty|blank)/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await hash('r1')).toEqual(h);
  });
});

describe('tfctl auth', () => {
  it('warns when the account is already bound to another bot of the farm', async () => {
    const account = await sb.account('shared_acct');
    await ok(['create', 'first', 'reader', '--token', account.token, '--secret', account.secret]);
    await ok(['create', 'second', 'reader']);
    const io = bufferIo();
    let url = '';
    await auth({ name: 'second' }, io, config(), {
      show: (u) => (url = u),
      readPin: async () => {
        const page = await (await fetch(`${url}&username=shared_acct`)).text();
        return /<code id="pin">(\d+)<\/code>/.exec(page)?.[1];
      },
    });
    expect(io.stdout).toBe('authorized second as @shared_acct\n');
    expect(io.stderr).toMatch(/warning: @shared_acct is already bound to bot first/);

    // An account of its own: no warning.
    const alone = bufferIo();
    await ok(['create', 'third', 'reader']);
    await auth({ name: 'third' }, alone, config(), {
      show: (u) => (url = u),
      readPin: async () => /<code id="pin">(\d+)<\/code>/.exec(await (await fetch(`${url}&username=alone_acct`)).text())?.[1],
    });
    expect(alone.stderr).toBe('');
  });
});

describe('tfctl help', () => {
  it('exits 0 for help and help <cmd>, in-process and as a process; no command at all is still exit 2', async () => {
    for (const args of [['help'], ['help', 'list'], ['list', '--help']]) {
      expect((await run(args)).code, args.join(' ')).toBe(0);
      const r = await tfctl(args, env);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout + r.stderr).toMatch(/Usage: tfctl/);
    }
    expect((await tfctl([], env)).code).toBe(2);
  });
});

describe('human tick output', () => {
  it('says why each named bot was skipped', async () => {
    await ok(['create', 'idle1', 'reader', '--every', '1h']);
    await ok(['create', 'off', 'reader']);
    await ok(['set', 'off', 'paused=true']);
    expect((await run(['tick', 'idle1', '--force'])).code).toBe(1); // ran (and failed: no tokens): not due for an hour
    const r = await run(['tick', 'idle1', 'off']);
    expect(r.stdout).toMatch(/^idle1 \(reader\): skipped - not due/m);
    expect(r.stdout).toMatch(/^off \(reader\): skipped - paused/m);
  });
});

describe('tfctl inflect from stdin', () => {
  it('warns on stderr for each line without a tab, with its line number, and still answers every line', async () => {
    const io = bufferIo();
    const code = await inflect({}, io, Readable.from(['кошка\tgent,plur\n', 'собака\n', '\n', 'дом\tloct\n']));
    expect(code).toBe(0);
    expect(io.stdout.split('\n')).toHaveLength(5);
    expect(io.stderr).toMatch(/line 2: no tab/);
    expect(io.stderr).not.toMatch(/line 1\b/);
    expect(io.stderr).not.toMatch(/line 4\b/);
  });
});

describe('tfctl export', () => {
  it('refuses to overwrite a file without --force, and writes to stdout with -', async () => {
    await ok(['create', 'r1', 'reader']);
    const file = join(dir, `exists-${farmNo}.tar.gz`);
    writeFileSync(file, 'precious');
    let r = await tfctl(['export', file], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exists.*--force/);
    expect(readFileSync(file, 'utf8')).toBe('precious');
    r = await tfctl(['export', '--yaml', file], env);
    expect(r.code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe('precious');

    r = await tfctl(['export', '--force', file], env);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip

    // `-` is stdout: the archive's bytes there, the summary on stderr, and no file called "-".
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      import('node:child_process').then(({ spawn }) => {
        const child = spawn(process.execPath, [BIN, 'export', '-'], { env: { ...process.env, ...env }, cwd: dir });
        const chunks: Buffer[] = [];
        child.stdout.on('data', (d: Buffer) => chunks.push(d));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`exit ${code}`))));
      }, reject);
    });
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(existsSync(join(dir, '-'))).toBe(false);
    const archive = join(dir, `from-stdout-${farmNo}.tar.gz`);
    writeFileSync(archive, bytes);
    env.TFCTL_PREFIX = `op${++farmNo}`;
    r = await tfctl(['import', archive], env);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('list and stats on a terminal', () => {
  it('fit its width, and print whole lines when not a terminal', async () => {
    const { run: list } = await import('../../src/cli/commands/list.js');
    const { run: stats } = await import('../../src/cli/commands/stats.js');
    await ok(['create', 'r1', 'reader']);
    await client.hset(`${env.TFCTL_PREFIX}:bot:{r1}`, 'last_error', `GET /2/users/me: HTTP 503: ${'unavailable '.repeat(20)}`);
    for (const command of [list, stats]) {
      const tty = bufferIo({ isTTY: true, columns: 70 });
      await command({}, tty, config());
      for (const l of tty.stdout.trimEnd().split('\n')) expect(l.length, l).toBeLessThanOrEqual(70);
    }
    const piped = bufferIo();
    await list({}, piped, config());
    expect(piped.stdout).toContain('unavailable '.repeat(19));
  });
});
