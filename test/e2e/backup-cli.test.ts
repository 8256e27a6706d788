import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tfctl } from '../helpers/cli.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';

let redis: PrivateRedis;
let dir: string;

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'tfctl-backup-'));
});
afterAll(async () => {
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('tfctl backup', () => {
  it('run five times with --keep 3 leaves the 3 newest archives, 0600, each importable', async () => {
    const env = { REDIS_URL: redis.url, TFCTL_PREFIX: 'bk' };
    const out = join(dir, 'backups');
    expect((await tfctl(['create', 'q', 'scheduler', '--every', '8h'], env)).code).toBe(0);
    const written: string[] = [];
    for (let i = 0; i < 5; i++) {
      expect((await tfctl(['drafts', 'add', 'q', '-'], env, `черновик ${i}\n`)).code).toBe(0);
      const r = await tfctl(['backup', out, '--keep', '3', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      written.push((JSON.parse(r.stdout) as { file: string }).file);
      // A file of the user's own in the same directory is never touched.
      if (i === 0) writeFileSync(join(out, 'keep-me.tar.gz'), 'not ours');
    }
    const left = readdirSync(out).sort();
    expect(left).toEqual([...written.slice(2).map((f) => f.slice(out.length + 1)), 'keep-me.tar.gz'].sort());
    expect(statSync(out).mode & 0o777).toBe(0o700);
    for (const [i, f] of written.slice(2).entries()) {
      expect(statSync(f).mode & 0o777).toBe(0o600);
      const restored = { REDIS_URL: redis.url, TFCTL_PREFIX: `restored${i}` };
      const imp = await tfctl(['import', f], restored);
      expect(imp.code, imp.stderr).toBe(0);
      // Each holds the queue as it was when it was taken: 3, 4, then 5 drafts.
      const drafts = JSON.parse((await tfctl(['drafts', 'list', 'q', '--json'], restored)).stdout) as unknown[];
      expect(drafts).toHaveLength(3 + i);
    }
    const bad = await tfctl(['backup', out, '--keep', '0'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--keep/);
  });
});
