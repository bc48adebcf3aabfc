import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Temporal's native core bridge must not run in worker_threads: keep the forks pool.
    pool: 'forks',
    globalSetup: ['test/setup/temporal-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: each file starting its own Temporal worker is heavy; run a couple at once.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
