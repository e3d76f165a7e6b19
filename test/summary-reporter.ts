import path from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';

/**
 * The tests that may be skipped, each with its reason and when that reason holds. Any other skip
 * fails the run: a test that silently does not run proves nothing (on CI: Debian, root, Node 20,
 * chromium and nginx installed, every skip below is false, so nothing is skipped there).
 */
const ALLOWED_SKIPS: Array<{ file: string; name: RegExp; reason: string; holds: () => boolean }> = [
  {
    file: 'test/unit/walk.test.ts',
    name: /skips a folder it cannot read/,
    reason: 'Windows has no POSIX permissions to drop',
    holds: () => process.platform === 'win32',
  },
];

/**
 * Ends the run with one plain line, "Tests: N passed, N failed, N skipped", which CI reads (vitest's
 * own summary is coloured and laid out for people). A module that failed without a failed test
 * (it did not load, or a hook threw) counts as one failure.
 */
export default class SummaryReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    const unexplained: string[] = [];
    // Tests left out on purpose by a filter (`-t`, `.only`) are not skips to explain.
    const filtered = Boolean(this.vitest?.config.testNamePattern) || testModules.some((m) => [...m.children.allTests()].some((t) => t.options.mode === 'only'));
    for (const module of testModules) {
      let failedHere = 0;
      const file = path.relative(this.vitest?.config.root ?? process.cwd(), module.moduleId).split(path.sep).join('/');
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else {
          skipped++;
          const allowed = ALLOWED_SKIPS.find((s) => s.file === file && s.name.test(test.fullName) && s.holds());
          if (!allowed && !filtered) unexplained.push(`${file} › ${test.fullName}`);
        }
      }
      // A module can fail without a failed test: it did not load, or a beforeAll threw and its
      // tests were skipped. That is a failure too.
      if (failedHere === 0 && module.state() === 'failed') failedHere = 1;
      failed += failedHere;
    }
    if (unexplained.length > 0) {
      console.log(`\n${unexplained.length} test(s) skipped without a reason that holds here (test/summary-reporter.ts lists the allowed ones):`);
      for (const name of unexplained) console.log(`  ${name}`);
      failed += unexplained.length;
      process.exitCode = 1;
    }
    console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
