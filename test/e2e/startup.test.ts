import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin, tfctl } from '../helpers/cli.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * What only other commands need: tick and preview (twitter-api-v2), inflect (az), export and import
 * (tar), drafts and writers' templates (twitter-text, which brings some 240 modules of core-js).
 */
const HEAVY = ['twitter-api-v2', 'az', 'tar', 'twitter-text'];

let redis: PrivateRedis;
let install: string;

/**
 * The built package as installed, with every dependency but HEAVY, and without the bundled Redis client
 * and sandbox (dist/bundle/ioredis.cjs and sandbox.cjs, which a listing does not need): a command that
 * loads one of them fails.
 */
function installWithoutHeavy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tfctl-startup-'));
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  rmSync(join(dir, 'dist', 'bundle', 'ioredis.cjs'));
  rmSync(join(dir, 'dist', 'bundle', 'sandbox.cjs'));
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  mkdirSync(join(dir, 'node_modules'));
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (!HEAVY.includes(name)) symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
  }
  return dir;
}

beforeAll(async () => {
  redis = await startRedis();
  install = installWithoutHeavy();
});
afterAll(async () => {
  rmSync(install, { recursive: true, force: true });
  await redis?.stop();
});

describe('start-up', () => {
  it('list loads none of twitter-api-v2, az, tar, twitter-text, ioredis and the sandbox', async () => {
    const env = { REDIS_URL: redis.url, TFCTL_PREFIX: 'st' };
    expect((await tfctl(['create', 'r1', 'reader'], env)).code).toBe(0);
    const bin = join(install, 'bin', 'tfctl');
    const list = await runBin(bin, ['list'], env);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^r1 +reader/m);
    // The same install does notice a missing package when a command needs one.
    const inflect = await runBin(bin, ['inflect', 'кошка', 'gent,plur'], env);
    expect(inflect.code).not.toBe(0);
    expect(inflect.stderr).toMatch(/\baz\b/);
    const show = await runBin(bin, ['show', 'r1'], env);
    expect(show.code).not.toBe(0);
    expect(show.stderr).toMatch(/ioredis\.cjs/);
    const sandbox = await runBin(bin, ['sandbox', '--port', '0'], env);
    expect(sandbox.code).not.toBe(0);
    expect(sandbox.stderr).toMatch(/sandbox\.cjs/);
  });
});
