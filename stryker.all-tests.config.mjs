// `npx stryker run stryker.all-tests.config.mjs --mutate <files>`: every test of the set against every
// mutant, without Stryker's per-test coverage, whose mapping misses tests here with the vitest runner
// (docs/mutation-testing.md). Slow: narrow the tests with NSB_MUTATION_TESTS (a comma-separated list
// of test files, read by vitest.mutation.config.mts) to those that reach the modules mutated.
import base from './stryker.config.mjs';

export default {
  ...base,
  coverageAnalysis: 'off',
  ignoreStatic: false,
  jsonReporter: { fileName: 'reports/mutation-all-tests/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation-all-tests/mutation.html' },
};
