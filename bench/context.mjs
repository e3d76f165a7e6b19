// What every measure of `npm run bench` shares: the knobs (environment variables, see run.mjs),
// the log, the collected Markdown, and a private copy of the built package.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT, cleanBuild, makeApp, snapshotPackage } from './lib.mjs';

export const require = createRequire(import.meta.url);
export const env = process.env;
export const QUICK = env.BENCH_QUICK === '1';
export const int = (name, fallback) => (env[name] ? Number.parseInt(env[name], 10) : fallback);
export const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
export const wants = (section) => !ONLY || ONLY.has(section);
export const SIZES = env.BENCH_SIZES
  ? env.BENCH_SIZES.split(',').map(Number)
  : QUICK
    ? [1000, 10000]
    : [1000, 10000, 100000];
export const scanRuns = (size) => int('BENCH_RUNS', QUICK ? 3 : size >= 100000 ? 5 : size >= 10000 ? 7 : 9);
// A 2 % difference is about 200 ms of a build and 10 ms of a start, within the noise of a few runs
// here (±3 % and ±20 ms): enough runs for the medians to tell.
export const BUILD_RUNS = int('BENCH_BUILD_RUNS', QUICK ? 1 : 7);
export const START_RUNS = int('BENCH_START_RUNS', QUICK ? 2 : 21);
export const PROBE_RUNS = int('BENCH_PROBE_RUNS', QUICK ? 2 : 7);
export const PROBE_BUILDS = int('BENCH_PROBE_BUILDS', QUICK ? 1 : 2);
export const SERVE_SECONDS = int('BENCH_SERVE_SECONDS', QUICK ? 3 : 10);
export const SERVE_ROUNDS = int('BENCH_SERVE_ROUNDS', QUICK ? 1 : 3);
export const CONNECTIONS = int('BENCH_CONNECTIONS', 10);
export const MICRO_MS = int('BENCH_MICRO_MS', QUICK ? 500 : 2000);
export const CAN_DROP = canDropCaches();
export const COLD = env.BENCH_COLD ? env.BENCH_COLD === '1' && CAN_DROP : CAN_DROP && !QUICK;
export const KEEP = env.BENCH_KEEP === '1';
export const OUT = path.resolve(env.BENCH_OUT || path.join(ROOT, 'bench/RESULTS.md'));
export const CHROMIUM = env.CHROMIUM_PATH || '/usr/bin/chromium';
export const NAMESPACE = '_bust';

// A private copy of the built package, used in-process and by the apps: other work on this
// checkout may rebuild dist/ (which first deletes it) while a long run is going on.
export const dist = await snapshotPackage();
env.BENCH_DIST = dist;
export const { mtimeToken } = require(path.join(dist, 'build/token.js'));
export const { hashToken } = require(path.join(dist, 'build/hash.js'));
export const { rotate } = require(path.join(dist, 'namespace/rotate.js'));

export const started = performance.now();
export const log = (...args) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s]`, ...args);

/** Markdown, section by section, and the rows of the summary table. */
export const sections = [];
export const summary = [];
export const notes = [];

export function pkgVersion(name) {
  return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

export function canDropCaches() {
  try {
    return statSync('/proc/sys/vm/drop_caches') && process.getuid?.() === 0;
  } catch {
    return false;
  }
}

// The two apps of sections 3, 4 and 6 ({ wrapped, plain } directories, built): made by section 3
// when it runs, else by the first section that needs them.
let apps;

export function setApps(built) {
  apps = built;
}

export async function buildApps() {
  if (apps) return apps;
  const wrapped = makeApp('app-wrapped');
  const plain = makeApp('app-plain', { plain: true });
  log('next: building both apps once');
  await cleanBuild(wrapped);
  await cleanBuild(plain);
  apps = { wrapped, plain };
  return apps;
}
