// `npm run bench:serving`: what each way of serving busted URLs costs at build, on trees of 100,
// 1,000 and 10,000 files of 2 KiB (50 folders): the time of a first build of the folders and of a
// repeated one (median of 5 rounds each), the disk `du` counts for public/ before and after, and
// how many entries the namespace adds (what a host that collects public/ uploads on top).
//   links     rotate(), one relative link per top-level entry
//   files     rotate({ kind: 'files' }), a copy of every file (a repeated build compares the bytes)
//   per-file  fingerprint() and rotateFingerprints(), a folder per fingerprint (a repeated build
//             hashes every copy against its fingerprint)
// Serving by rewrite writes nothing and is not timed. `BENCH_LIB=<folder>` times another build of
// src/ (the compiled CommonJS folder of another checkout, for a before/after).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const lib = process.env.BENCH_LIB ? path.resolve(process.env.BENCH_LIB) : path.resolve('dist/cjs');
const { rotate, rotateFingerprints } = require(path.join(lib, 'rotate.js'));
const { fingerprint } = require(path.join(lib, 'fingerprints.js'));
const { listFiles } = require(path.join(lib, 'token.js'));
const ROUNDS = 5;
const root = mkdtempSync(path.join(os.tmpdir(), 'nsb-bench-serving-'));
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const du = (dir) => Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]);
const count = (dir) => Number(execFileSync('sh', ['-c', `find "${dir}" -type f -o -type l | wc -l`], { encoding: 'utf8' }));

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** One build of the namespace for `kind`, as withStaticBust() makes it. */
async function build(pub, kind) {
  if (kind !== 'per-file') {
    await rotate({ publicDir: pub, namespace: '_bust', token: 'v1', keep: 1, mode: 'build', kind });
    return;
  }
  const fp = fingerprint(pub, await listFiles({ publicDir: pub, namespace: '_bust' }));
  await rotateFingerprints({ publicDir: pub, namespace: '_bust', folders: fp.folders, rewritten: fp.rewritten, digests: fp.digests, mode: 'build', keep: 1 });
}

console.log(`library: ${lib}`);
console.log('| files | serving | first build | again | du public/ before → after | entries added |');
console.log('| --- | --- | --- | --- | --- | --- |');
try {
  for (const n of [100, 1000, 10000]) {
    for (const kind of ['links', 'files', 'per-file']) {
      const pub = path.join(root, `public-${n}-${kind}`);
      for (let i = 0; i < n; i++) {
        const dir = path.join(pub, `d${i % 50}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, `f${i}.css`), `/* ${i} */`.padEnd(2048, 'x'));
      }
      const before = du(pub);
      const first = [];
      const again = [];
      for (let r = 0; r < ROUNDS; r++) {
        rmSync(path.join(pub, '_bust'), { recursive: true, force: true });
        first.push(await timed(() => build(pub, kind)));
        again.push(await timed(() => build(pub, kind)));
      }
      const entries = count(path.join(pub, '_bust')) - 1; // less the manifest
      console.log(
        `| ${n.toLocaleString('en')} | ${kind} | ${median(first).toFixed(0)} ms | ${median(again).toFixed(0)} ms | ` +
          `${before.toLocaleString('en')} → ${du(pub).toLocaleString('en')} KiB | ${entries.toLocaleString('en')} |`,
      );
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
