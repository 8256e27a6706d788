import { readdirSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The cluster tests (test/cluster/) each start a six-node Redis Cluster. `npm test` runs the quick ones
 * named here; `npm run test:cluster` (TFCTL_CLUSTER_TESTS=all) runs every one of them, and only them.
 */
const QUICK_CLUSTER_TESTS = ['connect.test.ts', 'replication.test.ts', 'end-step.test.ts', 'redirect.test.ts'];
const allCluster = process.env.TFCTL_CLUSTER_TESTS === 'all';
const slowCluster = readdirSync(new URL('./test/cluster/', import.meta.url))
  .filter((f) => f.endsWith('.test.ts') && !QUICK_CLUSTER_TESTS.includes(f))
  .map((f) => `test/cluster/${f}`);

export default defineConfig({
  test: {
    include: allCluster ? ['test/cluster/**/*.test.ts'] : ['test/**/*.test.ts'],
    exclude: allCluster ? configDefaults.exclude : [...configDefaults.exclude, ...slowCluster],
    // Limits for a hung test, not speed targets (those live in `npm run bench`): a loaded two-core host
    // can take several times an idle one's time for an e2e test that spawns processes.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // e2e tests spawn processes and private servers: two cores, so keep the pool small.
    maxWorkers: 2,
  },
});
