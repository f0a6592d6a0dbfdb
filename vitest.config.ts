import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Pipelines import the DSL as users do, by the package's own name.
    alias: { idemflow: fileURLToPath(new URL('./dsl/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Real Kafka and Cassandra for test/integration (started unless already running).
    globalSetup: ['test/integration/global-setup.ts'],
    hookTimeout: 600_000,
  },
});
