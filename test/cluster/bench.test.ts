import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BENCH = fileURLToPath(new URL('../../dist/bench/main.js', import.meta.url));

describe('npm run bench -- --cluster', () => {
  it('ticks the same farm on one Redis and on a six-node cluster, every post made once on both', () => {
    const run = spawnSync(process.execPath, [BENCH, '--farm-only', '--cluster', '--rounds', '1', '--writers', '6', '--round-trip-writers', '2', '--list-rounds', '1'], { encoding: 'utf8', timeout: 170_000 });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]!) as Record<string, number>;
    expect(result).toMatchObject({ writers: 6, posts: 6, writers_posted_once: 6, cluster_posts: 6, cluster_failed: 0, cluster_writers_posted_once: 6, cluster_posts_on_x_max: 6 });
    expect(result.cluster_tick_s).toBeGreaterThan(0);
    expect(result.cluster_redis_commands_per_writer).toBeGreaterThan(0);
    expect(result.cluster_idle_tick_ms).toBeGreaterThan(0);
  }, 180_000);
});
