// Other ways to find the newest mtime (fast-glob async stats as the package once did, async walks,
// a walk in worker threads) against find, on one generated tree. Not part of `npm run bench`.
//
//   node bench/mtime-fixes.mjs [files=100000] [rounds=5]
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import fg from 'fast-glob';
import { BENCH_DIR, fmtMs, fmtRatio, fmtSamples, interleave, median, sh, table } from './lib.mjs';
import { FIND_MTIME, fgStats, makeSmallTree, walkSync } from './scan.mjs';

const files = Number(process.argv[2]) || 100000;
const rounds = Number(process.argv[3]) || 5;
const dir = path.join(BENCH_DIR, `fixes-${files}`);
const { publicDir } = makeSmallTree(dir, files);
const NAMESPACE = '_bust';

/** fast-glob kept, but without its duplicate index (`unique: false`: a walk without symlinks has none). */
async function fgStatsNotUnique(root) {
  const entries = await fg('**', {
    cwd: root,
    onlyFiles: true,
    dot: true,
    followSymbolicLinks: false,
    suppressErrors: true,
    ignore: [`${NAMESPACE}/**`],
    stats: true,
    unique: false,
  });
  let newest = 0;
  for (const e of entries) if (e.stats.mtimeMs > newest) newest = e.stats.mtimeMs;
  return newest;
}

/** readdirSync per folder, then the folder's files with fs.promises.lstat in parallel. */
async function walkDirByDir(root) {
  const { promises: fs } = await import('node:fs');
  let newest = 0;
  const stack = [[root, true]];
  while (stack.length) {
    const [d, top] = stack.pop();
    const batch = [];
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (top && e.name === NAMESPACE) continue;
      const full = d + path.sep + e.name;
      if (e.isDirectory()) stack.push([full, false]);
      else if (e.isFile()) batch.push(fs.lstat(full).then((s) => void (s.mtimeMs > newest && (newest = s.mtimeMs)), () => {}));
    }
    await Promise.all(batch);
  }
  return newest;
}

/** walkSync split over worker threads by top-level folder (one per CPU). */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { lstatSync, readdirSync } = require('node:fs');
const path = require('node:path');
let newest = 0;
const stack = [...workerData.dirs];
while (stack.length) {
  const d = stack.pop();
  let entries;
  try { entries = readdirSync(d, { withFileTypes: true }); } catch { continue; }
  for (const e of entries) {
    const full = d + path.sep + e.name;
    if (e.isDirectory()) stack.push(full);
    else if (e.isFile()) { const s = lstatSync(full, { throwIfNoEntry: false }); if (s && s.mtimeMs > newest) newest = s.mtimeMs; }
  }
}
parentPort.postMessage(newest);
`;
async function walkWorkers(root, n = 2) {
  const top = readdirSync(root, { withFileTypes: true }).filter((e) => e.name !== NAMESPACE);
  let newest = 0;
  const dirs = [];
  for (const e of top) {
    const full = root + path.sep + e.name;
    if (e.isDirectory()) dirs.push(full);
    else if (e.isFile()) newest = Math.max(newest, lstatSync(full).mtimeMs);
  }
  const parts = Array.from({ length: n }, (_, i) => dirs.filter((_, j) => j % n === i));
  const results = await Promise.all(
    parts.map(
      (part) =>
        new Promise((resolve, reject) => {
          const w = new Worker(workerSource, { eval: true, workerData: { dirs: part } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  return Math.max(newest, ...results);
}

const want = Math.floor((await fgStats(publicDir)) / 1000);
for (const [name, fn] of [
  ['fgStatsNotUnique', fgStatsNotUnique],
  ['walkSync', walkSync],
  ['walkDirByDir', walkDirByDir],
  ['walkWorkers', walkWorkers],
]) {
  const got = Math.floor((await fn(publicDir)) / 1000);
  if (got !== want) throw new Error(`${name} found ${got}, expected ${want}`);
}

const samples = await interleave(
  [
    { name: 'find | awk', fn: () => sh(FIND_MTIME, dir) },
    { name: 'mtimeToken today (fast-glob, stats)', fn: () => fgStats(publicDir) },
    { name: 'fast-glob, stats, unique: false', fn: () => fgStatsNotUnique(publicDir) },
    { name: 'readdirSync + lstatSync', fn: () => walkSync(publicDir) },
    { name: 'readdirSync + lstat (async) per folder', fn: () => walkDirByDir(publicDir) },
    { name: 'readdirSync + lstatSync in 2 worker threads', fn: () => walkWorkers(publicDir) },
  ],
  { runs: rounds, warmup: 1, log: (s) => console.error(s) },
);
const find = median(samples['find | awk']);
console.log(
  table(
    ['way', `${files.toLocaleString('en-US')} files`, '÷ find'],
    Object.entries(samples).map(([name, s]) => [name.replace('|', '\\|'), fmtSamples(s), fmtRatio(median(s) / find)]),
  ),
);
rmSync(dir, { recursive: true, force: true });
void fmtMs;
