import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

interface Manifest {
  readonly exports: Record<string, string | Record<string, string>>;
}

/**
 * Pipelines and tests import idemflow as users do, by the package's own name;
 * here each entry point resolves to its TypeScript source (the "idemflow-source"
 * condition of package.json's exports), so the tests need no build.
 */
function sourceAliases() {
  const manifest = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as Manifest;
  return Object.entries(manifest.exports).flatMap(([subpath, target]) => {
    if (typeof target === 'string' || !target['idemflow-source']) return [];
    const name = `idemflow${subpath.slice(1)}`;
    return [
      {
        find: new RegExp(`^${name}$`),
        replacement: fileURLToPath(new URL(target['idemflow-source'], import.meta.url)),
      },
    ];
  });
}

// IDEMFLOW_NO_SERVICES=1: only the tests that need no Kafka or Cassandra, and no servers started
// (.ci/run runs these on each supported Node version; test/integration needs the servers).
const withServices = !process.env.IDEMFLOW_NO_SERVICES;

export default defineConfig({
  resolve: { alias: sourceAliases() },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: withServices ? configDefaults.exclude : [...configDefaults.exclude, 'test/integration/**'],
    testTimeout: 30_000,
    // Tests assert plain text. picocolors turns colour on when CI is set, even into a pipe (CI logs
    // render it), so without this the suite passed here and failed under CI; every CLI the tests
    // start inherits it too.
    env: { NO_COLOR: '1' },
    // Real Kafka and Cassandra for test/integration (started unless already running).
    globalSetup: withServices ? ['test/integration/global-setup.ts'] : [],
    hookTimeout: 600_000,
  },
});
