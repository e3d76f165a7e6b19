// Run by run.mjs under `node --cpu-prof`: one strategy of the package's token scan, a few times,
// on a generated tree, so that the profile shows where the time goes.
//
//   node --cpu-prof --cpu-prof-dir=<dir> bench/profile-scan.mjs <publicDir> <mtime|hash> <times>
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const dist = process.env.BENCH_DIST || path.resolve(import.meta.dirname, '../dist/cjs');
const { mtimeToken } = require(path.join(dist, 'build/token.js'));
const { hashToken } = require(path.join(dist, 'build/hash.js'));
const [publicDir, strategy, timesArg] = process.argv.slice(2);
const fn = strategy === 'hash' ? hashToken : mtimeToken;
const times = Number(timesArg) || 3;
const durations = [];
for (let i = 0; i < times; i++) {
  const t0 = performance.now();
  await fn({ publicDir, namespace: '_bust' });
  durations.push(performance.now() - t0);
}
process.stdout.write(JSON.stringify({ durations }));
