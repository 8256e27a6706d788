import { describe, expect, it } from 'vitest';
import { FAULTS, runChaos } from '../../src/chaos/harness.js';
import { BIN } from '../helpers/cli.js';

/**
 * The fault harness, short: one round of every fault type (X faults through the proxy, kill -9 at a
 * random moment and at a failpoint, Redis paused and restarted mid-tick), then the invariants from the
 * sandbox's own record. `npm run chaos -- --rounds 200` is the long run.
 */
describe('nothing lost, nothing twice, under faults', () => {
  it(`holds for ${FAULTS.length} seeded rounds, one of each fault type`, async () => {
    const s = await runChaos({ rounds: FAULTS.length, seed: 14, bin: BIN });
    expect(s.violations).toEqual([]);
    expect(s).toMatchObject({ lost: 0, posted_twice: 0, resent_posts: 0, crashed_ticks: 0, unexpected: 0, unsettled: 0, locks_past_ttl: 0, stale_intents: 0 });
    expect(Object.keys(s.by_fault).filter((f) => f !== 'settle').sort()).toEqual([...FAULTS].sort());
    expect(s.posts_forwarded).toBeGreaterThan(FAULTS.length); // the writers did post through the faults
  }, 600_000);
});
