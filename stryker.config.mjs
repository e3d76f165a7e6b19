// The base of StrykerJS's configuration. `npm run test:mutation` (scripts/mutation.mjs) runs
// stryker.all-tests.config.mjs, which builds on it, one group of modules at a time; `npx stryker
// run` with this file alone uses Stryker's per-test coverage, which misses tests here
// (docs/mutation-testing.md) and reports mutants that the tests kill as surviving. `mutate` lists
// the modules that decide what the package writes, deletes, serves or sends with a header.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.mts' },
  mutate: [
    // token, namespace and manifest
    'src/build/token.ts',
    'src/build/file-state.ts',
    'src/shared/safe-names.ts',
    'src/namespace/*.ts',
    'src/start/build-info.ts',
    'src/start/restore.ts',
    // serving
    'src/serving/*.ts',
    // routes and headers
    'src/plugin/bust-routes.ts',
    'src/build/checks/catch-all.ts',
    // bust()
    'src/runtime/bust.ts',
  ],
  // The sandbox needs src/ and the unit tests, not the apps and tools of the other suites.
  ignorePatterns: ['/.e2e', '/.bench', '/dist', '/example-app', '/bench', '/docs', '/reports', '/test/e2e', '/test/platforms', '/test/plugins', '/test/next15', '/scripts'],
  coverageAnalysis: 'perTest',
  // Module-level constants would need every test run for each of their mutants.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
