import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin, tfctl } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const copies: string[] = [];
afterAll(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** bin/ and the bundle copied beside each other, so their caches can be spoiled without touching the build. */
function copyOfTheBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tfctl-cache-'));
  copies.push(dir);
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'dist'));
  cpSync(join(ROOT, 'dist', 'bundle'), join(dir, 'dist', 'bundle'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

describe('the code caches the build writes', () => {
  it('are taken by V8 for quick commands and for long ones, each under its own flags', async () => {
    for (const [args, kind] of [[['list', '--help'], 'quick'], [['--version'], 'quick'], [['tick', '--help'], 'full'], [['inflect', '--help'], 'full']] as const) {
      const r = await tfctl([...args], { TFCTL_DEBUG: '1' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`code cache (${kind}): taken`);
    }
  });

  it('only speed a start up: without one, or with a spoiled one, the bundle is compiled as usual', async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const dir = copyOfTheBundle();
    rmSync(join(dir, 'dist', 'bundle', 'tfctl.cjs.quick.cache'));
    writeFileSync(join(dir, 'dist', 'bundle', 'tfctl.cjs.full.cache'), 'not a code cache');
    const bin = join(dir, 'bin', 'tfctl');
    const missing = await runBin(bin, ['--version'], { TFCTL_DEBUG: '1' });
    expect(missing.stderr).toContain('code cache (quick): missing');
    expect(missing.stdout.trim()).toBe(version);
    const refused = await runBin(bin, ['tick', '--help'], { TFCTL_DEBUG: '1' });
    expect(refused.stderr).toContain('code cache (full): refused by V8');
    expect(refused.stdout).toContain('Usage: tfctl tick');
  });
});
