import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, tfctl } from '../helpers/cli.js';
import { freePort, startRedis, type PrivateRedis } from '../helpers/redis.js';

/** `tfctl run` as a process: a node-cron schedule with a seconds field, signals, and a deliberately slow X. */
let redis: PrivateRedis;
let env: Record<string, string>;

beforeAll(async () => {
  redis = await startRedis();
  env = { REDIS_URL: redis.url, TFCTL_PREFIX: 'tf' };
});
afterAll(async () => redis?.stop());
beforeEach(async () => redis.flush());

interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
  /** Resolves once stdout has `n` summary lines. */
  lines: (n: number) => Promise<string[]>;
}

const SUMMARY = /^\d{4}-\d\d-\d\dT\S+Z \d+ ran, \d+ posted, \d+ fetched, \d+ failed, \d+ rate-limited, \d+ skipped in [\d.]+s$/;

function startRun(extra: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [BIN, 'run', '--schedule', '* * * * * *'], { env: { ...process.env, TFCTL_DEBUG: '', ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (d) => {
    out += d;
    for (const w of waiters) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d) => {
    err += d;
    for (const w of waiters) w();
  });
  const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const exit = new Promise<number | null>((r) => child.on('close', (code) => {
    clearTimeout(kill);
    r(code);
  }));
  const lines = (n: number) => new Promise<string[]>((resolve, reject) => {
    const check = () => {
      const got = out.split('\n').filter(Boolean);
      if (got.length >= n) resolve(got);
    };
    waiters.push(check);
    check();
    void exit.then(() => reject(new Error(`exited before ${n} lines: ${out}\n${err}`)));
  });
  return { child, out: () => out, err: () => err, exit, lines };
}

describe('tfctl run', () => {
  it('ticks on the schedule, one summary line per tick, and exits 0 on SIGTERM', async () => {
    expect((await tfctl(['create', 'r1', 'reader'], env)).code).toBe(0);
    expect((await tfctl(['set', 'r1', 'paused=yes'], env)).code).toBe(0);
    const run = startRun();
    const lines = await run.lines(2);
    for (const l of lines) expect(l).toMatch(SUMMARY);
    // A paused bot is not due: a tick does not even read it.
    expect(lines[0]).toMatch(/ 0 ran, .* 0 skipped /);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.err()).toMatch(/SIGTERM: finishing the tick in progress/);
  });

  it('keeps going when a tick fails', async () => {
    const run = startRun({ REDIS_URL: `redis://127.0.0.1:${await freePort()}/0` });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if ((run.err().match(/tfctl: tick failed: cannot reach Redis/g) ?? []).length >= 2) {
          clearInterval(t);
          resolve();
        }
      }, 50);
    });
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
  });

  it('lets the tick in progress finish after SIGTERM, never running two at once', async () => {
    // An X that takes 2.5 s per request: the tick is surely running when the signal comes.
    let inFlight = 0;
    let maxInFlight = 0;
    let served = 0;
    let firstRequest!: () => void;
    const started = new Promise<void>((r) => (firstRequest = r));
    const slow: Server = createServer((req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      firstRequest();
      setTimeout(() => {
        inFlight--;
        served++;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"title":"Service Unavailable","status":503}');
      }, 2500);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
    const api = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    try {
      const xenv = { TFCTL_X_API: api, TFCTL_CONSUMER_KEY: 'ck', TFCTL_CONSUMER_SECRET: 'cs' };
      expect((await tfctl(['create', 'r1', 'reader', '--token', '12345-tok', '--secret', 'sec'], env)).code).toBe(0);
      const run = startRun(xenv);
      await started;
      await new Promise((r) => setTimeout(r, 1200)); // a scheduled second passes during the tick
      expect(run.out()).toBe('');
      run.child.kill('SIGTERM');
      const code = await run.exit;
      expect(code, run.err()).toBe(0);
      // The tick ran to its end after the signal: X answered, and the summary was printed.
      expect(served).toBeGreaterThanOrEqual(1);
      const lines = run.out().split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(SUMMARY);
      expect(lines[0]).toMatch(/ 1 ran, /);
      expect(run.err()).toMatch(/previous tick still running; skipping this one/);
      expect(maxInFlight).toBe(1);
      expect(run.err()).not.toContain('sec\n');
    } finally {
      await new Promise((r) => slow.close(r));
    }
  });
});
