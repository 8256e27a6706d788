import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tfctl, type RunResult } from '../helpers/cli.js';
import { freePort, startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Configuration is checked before anything runs: each bad setting is one line on stderr with the
 * documented exit code (2 for a setting to fix, 1 for a service that does not answer), never a stack
 * trace or bundle text, and nothing is written to Redis.
 */
const PASSWORD = 'pw-Secret-7731';
let redis: PrivateRedis;
let admin: Redis;
let sb: TestSandbox;
let good: Record<string, string>;

beforeAll(async () => {
  redis = await startRedis({ password: PASSWORD });
  admin = redis.client();
  sb = await startTestSandbox();
  good = { REDIS_URL: redis.url, TFCTL_PREFIX: 'cfg', TFCTL_INFLUX_URL: '', ...sb.cliEnv };
});
afterAll(async () => {
  await sb?.close();
  await redis?.stop();
});

const withDb = (db: string, password = PASSWORD) => `redis://:${password}@127.0.0.1:${redis.port}/${db}`;

/** Every key in every database of the private Redis. */
async function everyKey(): Promise<string[]> {
  const keyspace = await admin.info('keyspace');
  return keyspace.split('\n').filter((l) => /^db\d+:/.test(l));
}

function oneLine(r: RunResult, code: number, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tfctl: /);
  expect(lines[0]).toMatch(pattern);
  expect(lines[0]!.length).toBeLessThan(300); // no bundle text
  expect(r.stderr).not.toMatch(/\n\s+at |\.cjs:\d+/); // no stack trace
}

describe('bad configuration: one line, the documented exit code, nothing written', () => {
  it('a REDIS_URL database that this Redis does not have', async () => {
    const r = await tfctl(['create', 'r1', 'reader'], { ...good, REDIS_URL: withDb('99') });
    oneLine(r, 2, /database 99/);
    expect(r.stderr).not.toContain(PASSWORD);
    expect(await everyKey()).toEqual([]);
  });

  it('a REDIS_URL database that is not a number', async () => {
    for (const db of ['abc', '1x', '-1']) {
      const r = await tfctl(['create', 'r1', 'reader'], { ...good, REDIS_URL: withDb(db) });
      oneLine(r, 2, /REDIS_URL/);
      expect(r.stderr).not.toContain(PASSWORD);
    }
    expect(await everyKey()).toEqual([]);
  });

  it('a REDIS_URL that is not a Redis URL', async () => {
    for (const url of ['http://127.0.0.1:6379/0', 'not a url']) {
      oneLine(await tfctl(['list'], { ...good, REDIS_URL: url }), 2, /REDIS_URL/);
    }
  });

  it('a wrong password, and none where one is needed', async () => {
    let r = await tfctl(['create', 'r1', 'reader'], { ...good, REDIS_URL: withDb('0', 'wrong-pw') });
    oneLine(r, 2, /password/);
    expect(r.stderr).not.toContain('wrong-pw');
    r = await tfctl(['create', 'r1', 'reader'], { ...good, REDIS_URL: `redis://127.0.0.1:${redis.port}/0` });
    oneLine(r, 2, /password/);
    expect(await everyKey()).toEqual([]);
  });

  it('a Redis that does not answer is exit 1', async () => {
    const r = await tfctl(['list'], { ...good, REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${await freePort()}/0` });
    oneLine(r, 1, /cannot reach Redis/);
    expect(r.stderr).not.toContain(PASSWORD);
  });

  it('a TFCTL_X_API that is not an http(s) origin', async () => {
    for (const api of ['ftp://127.0.0.1/', 'api.x.com', 'http://127.0.0.1:9/2/tweets', 'http://u:p@127.0.0.1:9']) {
      const r = await tfctl(['create', 'r1', 'reader'], { ...good, TFCTL_X_API: api });
      oneLine(r, 2, /TFCTL_X_API/);
    }
    expect(await everyKey()).toEqual([]);
  });

  it('missing app keys when a due bot needs them: exit 2 before any bot runs', async () => {
    const made = await tfctl(['create', 'r1', 'reader', '--token', '1-abc', '--secret', 'sss'], good);
    expect(made.code, made.stderr).toBe(0);
    const before = await admin.hgetall('cfg:bot:{r1}');
    const keys = (await admin.keys('*')).sort();
    const r = await tfctl(['tick'], { ...good, TFCTL_CONSUMER_KEY: '', TFCTL_CONSUMER_SECRET: '' });
    oneLine(r, 2, /TFCTL_CONSUMER_KEY/);
    expect(await admin.hgetall('cfg:bot:{r1}')).toEqual(before);
    expect((await admin.keys('*')).sort()).toEqual(keys);
    // Nothing due, nothing needed: a tick with nothing to do still succeeds without the keys.
    expect((await tfctl(['destroy', 'r1', '--yes'], good)).code).toBe(0);
    expect((await tfctl(['tick'], { ...good, TFCTL_CONSUMER_KEY: '' })).code).toBe(0);
  });
});

describe('tfctl config (doctor)', () => {
  let influx: Server;
  let influxUrl: string;
  beforeAll(async () => {
    // Stands in for InfluxDB's /ping only: what the doctor asks of it.
    influx = createServer((req, res) => {
      res.writeHead(req.url === '/ping' ? 204 : 404, { 'X-Influxdb-Version': '1.8.10' }).end();
    });
    await new Promise<void>((r) => influx.listen(0, '127.0.0.1', r));
    influxUrl = `http://127.0.0.1:${(influx.address() as AddressInfo).port}/tfctl`;
  });
  afterAll(() => new Promise<void>((r) => influx.close(() => r())));

  it('says which Redis, prefix, X API and InfluxDB are in use, that each answers, the password hidden', async () => {
    const env = { ...good, TFCTL_INFLUX_URL: influxUrl };
    const r = await tfctl(['config'], env);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(`redis://:***@127.0.0.1:${redis.port}/0`);
    expect(r.stdout).toMatch(/prefix\s+cfg/);
    expect(r.stdout).toContain(sb.url);
    expect(r.stdout).toContain(influxUrl);
    expect(r.stdout).not.toContain(PASSWORD);
    expect(r.stdout).not.toContain(sb.app.consumer_secret);

    const j = await tfctl(['doctor', '--json'], env);
    expect(j.code, j.stderr).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc).toMatchObject({
      ok: true,
      redis: { url: `redis://:***@127.0.0.1:${redis.port}/0`, db: 0, ok: true },
      prefix: 'cfg',
      x_api: { url: sb.url, ok: true },
      app_keys: { consumer_key: 'set', consumer_secret: 'set' },
      influx: { url: influxUrl, ok: true },
      problems: [],
    });
    expect(j.stdout).not.toContain(PASSWORD);
  });

  it('says what is wrong: exit 1 when a service does not answer, 2 when a setting is bad', async () => {
    // What the tests above left (the farm's due index, say): config must add nothing to it.
    const keysBefore = await everyKey();
    const port = await freePort();
    let r = await tfctl(['config', '--json'], { ...good, TFCTL_INFLUX_URL: `http://127.0.0.1:${port}/tfctl` });
    expect(r.code).toBe(1);
    let doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.redis.ok).toBe(true);
    expect(doc.influx.ok).toBe(false);
    expect(doc.problems).toEqual([expect.stringMatching(/InfluxDB at http:\/\/127\.0\.0\.1:\d+\/tfctl does not answer/)]);

    r = await tfctl(['config', '--json'], { ...good, TFCTL_CONSUMER_KEY: '' });
    expect(r.code).toBe(2);
    doc = JSON.parse(r.stdout);
    expect(doc.app_keys.consumer_key).toBe('missing');
    expect(doc.problems).toEqual([expect.stringMatching(/TFCTL_CONSUMER_KEY is not set/)]);

    r = await tfctl(['config'], { ...good, REDIS_URL: withDb('99'), TFCTL_X_API: 'ftp://x' });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/problems:/);
    expect(r.stdout).toMatch(/database 99/);
    expect(r.stdout).toMatch(/TFCTL_X_API/);
    expect(r.stdout).not.toContain(PASSWORD);
    expect(await everyKey()).toEqual(keysBefore);
  });
});

describe('list and stats name the farm', () => {
  it('prints the prefix and the Redis host in the header', async () => {
    for (const cmd of ['list', 'stats']) {
      const r = await tfctl([cmd, '--no-chart'].slice(0, cmd === 'stats' ? 2 : 1), good);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe(`farm cfg on 127.0.0.1:${redis.port}/0`);
    }
  });
});
