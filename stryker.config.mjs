// `npm run test:mutation`: StrykerJS mutates the modules that decide what the package writes,
// deletes, serves or sends with a header, and runs the unit tests (vitest.mutation.config.mts)
// against each mutant. A mutant that no test kills is a change of behaviour that no test would
// notice. The report: reports/mutation/ (git-ignored); the scores per module, and what they do not
// yet measure, are in docs/mutation-testing.md. Not run by CI (an hour or more on 2 cores).
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
