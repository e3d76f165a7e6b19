import { defineConfig } from 'vitest/config';

// Three projects: fast unit tests of src/; end-to-end tests that build and serve example-app with
// the real `next`, nginx and Debian's chromium (`npm test` runs these two); and the hosts' own build
// tools (Vercel, OpenNext for Cloudflare, Netlify), heavy, run by `npm run test:platforms`.
export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
          testTimeout: 60_000,
          // Removing the 100,000-file tree of large-tree.test.ts takes a while on a busy machine.
          hookTimeout: 120_000,
          // Unit tests first, on their own: the concurrency tests want the cores to themselves.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e',
          // They load the package from dist/: never a stale one.
          globalSetup: ['./test/dist-fresh.ts'],
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 600_000,
          // Each file builds its own copies of example-app; two at a time fill the two cores.
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'platforms',
          // They load the package from dist/: never a stale one.
          globalSetup: ['./test/dist-fresh.ts'],
          include: ['test/platforms/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 900_000,
          // One host at a time: each runs a full build on the two cores.
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: 'plugins',
          // They load the package from dist/: never a stale one.
          globalSetup: ['./test/dist-fresh.ts'],
          include: ['test/plugins/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 600_000,
          fileParallelism: false,
          sequence: { groupOrder: 3 },
        },
      },
      {
        test: {
          name: 'next15',
          // They load the package from dist/: never a stale one.
          globalSetup: ['./test/dist-fresh.ts'],
          include: ['test/next15/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 600_000,
          fileParallelism: false,
          sequence: { groupOrder: 4 },
        },
      },
    ],
  },
});
