// `npm run bench:serving`: what each way of serving busted URLs costs at build, on trees of 1,000 and
// 10,000 files of 2 KiB (50 folders): the time of a first rotate() and of a repeated one (median of
// 5 rounds each), the disk `du` counts for public/ before and after (hard links count once), and
// how many entries the token folder adds (what a host that collects public/ uploads on top).
// Serving by rewrite writes nothing and is not timed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { rotate } = require('../dist/cjs/rotate.js');
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

console.log('| files | serving | first rotate() | again | du public/ before → after | entries added |');
console.log('| --- | --- | --- | --- | --- | --- |');
try {
  for (const n of [1000, 10000]) {
    for (const kind of ['links', 'files']) {
      const pub = path.join(root, `public-${n}-${kind}`);
      for (let i = 0; i < n; i++) {
        const dir = path.join(pub, `d${i % 50}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, `f${i}.css`), 'x'.repeat(2048));
      }
      const before = du(pub);
      const opts = { publicDir: pub, namespace: '_bust', token: 'v1', keep: 1, mode: 'build', kind };
      const first = [];
      const again = [];
      for (let r = 0; r < ROUNDS; r++) {
        rmSync(path.join(pub, '_bust'), { recursive: true, force: true });
        first.push(await timed(() => rotate(opts)));
        again.push(await timed(() => rotate(opts)));
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
