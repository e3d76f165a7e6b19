// A candidate replacement for hashToken's reads, against sha256sum, on one generated tree.
// Not part of `npm run bench`; its numbers back the proposal in bench/ANALYSIS.md.
//
//   node bench/hash-fixes.mjs [files=100000] [rounds=3]
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, fmtRatio, fmtSamples, interleave, median, sh, snapshotPackage, table } from './lib.mjs';
import { SHA256SUM, makeLargeTree, makeSmallTree } from './scan.mjs';

const files = Number(process.argv[2]) || 100000;
const rounds = Number(process.argv[3]) || 3;
const require = createRequire(import.meta.url);
const { hashToken } = require(path.join(await snapshotPackage(), 'token.js'));
const NAMESPACE = '_bust';
const CHUNK = Buffer.allocUnsafe(1 << 20);

/** The proposal: one synchronous walk (readdirSync + lstatSync), readFileSync below 1 MiB, chunked readSync above. */
function hashTokenSync(publicDir) {
  const list = [];
  const stack = [''];
  while (stack.length) {
    const rel = stack.pop();
    for (const e of readdirSync(path.join(publicDir, rel), { withFileTypes: true })) {
      if (!rel && e.name === NAMESPACE) continue;
      const child = rel ? rel + '/' + e.name : e.name;
      if (e.isDirectory()) stack.push(child);
      else if (e.isFile()) list.push(child);
    }
  }
  list.sort();
  const total = createHash('sha256');
  for (const rel of list) {
    const file = path.join(publicDir, rel);
    const hash = createHash('sha256');
    const stat = lstatSync(file, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.size < 1 << 20) hash.update(readFileSync(file));
    else {
      const fd = openSync(file, 'r');
      try {
        for (let n; (n = readSync(fd, CHUNK, 0, CHUNK.length, null)) > 0; ) hash.update(CHUNK.subarray(0, n));
      } finally {
        closeSync(fd);
      }
    }
    total.update(rel).update('\0').update(hash.digest('hex')).update('\n');
  }
  return total.digest('hex').slice(0, 16);
}

const rows = [];
for (const [label, make] of [
  [`${files.toLocaleString('en-US')} small files`, (d) => makeSmallTree(d, files)],
  ['100 files × 2 MiB', (d) => makeLargeTree(d, 100, 2 << 20)],
]) {
  const dir = path.join(BENCH_DIR, 'hash-fixes');
  const { publicDir } = make(dir);
  const a = await hashToken({ publicDir, namespace: NAMESPACE });
  const b = hashTokenSync(publicDir);
  if (a !== b) throw new Error(`different digests: ${a} ${b}`);
  const s = await interleave(
    [
      { name: 'sha256sum', fn: () => sh(SHA256SUM, dir) },
      { name: 'hashToken', fn: () => hashToken({ publicDir, namespace: NAMESPACE }) },
      { name: 'sync', fn: () => hashTokenSync(publicDir) },
    ],
    { runs: rounds, warmup: 1, log: (x) => console.error(label, x) },
  );
  const base = median(s.sha256sum);
  rows.push([label, fmtSamples(s.sha256sum), `${fmtSamples(s.hashToken)} (${fmtRatio(base / median(s.hashToken))})`, `${fmtSamples(s.sync)} (${fmtRatio(base / median(s.sync))})`]);
  rmSync(dir, { recursive: true, force: true });
}
rmSync(path.join(BENCH_DIR, 'node_modules'), { recursive: true, force: true });
console.log(`load average after: ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}`);
console.log(table(['tree', 'sha256sum', 'hashToken today (throughput ÷ sha256sum)', 'proposed sync hash (throughput ÷ sha256sum)'], rows));
