import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Limits for a hung test, not speed targets (those live in `npm run bench`): a loaded two-core host
    // can take several times an idle one's time for an e2e test that spawns processes.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // e2e tests spawn processes and private servers: two cores, so keep the pool small.
    maxWorkers: 2,
  },
});
