import { defineConfig } from 'vitest/config';

// The unit tests that StrykerJS runs against each mutant (`npm run test:mutation`, stryker.config.mjs):
// those that exercise src/ in this process. Left out: the 100,000-file tree and the start-cost test
// (slow, and they measure nothing a mutant changes), and the tests whose child processes load a
// build of src/ that Stryker does not mutate (their mutants would survive for no reason).
// NSB_MUTATION_TESTS (comma-separated test files) narrows the set, for a run with
// `--coverageAnalysis off` (every test of the set against every mutant; see docs/mutation-testing.md).
const only = process.env.NSB_MUTATION_TESTS?.split(',').filter(Boolean);

export default defineConfig({
  test: {
    include: only ?? ['test/unit/**/*.test.{ts,tsx}'],
    exclude: ['test/unit/large-tree.test.ts', 'test/unit/start-cost.test.ts', 'test/unit/rotate-concurrency.test.ts'],
    environment: 'node',
    // Fewer random runs of the property tests per mutant (test/unit/*.property.test.ts read it).
    env: { NSB_MUTATION: '1' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
