// 2. rotate(): making the token folder. Part of `npm run bench` (bench/run.mjs).
import { existsSync, mkdirSync, promises as fs, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NAMESPACE, QUICK, dist, int, log, rotate, sections, summary } from './context.mjs';
import { BENCH_DIR, fmtMs, fmtNum, fmtRatio, fmtSamples, interleave, median, table } from './lib.mjs';

export async function benchRotate() {
  const rows = [];
  for (const entries of [10, 1000]) {
    const dir = path.join(BENCH_DIR, `rotate-${entries}`);
    const publicDir = path.join(dir, 'public');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(publicDir, { recursive: true });
    for (let i = 0; i < entries; i++) {
      if (i % 2) writeFileSync(path.join(publicDir, `file${i}.txt`), 'x');
      else {
        mkdirSync(path.join(publicDir, `dir${i}`));
        writeFileSync(path.join(publicDir, `dir${i}`, 'a.txt'), 'x');
      }
    }
    const opts = { publicDir, namespace: NAMESPACE, token: '1732530000', keep: 1, mode: 'build' };
    const nsDir = path.join(publicDir, NAMESPACE);
    const naiveDir = path.join(dir, 'naive');
    const naiveToken = path.join(naiveDir, '1732530000');
    const names = () => fs.readdir(publicDir).then((n) => n.filter((x) => x !== NAMESPACE));
    const runs = int('BENCH_RUNS', QUICK ? 3 : 15);
    log(`rotate: ${entries} entries, ${runs} rounds`);
    const r = await interleave(
      [
        { name: 'fresh', before: () => rmSync(nsDir, { recursive: true, force: true }), fn: () => rotate(opts) },
        {
          name: 'again',
          before: async () => {
            if (!existsSync(path.join(nsDir, opts.token))) await rotate(opts);
          },
          fn: () => rotate(opts),
        },
        {
          // The floor: readdir + mkdir + one symlink per entry, no temporary name, rename or manifest.
          name: 'naiveFresh',
          before: () => rmSync(naiveDir, { recursive: true, force: true }),
          fn: async () => {
            const list = await names();
            await fs.mkdir(naiveToken, { recursive: true });
            await Promise.all(list.map((n) => fs.symlink(path.join('../../', n), path.join(naiveToken, n))));
          },
        },
        {
          // The floor of "already there?": list public/ and the token folder and compare.
          name: 'naiveAgain',
          before: async () => {
            if (!existsSync(naiveToken)) {
              await fs.mkdir(naiveToken, { recursive: true });
              for (const n of await names()) await fs.symlink(path.join('../../', n), path.join(naiveToken, n));
            }
          },
          fn: async () => {
            const [a, b] = await Promise.all([names(), fs.readdir(naiveToken)]);
            if (a.length !== b.length) throw new Error('naive folder incomplete');
          },
        },
      ],
      { runs, warmup: 2 },
    );
    const med = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)]));
    rows.push([
      fmtNum(entries),
      fmtSamples(r.fresh),
      fmtSamples(r.naiveFresh),
      fmtRatio(med.fresh / med.naiveFresh),
      fmtSamples(r.again),
      fmtSamples(r.naiveAgain),
      fmtRatio(med.again / med.naiveAgain),
    ]);
    summary.push([
      `rotate(), ${fmtNum(entries)} top-level entries (fresh / again)`,
      `${fmtMs(med.fresh)} / ${fmtMs(med.again)}`,
      `naive: ${fmtMs(med.naiveFresh)} / ${fmtMs(med.naiveAgain)}`,
      `${fmtRatio(med.fresh / med.naiveFresh)} / ${fmtRatio(med.again / med.naiveAgain)}`,
      '—',
      '—',
    ]);
    rmSync(dir, { recursive: true, force: true });
  }
  sections.push(
    [
      '## 2. Rotation',
      '',
      '`rotate({ publicDir, namespace: "_bust", token, keep: 1, mode: "build" })` from `dist/cjs/rotate.js`: ' +
        '"fresh" after removing `public/_bust`, "again" the idempotent second call. Half the top-level ' +
        'entries are files, half folders. Baseline: the naive version of the same links (readdir, mkdir, one ' +
        '`symlink` per entry, no temporary name, rename or manifest), and for the second call, listing both ' +
        'folders and comparing. Median (min–max).',
      '',
      table(
        ['entries', 'rotate() fresh', 'naive mkdir + symlinks', 'ratio', 'rotate() again', 'naive check', 'ratio'],
        rows,
      ),
    ].join('\n'),
  );
}
