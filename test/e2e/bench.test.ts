import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BENCH = fileURLToPath(new URL('../../dist/bench/main.js', import.meta.url));

describe('npm run bench', () => {
  it('ticks a small farm, checks every post on the sandbox and counts round trips on the wire', () => {
    const run = spawnSync(process.execPath, [BENCH, '--farm-only', '--writers', '4', '--round-trip-writers', '2', '--list-rounds', '1'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]!) as Record<string, number>;
    expect(result).toMatchObject({ writers: 4, posts: 4, failed: 0, writers_posted_once: 4, posts_on_x_max: 4, idle_tick_redis_commands: 1 });
    // A writer waits for Redis at least for its lock and its bookkeeping.
    expect(result.redis_round_trips_per_writer).toBeGreaterThanOrEqual(2);
    expect(result.redis_commands_per_writer).toBeGreaterThan(0);
    expect(result.tick_s).toBeGreaterThan(0);
    expect(result.peak_rss_mb).toBeGreaterThan(10);
    // Progress goes to stderr, not stdout.
    expect(lines).toHaveLength(1);
    expect(run.stderr).toMatch(/bench: round 1\/1, ours/);
  }, 150_000);
});

describe('npm run bench -- --import', () => {
  it('imports an archive of N keys with tfctl import and reports its time and peak RSS', () => {
    const run = spawnSync(process.execPath, [fileURLToPath(new URL('../../dist/bench/import.js', import.meta.url)), '--keys', '3000'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]!) as Record<string, number>;
    expect(result).toMatchObject({ import_keys: 3000 });
    expect(result.import_s).toBeGreaterThan(0);
    expect(result.import_peak_rss_mb).toBeGreaterThan(10);
  }, 150_000);
});
