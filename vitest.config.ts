import { defineConfig } from 'vitest/config';

/**
 * Two projects, one `npm test`:
 * - `unit` (`*.unit.test.ts`): needs nothing but Node; starts no Temporal server
 *   (`npm test -- --project unit`). Local stand-ins (the Stripe sandbox) may run in-process.
 * - `integration` (every other `*.test.ts`): against one real Temporal dev server for the
 *   run, started by the global setup (which fetches the Temporal CLI when it is missing).
 */
export default defineConfig({
  test: {
    // Temporal's native core bridge must not run in worker_threads: keep the forks pool.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: each file starting its own Temporal worker is heavy; run a couple at once.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.unit.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.unit.test.ts'],
          globalSetup: ['test/setup/temporal-global-setup.ts'],
        },
      },
    ],
  },
});
