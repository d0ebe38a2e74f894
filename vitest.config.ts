import { defineConfig } from 'vitest/config';

// Tests import workspace packages from their TypeScript sources (the "source" export condition),
// so a change is tested without a rebuild; the built dist/ is what the tno command runs.
export default defineConfig({
  resolve: { conditions: ['source', 'node', 'import', 'default'] },
  // Vitest hands ssr.resolve.conditions to the test processes as node --conditions, where they also
  // steer require(): with 'import' there, a CommonJS package requiring a dual package (pg requiring
  // pg-pool) gets the ES module namespace instead of the class. Vite adds import/require by itself.
  ssr: { resolve: { conditions: ['source', 'node', 'default'], externalConditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'conformance/test/**/*.test.ts', 'vectors/test/**/*.test.ts', 'release/test/**/*.test.ts'],
    globalSetup: ['scripts/ensure-debian-packages.mjs'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
