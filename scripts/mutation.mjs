// `npm run test:mutation [-- <group> ...]`: StrykerJS over the modules that decide what the package
// writes, deletes, serves or sends with a header, one group of modules at a time, each against the
// unit tests that reach it. Every test of a group runs against every mutant of it
// (stryker.all-tests.config.mjs: Stryker's per-test coverage misses tests here, see
// docs/mutation-testing.md). Each group's report goes to reports/mutation/groups/<group>.json; the
// table of all of them is printed at the end (scripts/mutation-summary.mjs). A group took 4 to 21
// minutes on 2 cores; CI does not run it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';

const unit = (...names) => names.map((name) => `test/unit/${name}`);

export const GROUPS = {
  token: {
    mutate: ['src/build/token.ts', 'src/build/file-state.ts'],
    tests: unit('token.test.ts', 'walk.test.ts', 'namespace-safety.test.ts', 'namespace.property.test.ts'),
  },
  links: {
    mutate: ['src/namespace/rotate.ts', 'src/namespace/link-folders.ts', 'src/namespace/temp-names.ts', 'src/namespace/top-level.ts'],
    tests: unit('rotate.test.ts', 'file-copies.test.ts', 'manifest.test.ts', 'temp-names.test.ts', 'top-level.test.ts', 'namespace-safety.test.ts'),
  },
  expiry: {
    mutate: ['src/namespace/expiry.ts', 'src/namespace/file-copies.ts'],
    tests: unit('rotate.test.ts', 'file-copies.test.ts', 'manifest.test.ts'),
  },
  manifest: {
    mutate: ['src/shared/safe-names.ts', 'src/serving/serve-links.ts', 'src/start/restore.ts', 'src/namespace/manifest.ts'],
    tests: unit(
      'safe-names.test.ts', 'namespace-safety.test.ts', 'namespace.property.test.ts', 'config.test.ts', 'rotate.test.ts',
      'cli.test.ts', 'fingerprints.test.ts', 'host-rules.test.ts', 'manifest.test.ts', 'start-restore.test.ts',
    ),
  },
  'build-info': {
    mutate: ['src/start/build-info.ts', 'src/build/checks/catch-all.ts'],
    tests: unit('build-info.test.ts', 'namespace-safety.test.ts', 'routes.test.ts', 'start-restore.test.ts'),
  },
  serving: {
    mutate: ['src/serving/plan.ts', 'src/serving/serve-static.ts', 'src/serving/host-rules.ts', 'src/serving/served.ts'],
    tests: unit(
      'plan.test.ts', 'serve-static.test.ts', 'host-rules.test.ts', 'fingerprints.test.ts', 'config.test.ts', 'platform.test.ts',
      'integrity.test.tsx',
    ),
  },
  routes: {
    mutate: ['src/plugin/bust-routes.ts', 'src/runtime/bust.ts'],
    tests: unit(
      'bust-routes.test.ts', 'config.test.ts', 'fingerprints.test.ts', 'bust.test.ts', 'bust.property.test.ts',
      'bust-paths.test.ts', 'BustedAsset.test.tsx', 'integrity.test.tsx',
    ),
  },
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in GROUPS));
if (unknown.length > 0) {
  console.error(`[next-static-bust] unknown group ${unknown.join(', ')}: choose among ${Object.keys(GROUPS).join(', ')}.`);
  process.exit(2);
}
mkdirSync('reports/mutation/groups', { recursive: true });
for (const name of asked.length > 0 ? asked : Object.keys(GROUPS)) {
  const { mutate, tests } = GROUPS[name];
  console.log(`\n# ${name}: ${mutate.join(', ')}`);
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.all-tests.config.mjs', '--mutate', mutate.join(',')], {
    stdio: 'inherit',
    env: { ...process.env, NSB_MUTATION_TESTS: tests.join(',') },
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
  copyFileSync('reports/mutation-all-tests/mutation.json', `reports/mutation/groups/${name}.json`);
}
spawnSync(process.execPath, ['scripts/mutation-summary.mjs'], { stdio: 'inherit' });
