import { describe, expect, it } from 'vitest';
import { tfctl } from '../helpers/cli.js';

describe('the code caches the build writes', () => {
  it('are taken by V8 for quick commands and for long ones, each under its own flags', async () => {
    for (const [args, kind] of [[['list', '--help'], 'quick'], [['--version'], 'quick'], [['tick', '--help'], 'full'], [['inflect', '--help'], 'full']] as const) {
      const r = await tfctl([...args], { TFCTL_DEBUG: '1' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`code cache (${kind}): taken`);
    }
  });
});
