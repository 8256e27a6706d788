import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, tfctl } from '../helpers/cli.js';
import { startInflux, type PrivateInflux } from '../helpers/influx.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';

/**
 * These tests use this user's real crontab (crontab(1) from Debian's cron): it is saved first and put
 * back afterwards, whatever happens in between.
 */
const hasCrontab = spawnSync('crontab', ['-l'], { encoding: 'utf8' }).error === undefined;

const LOGROTATE = ['/usr/sbin/logrotate', '/sbin/logrotate'].find((p) => existsSync(p));

const crontabL = () => {
  const r = spawnSync('crontab', ['-l'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
};
const setCrontab = (text: string) => execFileSync('crontab', ['-'], { input: text });

const SECRET = 'consumer-SECRET-8f3a';
const MINE = '# my own entries\nMAILTO=""\n0 4 * * * /bin/true nightly\n';

let saved: string | null = null;
let home: string;
let redis: PrivateRedis;
let influx: PrivateInflux;
let env: Record<string, string>;

/**
 * The crontab is this user's, one per machine: suites run side by side (several checkouts on one
 * machine) take turns through a lock directory, so one run's save-and-restore never interleaves with
 * another's. A lock older than five minutes was left by a run that died, and is taken over.
 */
const LOCK = join(tmpdir(), `tfctl-cron-test-${process.getuid?.() ?? 'user'}.lock`);
async function lockCrontab(): Promise<void> {
  for (const deadline = Date.now() + 90_000; ; ) {
    try {
      mkdirSync(LOCK);
      return;
    } catch {
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 300_000) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // gone meanwhile: try again
      }
      if (Date.now() > deadline) throw new Error(`the crontab stayed locked by ${LOCK}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

// The reason is in the title, so the runner's report says why these tests did not run.
describe.skipIf(!hasCrontab)(hasCrontab ? 'tfctl cron' : 'tfctl cron — skipped: no crontab command (apt-get install cron)', () => {
  let locked = false;
  beforeAll(async () => {
    await lockCrontab();
    locked = true;
    const r = spawnSync('crontab', ['-l'], { encoding: 'utf8' });
    saved = r.status === 0 ? r.stdout : null;
    [redis, influx] = await Promise.all([startRedis(), startInflux()]);
    home = mkdtempSync(join(tmpdir(), 'tfctl-cron-home-'));
    env = {
      HOME: home,
      XDG_CONFIG_HOME: '',
      XDG_STATE_HOME: '',
      REDIS_URL: redis.url,
      TFCTL_PREFIX: 'tf',
      TFCTL_X_API: 'http://127.0.0.1:9/',
      TFCTL_CONSUMER_KEY: 'ck-123',
      TFCTL_CONSUMER_SECRET: SECRET,
      TFCTL_INFLUX_URL: `${influx.url}/crontest`,
    };
    setCrontab(MINE);
    const created = await tfctl(['create', 'r1', 'reader'], env);
    expect(created.code, created.stderr).toBe(0);
  }, 150_000);
  afterAll(async () => {
    await Promise.all([redis?.stop(), influx?.stop()]);
    if (home) rmSync(home, { recursive: true, force: true });
    if (!locked) return; // another run's crontab: not ours to restore
    if (saved === null) spawnSync('crontab', ['-r']);
    else setCrontab(saved);
    rmSync(LOCK, { recursive: true, force: true });
  });

  it('prints the block without the secret and changes nothing', async () => {
    const r = await tfctl(['cron'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^# BEGIN tfctl tf\n[\s\S]*\n# END tfctl tf\n$/);
    expect(r.stdout).toContain('TFCTL_CONSUMER_SECRET=***');
    expect(r.stdout).not.toContain(SECRET);
    const jobs = r.stdout.split('\n').filter((l) => l && !l.startsWith('#') && !l.includes('logrotate'));
    expect(jobs).toHaveLength(2);
    expect(jobs[0]).toMatch(/^\* \* \* \* \* /);
    expect(jobs[1]).toMatch(/^\*\/10 \* \* \* \* .* stats --quiet /);
    for (const j of jobs) {
      expect(j).toContain(`${process.execPath} ${realpathSync(BIN)}`);
      expect(j).toContain(`. ${home}/.config/tfctl/env;`);
    }
    expect(r.stdout).toContain(`${home}/.local/state/tfctl/tick.log`);
    expect(crontabL()).toBe(MINE);
  });

  it('installs idempotently next to the user\'s entries, with the env in a 0600 file', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await tfctl(['cron', '--install'], env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
    const table = crontabL();
    expect(table.match(/^# BEGIN tfctl tf$/gm)).toHaveLength(1);
    expect(table.match(/^# END tfctl tf$/gm)).toHaveLength(1);
    expect(table.startsWith(MINE)).toBe(true);
    expect(table).not.toContain(SECRET);

    const envFile = join(home, '.config/tfctl/env');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(envFile, 'utf8');
    expect(text).toContain(`TFCTL_CONSUMER_SECRET=${SECRET}\n`);
    expect(text).toContain(`REDIS_URL=${redis.url}\n`);

    // Run the stats job the way cron would: sh, an almost empty environment, only what the block says.
    const job = table.split('\n').find((l) => l.includes(' stats --quiet '))!;
    const command = job.split(' ').slice(5).join(' ');
    const run = spawnSync('/bin/sh', ['-c', command], { env: { HOME: home, PATH: '/usr/bin:/bin', SHELL: '/bin/sh' }, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const log = readFileSync(join(home, '.local/state/tfctl/stats.log'), 'utf8');
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z influx: 1 point written to http:\/\/127\.0\.0\.1:\d+\/crontest\n$/);

    // The tick job the same way: its log holds JSON lines, each with its time (r1 has no tokens: it fails).
    const tickJob = table.split('\n').find((l) => / tick > /.test(l))!;
    const tickRun = spawnSync('/bin/sh', ['-c', tickJob.split(' ').slice(5).join(' ')], { env: { HOME: home, PATH: '/usr/bin:/bin', SHELL: '/bin/sh' }, encoding: 'utf8' });
    expect(tickRun.status).toBe(1);
    const tickLog = readFileSync(join(home, '.local/state/tfctl/tick.log'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { time: string; level: string; bot?: string; msg: string });
    expect(tickLog.map((l) => [l.level, l.bot ?? l.msg])).toEqual([['error', 'r1'], ['info', 'tick done']]);
    for (const l of tickLog) expect(new Date(l.time).toISOString()).toBe(l.time);
    expect(readFileSync(join(home, '.local/state/tfctl/tick.log'), 'utf8')).not.toContain(SECRET);

    // Both logs are rotated by the user's own logrotate run from the block, when logrotate is installed.
    if (LOGROTATE) {
      const conf = join(home, '.config/tfctl/logrotate.conf');
      expect(readFileSync(conf, 'utf8')).toContain(join(home, '.local/state/tfctl/tick.log'));
      const rotateJob = table.split('\n').find((l) => l.includes('logrotate'))!;
      const forced = rotateJob.split(' ').slice(5).join(' ').replace('logrotate ', 'logrotate --force ');
      const rot = spawnSync('/bin/sh', ['-c', forced], { env: { HOME: home, PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
      expect(rot.status, rot.stderr).toBe(0);
      expect(existsSync(join(home, '.local/state/tfctl/tick.log.1'))).toBe(true);
    }
    const reply = await influx.query('SHOW MEASUREMENTS', 'crontest');
    expect(reply.results[0]!.series?.[0]?.values.flat()).toContain('tfctl_bot');
  });

  it('keeps another farm\'s block and replaces its own when the settings change', async () => {
    let r = await tfctl(['cron', '--install'], { ...env, TFCTL_PREFIX: 'other', TFCTL_INFLUX_URL: '' });
    expect(r.code, r.stderr).toBe(0);
    r = await tfctl(['cron', '--install'], { ...env, TFCTL_INFLUX_URL: '' });
    expect(r.code, r.stderr).toBe(0);
    const table = crontabL();
    expect(table.match(/^# BEGIN tfctl tf$/gm)).toHaveLength(1);
    expect(table.match(/^# BEGIN tfctl other$/gm)).toHaveLength(1);
    expect(table).toContain(`${home}/.config/tfctl/other/env`);
    expect(table).not.toContain('stats --quiet'); // no InfluxDB configured any more
  });

  it('removes only its block', async () => {
    let r = await tfctl(['cron', '--remove'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('removed');
    r = await tfctl(['cron', '--remove'], { ...env, TFCTL_PREFIX: 'other' });
    expect(r.code, r.stderr).toBe(0);
    expect(crontabL()).toBe(MINE);
    r = await tfctl(['cron', '--remove'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing to remove');
    expect(crontabL()).toBe(MINE);
  });

  it('refuses --install with --remove', async () => {
    const r = await tfctl(['cron', '--install', '--remove'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tfctl: use either --install or --remove/);
  });
});
