// `npm run bench:serving`: what each way of serving busted URLs costs at build, on trees of 100,
// 1,000 and 10,000 files of 2 KiB (50 folders): the time of a first build and of a repeated one
// (median of 5 rounds each), what `du` counts for what the way writes, and how many entries it
// adds (what a host uploads on top of public/ and Next.js's own files).
//   links     rotate(), one relative link per top-level entry of public/ (a repeated build finds
//             the folder made)
//   static    writeStaticCopies(), a copy of every file in <distDir>/static/media/_bust/<token>/
//             (made anew at every build, as Next.js empties its build folder: "again" is the same)
//   per-file  fingerprint() at next.config, then writeStaticCopies(), a folder per fingerprint in
//             the static folder, every copy hashed against its fingerprint
// `BENCH_LIB=<folder>` times another build of src/ (the compiled CommonJS folder of another
// checkout, for a before/after).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const lib = process.env.BENCH_LIB ? path.resolve(process.env.BENCH_LIB) : path.resolve('dist/cjs');
const { rotate } = require(path.join(lib, 'namespace/rotate.js'));
const { writeStaticCopies } = require(path.join(lib, 'serve-static.js'));
const { fingerprint } = require(path.join(lib, 'build/fingerprints.js'));
const { listFiles } = require(path.join(lib, 'build/token.js'));
const ROUNDS = 5;
const root = mkdtempSync(path.join(os.tmpdir(), 'nsb-bench-serving-'));
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const du = (dir) => Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]);
const count = (dir) => Number(execFileSync('sh', ['-c', `find "${dir}" -type f -o -type l | wc -l`], { encoding: 'utf8' }));
// Where next.config leaves the fingerprints for the copies, in the same process (serve-static.ts).
const FINGERPRINTED = Symbol.for('next-static-bust.fingerprinted');
const NO_ENTRIES = { files: [], folders: [] };

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** One build for `kind`, as withStaticBust() makes it; what it wrote is under the returned folder. */
async function build(pub, kind) {
  const dist = path.join(path.dirname(pub), `.next-${path.basename(pub)}`);
  if (kind === 'links') {
    await rotate({ publicDir: pub, namespace: '_bust', token: 'v1', keep: 1, mode: 'build' });
    return path.join(pub, '_bust');
  }
  if (kind === 'static') {
    await writeStaticCopies(dist, pub, '_bust', { serving: 'static', current: 'v1', served: ['v1'], entries: NO_ENTRIES });
    return path.join(dist, 'static/media/_bust');
  }
  const fp = fingerprint(pub, await listFiles({ publicDir: pub, namespace: '_bust' }));
  globalThis[FINGERPRINTED] = new Map([[pub, fp]]);
  await writeStaticCopies(dist, pub, '_bust', {
    serving: 'static',
    current: '',
    served: Object.keys(fp.folders),
    entries: NO_ENTRIES,
    fingerprints: fp.encoded,
  });
  return path.join(dist, 'static/media/_bust');
}

console.log(`library: ${lib}`);
console.log('| files | serving | first build | again | du public/ → what it writes | entries added |');
console.log('| --- | --- | --- | --- | --- | --- |');
try {
  for (const n of [100, 1000, 10000]) {
    for (const kind of ['links', 'static', 'per-file']) {
      const pub = path.join(root, `public-${n}-${kind}`);
      for (let i = 0; i < n; i++) {
        const dir = path.join(pub, `d${i % 50}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, `f${i}.css`), `/* ${i} */`.padEnd(2048, 'x'));
      }
      const before = du(pub);
      const first = [];
      const again = [];
      let written = '';
      for (let r = 0; r < ROUNDS; r++) {
        const dist = path.join(root, `.next-public-${n}-${kind}`);
        rmSync(path.join(pub, '_bust'), { recursive: true, force: true });
        rmSync(dist, { recursive: true, force: true });
        first.push(await timed(async () => (written = await build(pub, kind))));
        // Next.js empties its build folder before every build: the static ways start from nothing.
        if (kind !== 'links') rmSync(dist, { recursive: true, force: true });
        again.push(await timed(() => build(pub, kind)));
      }
      const entries = count(written) - (kind === 'links' ? 1 : 0); // less the manifest
      console.log(
        `| ${n.toLocaleString('en')} | ${kind} | ${median(first).toFixed(0)} ms | ${median(again).toFixed(0)} ms | ` +
          `${before.toLocaleString('en')} → ${du(written).toLocaleString('en')} KiB | ${entries.toLocaleString('en')} |`,
      );
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
