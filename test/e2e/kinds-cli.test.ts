import { describe, expect, it } from 'vitest';
import { tfctl } from '../helpers/cli.js';

describe('tfctl kinds as a command', () => {
  it('prints every kind as JSON without touching Redis', async () => {
    // An unreachable Redis: kinds describes the code, not a farm.
    const r = await tfctl(['kinds', '--json'], { REDIS_URL: 'redis://127.0.0.1:9/0' });
    expect(r.code, r.stderr).toBe(0);
    const kinds = JSON.parse(r.stdout) as Array<{ name: string; settings: Array<{ key: string }> }>;
    expect(kinds.map((k) => k.name)).toEqual(['reader', 'writer', 'collector', 'tracker', 'scheduler', 'retweeter']);
    expect(kinds[1]!.settings.map((s) => s.key)).toContain('template');
  });
});
