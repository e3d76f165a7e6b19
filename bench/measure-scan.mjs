// 1. The token scan against find and sha256sum, warm and cold. Part of `npm run bench` (bench/run.mjs).
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { COLD, NAMESPACE, QUICK, SIZES, dist, hashToken, log, mtimeToken, notes, scanRuns, sections, summary } from './context.mjs';
import { BENCH_DIR, dropCaches, fmtBytes, fmtMs, fmtNum, fmtRatio, fmtSamples, interleave, machine, median, sh, table } from './lib.mjs';
import * as scan from './scan.mjs';

export async function benchScan() {
  const md = [];
  const mtimeRows = [];
  const walkRows = [];
  const hashRows = [];
  const trees = [];
  const spawnSamples = await interleave([{ name: 'sh', fn: () => sh('true') }], { runs: 9, warmup: 2 });
  const spawnMs = median(spawnSamples.sh);

  for (const size of SIZES) {
    const dir = path.join(BENCH_DIR, `scan-${size}`);
    log(`scan: generating ${fmtNum(size)} files`);
    const t0 = performance.now();
    const tree = scan.makeSmallTree(dir, size);
    log(`scan: generated in ${fmtMs(performance.now() - t0)}, ${fmtBytes(tree.bytes)}`);
    trees.push({ label: `${fmtNum(size)} small files`, dir, ...tree });
  }
  const largeCount = QUICK ? 20 : 100;
  const large = scan.makeLargeTree(path.join(BENCH_DIR, 'scan-large'), largeCount, 2 << 20);
  const largeTree = { label: `${largeCount} files × 2 MiB`, dir: path.join(BENCH_DIR, 'scan-large'), ...large };

  for (const tree of trees) {
    const { publicDir, dir, files } = tree;
    const runs = scanRuns(files);
    const opts = { publicDir, namespace: NAMESPACE };
    // Sanity (not timing): every way finds the same newest mtime.
    const expected = await mtimeToken(opts);
    const fromFind = (await sh(scan.FIND_MTIME, dir)).trim();
    const fromWalk = String(Math.floor(scan.walkSync(publicDir) / 1000));
    if (expected !== fromFind || expected !== fromWalk) notes.push(`mtime disagreement at ${files}: ${expected} / ${fromFind} / ${fromWalk}`);

    log(`scan: mtime, ${fmtNum(files)} files, ${runs} rounds`);
    const m = await interleave(
      [
        { name: 'mtimeToken', fn: () => mtimeToken(opts) },
        { name: 'find', fn: () => sh(scan.FIND_MTIME, dir) },
        { name: 'walkSync', fn: () => scan.walkSync(publicDir) },
        { name: 'walkAsync', fn: () => scan.walkAsync(publicDir) },
        { name: 'walkOpendir', fn: () => scan.walkOpendir(publicDir) },
        { name: 'fgList', fn: () => scan.fgList(publicDir) },
      ],
      { runs, warmup: files >= 100000 ? 1 : 2 },
    );
    const med = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, median(v)]));
    tree.mtime = med;
    mtimeRows.push([
      fmtNum(files),
      fmtSamples(m.mtimeToken),
      fmtSamples(m.find),
      `**${fmtRatio(med.mtimeToken / med.find)}**`,
      fmtSamples(m.walkSync),
      fmtRatio(med.walkSync / med.find),
      fmtNum((files / med.mtimeToken) * 1000),
    ]);
    walkRows.push([
      fmtNum(files),
      fmtMs(med.mtimeToken),
      fmtMs(med.fgList),
      fmtMs(med.walkAsync),
      fmtMs(med.walkOpendir),
      fmtMs(med.walkSync),
      fmtMs(med.find),
    ]);
  }

  for (const tree of [...trees, largeTree]) {
    const { publicDir, dir, files, bytes } = tree;
    const runs = Math.max(3, scanRuns(files) - 2);
    const opts = { publicDir, namespace: NAMESPACE };
    const a = await hashToken(opts);
    const b = scan.hashSync(publicDir);
    if (a !== b) notes.push(`hash disagreement at ${tree.label}: ${a} / ${b}`);
    log(`scan: hash, ${tree.label}, ${runs} rounds`);
    const nproc = machine().nproc;
    const h = await interleave(
      [
        { name: 'hashToken', fn: () => hashToken(opts) },
        { name: 'sha256sum', fn: () => sh(scan.SHA256SUM, dir) },
        { name: 'sha256sumP', fn: () => sh(scan.sha256sumParallel(nproc), dir) },
        { name: 'hashSync', fn: () => scan.hashSync(publicDir) },
        { name: 'hashAsyncNoStat', fn: () => scan.hashAsyncNoStat(publicDir) },
      ],
      { runs, warmup: 1 },
    );
    const med = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, median(v)]));
    tree.hash = med;
    const mbps = (ms) => `${((bytes / (1 << 20)) / (ms / 1000)).toFixed(0)} MiB/s`;
    hashRows.push([
      tree.label,
      fmtBytes(bytes),
      `${fmtSamples(h.hashToken)}, ${mbps(med.hashToken)}`,
      `${fmtSamples(h.sha256sum)}, ${mbps(med.sha256sum)}`,
      `**${fmtRatio(med.sha256sum / med.hashToken)}**`,
      `${fmtMs(med.sha256sumP)} (${fmtRatio(med.sha256sumP / med.hashToken)})`,
      `${fmtMs(med.hashSync)} (${fmtRatio(med.sha256sum / med.hashSync)})`,
      `${fmtMs(med.hashAsyncNoStat)} (${fmtRatio(med.sha256sum / med.hashAsyncNoStat)})`,
    ]);
  }

  // Cold page cache: the largest tree only, the cache dropped before every call.
  let coldMd = '';
  const biggest = trees.at(-1);
  if (COLD && biggest) {
    const { publicDir, dir, files } = biggest;
    const opts = { publicDir, namespace: NAMESPACE };
    const before = () => void dropCaches();
    log(`scan: cold cache, ${fmtNum(files)} files`);
    const c = await interleave(
      [
        { name: 'mtimeToken', before, fn: () => mtimeToken(opts) },
        { name: 'find', before, fn: () => sh(scan.FIND_MTIME, dir) },
        { name: 'walkSync', before, fn: () => scan.walkSync(publicDir) },
        { name: 'hashToken', before, fn: () => hashToken(opts) },
        { name: 'sha256sum', before, fn: () => sh(scan.SHA256SUM, dir) },
      ],
      { runs: 3, warmup: 0 },
    );
    const med = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, median(v)]));
    biggest.cold = med;
    coldMd = [
      '',
      `**Cold page cache** (${fmtNum(files)} files; \`sync; echo 3 > /proc/sys/vm/drop_caches\` before every call, which works on this machine as root; median of 3):`,
      '',
      table(
        ['what', 'package', 'baseline', 'package ÷ baseline'],
        [
          ['mtime', `mtimeToken ${fmtSamples(c.mtimeToken)}`, `find ${fmtSamples(c.find)}`, fmtRatio(med.mtimeToken / med.find)],
          ['mtime, Node.js floor', `walkSync ${fmtSamples(c.walkSync)}`, `find ${fmtMs(med.find)}`, fmtRatio(med.walkSync / med.find)],
          [
            'hash',
            `hashToken ${fmtSamples(c.hashToken)}`,
            `sha256sum ${fmtSamples(c.sha256sum)}`,
            `throughput ${fmtRatio(med.sha256sum / med.hashToken)}`,
          ],
        ],
      ),
    ].join('\n');
  }

  md.push(
    '## 1. Token scan',
    '',
    `Generated trees in \`.bench/scan-*/public\`: small files of 64 B – 4 KiB (mixed extensions), 25 to a folder, ` +
      `folders three levels deep. Package: \`mtimeToken\` / \`hashToken\` from \`dist/cjs/token.js\`, called ` +
      `in-process with \`{ publicDir, namespace: '_bust' }\`. Baselines: GNU find / coreutils, timed as whole ` +
      `commands through \`sh -c\` (a bare \`sh -c true\` costs ${fmtMs(spawnMs)} here, included in their times). ` +
      `Times are medians (min–max) of interleaved rounds after warm-up, **warm page cache** unless said otherwise.`,
    '',
    '### mtime strategy vs `find -printf %T@ | awk max`',
    '',
    `\`find public -path public/_bust -prune -o -type f -printf '%T@\\n' | awk '$1>m{m=$1} END{print m}'\`. ` +
      '`walkSync` is the in-process Node.js floor: `readdirSync(withFileTypes)` + `lstatSync` per file, same rules as the package, ' +
      'on one thread; `mtimeToken` walks the same way (src/build/walk.ts) and, past 30,000 entries left, shares it with worker threads.',
    '',
    table(
      ['files', 'mtimeToken', 'find \\| awk', 'mtimeToken ÷ find', 'Node floor (walkSync)', 'walkSync ÷ find', 'mtimeToken files/s'],
      mtimeRows,
    ),
    '',
    '#### Other ways to walk',
    '',
    'Same trees, same rules (regular files only, symlinks not followed, dot files, `_bust` skipped), median ms. ' +
      '`fg list` is fast-glob without `stats` (the walk and pattern matching alone, no mtime); the three walks ' +
      'list **and** lstat every file:',
    '',
    table(
      [
        'files',
        'mtimeToken (src/build/walk.ts)',
        'fast-glob list only (no stat)',
        'async readdir + lstat',
        'fs.opendir + lstat',
        'readdirSync + lstatSync',
        'find \\| awk',
      ],
      walkRows,
    ),
    '',
    '### hash strategy vs `sha256sum`',
    '',
    '`find public … -type f -print0 | xargs -0 sha256sum > /dev/null` (one sha256sum process at a time, as ' +
      '`hashToken` hashes on one thread). Throughput ratio = sha256sum time ÷ hashToken time (1.00× = as fast as ' +
      `coreutils; target ≥ 0.70×). Also shown, as ratios against the same sha256sum: \`xargs -P${machine().nproc}\` ` +
      '(all cores), `hashSync` (readdirSync + readFileSync + sha256 per file, same digest as the package) and ' +
      '`async readFile` (32 async `fs.promises.readFile` workers, the way hashToken read files before it went synchronous).',
    '',
    table(
      [
        'tree',
        'bytes',
        'hashToken',
        'sha256sum',
        'hashToken throughput ÷ sha256sum',
        `sha256sum -P${machine().nproc} (hashToken's throughput ÷ it)`,
        'hashSync (its throughput ÷ sha256sum)',
        'async readFile (its throughput ÷ sha256sum)',
      ],
      hashRows,
    ),
    coldMd,
  );
  sections.push(md.join('\n'));

  const big = trees.at(-1);
  if (big) {
    const r = big.mtime.mtimeToken / big.mtime.find;
    summary.push([
      `mtime token, ${fmtNum(big.files)} files`,
      fmtMs(big.mtime.mtimeToken),
      `find: ${fmtMs(big.mtime.find)}`,
      `${fmtRatio(r)} slower`,
      '≤ 1.5×',
      r <= 1.5 ? 'met' : '**missed**',
    ]);
    const hr = big.hash.sha256sum / big.hash.hashToken;
    summary.push([
      `hash token, ${fmtNum(big.files)} files (${fmtBytes(big.bytes)})`,
      fmtMs(big.hash.hashToken),
      `sha256sum: ${fmtMs(big.hash.sha256sum)}`,
      `${fmtRatio(hr)} throughput`,
      '≥ 0.7×',
      hr >= 0.7 ? 'met' : '**missed**',
    ]);
    const lr = largeTree.hash.sha256sum / largeTree.hash.hashToken;
    summary.push([
      `hash token, ${largeTree.label}`,
      fmtMs(largeTree.hash.hashToken),
      `sha256sum: ${fmtMs(largeTree.hash.sha256sum)}`,
      `${fmtRatio(lr)} throughput`,
      '≥ 0.7×',
      lr >= 0.7 ? 'met' : '**missed**',
    ]);
  }
  return { trees, largeTree };
}
