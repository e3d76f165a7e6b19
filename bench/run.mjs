// Benchmarks of next-static-bust: what it costs and what it saves, each measured side by side with a
// baseline in the same run (interleaved rounds, warm-up first, medians quoted). Writes
// bench/RESULTS.md. These are benchmarks, not tests: nothing here fails on a slow number.
//
//   npm run bench                      (builds dist/ first, then runs this file)
//   node bench/run.mjs                 (uses the dist/ that is there)
//
// Knobs (environment variables):
//   BENCH_QUICK=1            a smoke run in about 2–3 minutes: 1,000 and 10,000 files, 3 rounds, one
//                            build each, 3 s of load per URL. Its numbers are rough.
//   BENCH_ONLY=a,b           run only these sections: scan, profile, rotate, micro, next, serve, browser
//                            (serve and browser build the two apps themselves when next did not run).
//   BENCH_SIZES=1000,10000   file counts of the generated public/ trees (default 1000,10000,100000).
//   BENCH_RUNS=N             timed rounds per scan/rotate measurement (default 9/7/5 by tree size,
//                            15 for rotation; BENCH_QUICK: 3).
//   BENCH_BUILD_RUNS=N       `next build` runs per variant (default 3; BENCH_QUICK: 1).
//   BENCH_START_RUNS=N       `next start` runs per variant (default 5; BENCH_QUICK: 2).
//   BENCH_SERVE_SECONDS=N    seconds of autocannon load per URL and round (default 10; quick 3).
//   BENCH_SERVE_ROUNDS=N     rounds of load, alternating busted/plain (default 3; quick 1).
//   BENCH_CONNECTIONS=N      autocannon connections (default 10).
//   BENCH_MICRO_MS=N         tinybench time per task in ms (default 2000; quick 500).
//   BENCH_COLD=0|1           also time the largest tree with a cold page cache (drops it with
//                            /proc/sys/vm/drop_caches before each call: needs root, and slows every
//                            other process on the machine for a moment). Default: 1 when the file
//                            is writable and not BENCH_QUICK.
//   BENCH_KEEP=1             keep the generated trees and apps in .bench/ (default: removed at the end).
//   BENCH_OUT=file           where to write the Markdown (default bench/RESULTS.md).
//   CHROMIUM_PATH            the browser (default /usr/bin/chromium; never downloaded).
//
// Everything is generated under .bench/ (git-ignored) and served on 127.0.0.1 only.
//
// Also here, run by hand (not by `npm run bench`): bench/mtime-fixes.mjs times other ways to scan
// for the newest mtime (async walks, worker threads) against find; bench/ANALYSIS.md (the
// hand-written analysis of the full runs) is appended to RESULTS.md as it is.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, promises as fs, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  BENCH_DIR,
  ROOT,
  cleanBuild,
  countingProxy,
  dropCaches,
  fmtBytes,
  fmtMs,
  fmtNum,
  fmtRatio,
  fmtSamples,
  get,
  interleave,
  loadavg,
  machine,
  makeApp,
  median,
  nextStart,
  sh,
  snapshotPackage,
  table,
} from './lib.mjs';
import { summarizeProfile } from './profile.mjs';
import * as scan from './scan.mjs';

const require = createRequire(import.meta.url);
const env = process.env;
const QUICK = env.BENCH_QUICK === '1';
const int = (name, fallback) => (env[name] ? Number.parseInt(env[name], 10) : fallback);
const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
const wants = (section) => !ONLY || ONLY.has(section);
const SIZES = env.BENCH_SIZES
  ? env.BENCH_SIZES.split(',').map(Number)
  : QUICK
    ? [1000, 10000]
    : [1000, 10000, 100000];
const scanRuns = (size) => int('BENCH_RUNS', QUICK ? 3 : size >= 100000 ? 5 : size >= 10000 ? 7 : 9);
const BUILD_RUNS = int('BENCH_BUILD_RUNS', QUICK ? 1 : 3);
const START_RUNS = int('BENCH_START_RUNS', QUICK ? 2 : 5);
const SERVE_SECONDS = int('BENCH_SERVE_SECONDS', QUICK ? 3 : 10);
const SERVE_ROUNDS = int('BENCH_SERVE_ROUNDS', QUICK ? 1 : 3);
const CONNECTIONS = int('BENCH_CONNECTIONS', 10);
const MICRO_MS = int('BENCH_MICRO_MS', QUICK ? 500 : 2000);
const CAN_DROP = canDropCaches();
const COLD = env.BENCH_COLD ? env.BENCH_COLD === '1' && CAN_DROP : CAN_DROP && !QUICK;
const KEEP = env.BENCH_KEEP === '1';
const OUT = path.resolve(env.BENCH_OUT || path.join(ROOT, 'bench/RESULTS.md'));
const CHROMIUM = env.CHROMIUM_PATH || '/usr/bin/chromium';
const NAMESPACE = '_bust';

// A private copy of the built package, used in-process and by the apps: other work on this
// checkout may rebuild dist/ (which first deletes it) while a long run is going on.
const dist = await snapshotPackage();
env.BENCH_DIST = dist;
const { mtimeToken, hashToken } = require(path.join(dist, 'token.js'));
const { rotate } = require(path.join(dist, 'rotate.js'));

const started = performance.now();
const log = (...args) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s]`, ...args);

/** Markdown, section by section, and the rows of the summary table. */
const sections = [];
const summary = [];
const notes = [];

function pkgVersion(name) {
  return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

function canDropCaches() {
  try {
    return statSync('/proc/sys/vm/drop_caches') && process.getuid?.() === 0;
  } catch {
    return false;
  }
}

// =============================================================================================
// 1. Token scan

async function benchScan() {
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
      '`walkSync` is the in-process Node.js floor: `readdirSync(withFileTypes)` + `lstatSync` per file, same rules as the package.',
    '',
    table(
      ['files', 'mtimeToken', 'find \\| awk', 'mtimeToken ÷ find', 'Node floor (walkSync)', 'walkSync ÷ find', 'mtimeToken files/s'],
      mtimeRows,
    ),
    '',
    '#### Is fast-glob the bottleneck?',
    '',
    'Same trees, same rules (regular files only, symlinks not followed, dot files, `_bust` skipped), median ms. ' +
      '`fg list` is fast-glob without `stats` (the walk and pattern matching alone, no mtime); the three walks ' +
      'list **and** lstat every file:',
    '',
    table(
      [
        'files',
        'mtimeToken (fast-glob sync list + lstatSync)',
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

// =============================================================================================
// 1b. Profile of the slowest part of the package's own cost

async function benchProfile(trees) {
  const biggest = trees?.at(-1);
  let publicDir = biggest?.publicDir;
  let files = biggest?.files;
  if (!publicDir) {
    files = SIZES.at(-1);
    publicDir = scan.makeSmallTree(path.join(BENCH_DIR, `scan-${files}`), files).publicDir;
  }
  const out = ['## Profile: where the scan time goes', ''];
  const profDir = path.join(BENCH_DIR, 'prof');
  for (const strategy of ['mtime', 'hash']) {
    rmSync(profDir, { recursive: true, force: true });
    mkdirSync(profDir, { recursive: true });
    log(`profile: ${strategy}, ${fmtNum(files)} files`);
    const stdout = await new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--cpu-prof', `--cpu-prof-dir=${profDir}`, path.join(ROOT, 'bench/profile-scan.mjs'), publicDir, strategy, '3'],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`profile exited ${code}`))));
    });
    const { durations } = JSON.parse(stdout);
    const file = (await fs.readdir(profDir)).find((f) => f.endsWith('.cpuprofile'));
    const p = summarizeProfile(path.join(profDir, file));
    const pct = (ms) => `${((ms / p.sampledMs) * 100).toFixed(1)} %`;
    out.push(
      `### ${strategy === 'mtime' ? '`mtimeToken`' : '`hashToken`'}, ${fmtNum(files)} files`,
      '',
      `\`node --cpu-prof\`, 3 calls in one process (${durations.map(fmtMs).join(', ')}; the first includes ` +
        `loading fast-glob and JIT warm-up). Self time of the main thread by origin, ${fmtMs(p.sampledMs)} sampled:`,
      '',
      table(
        ['where', 'self time', 'share'],
        p.categories.filter(([, ms]) => ms / p.sampledMs >= 0.005).map(([cat, ms]) => [cat, fmtMs(ms), pct(ms)]),
      ),
      '',
      'Top functions by self time:',
      '',
      table(
        ['function', 'self time', 'share'],
        p.functions.slice(0, 12).map(([fn, ms]) => [`\`${fn.replace(/\|/g, '\\|')}\``, fmtMs(ms), pct(ms)]),
      ),
      '',
    );
  }
  rmSync(profDir, { recursive: true, force: true });
  sections.push(out.join('\n'));
}

// =============================================================================================
// 2. Rotation

async function benchRotate() {
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

// =============================================================================================
// 5. bust() and <BustedAsset>

async function benchMicro() {
  log(`micro: bust() and <BustedAsset>, ${MICRO_MS} ms per task`);
  const stdout = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bench/micro.mjs'), path.join(BENCH_DIR, 'micro'), String(MICRO_MS)], {
      env: { ...env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`micro.mjs exited ${code}`))));
  });
  const r = JSON.parse(stdout);
  const [runtime, inlined, literal, literalEnv] = r.calls;
  const callRow = (t, base) => [
    t.name,
    `${fmtNum(t.perSecond / 1e6, 1)} M/s`,
    `${((t.medianMs / r.batch) * 1e6).toFixed(0)} ns`,
    base ? fmtRatio(literal.medianMs / t.medianMs) : '—',
    String(t.samples),
  ];
  const [bcss, bcssI, lcss, bimg, bimgI, limg] = r.render;
  const renderRow = (t, base) => [
    t.name,
    `${fmtMs(t.medianMs)}`,
    `${fmtNum(t.perSecond, 0)} /s`,
    base ? fmtRatio(t.medianMs / base.medianMs) : '—',
    String(t.samples),
  ];
  sections.push(
    [
      '## 5. `bust()` and `<BustedAsset>`',
      '',
      `tinybench ${pkgVersion('tinybench')}, ${MICRO_MS} ms per task after warm-up, in a child process ` +
        `with \`NODE_ENV=production\` (React ${r.react} production build, as under \`next start\`). ` +
        `\`NEXT_STATIC_BUST_TOKEN\` is set in \`process.env\`. Each sample is ${fmtNum(r.batch)} calls over 8 ` +
        'realistic paths; the median sample is quoted.',
      '',
      '**Pessimistic bound:** in plain Node.js every `bust()` call reads three `process.env` properties, and ' +
        'those reads go through a C++ interceptor. In a Next.js bundle the reads are inlined string literals ' +
        '(`env` in next.config), so the "env inlined" row (the same dist/ module with the three reads replaced ' +
        'by literals, as Next.js does) is what an app runs.',
      '',
      table(
        ['what', 'calls/s', 'per call', 'speed vs constant template literal', 'samples'],
        [callRow(runtime, true), callRow(inlined, true), callRow(literal, false), callRow(literalEnv, true)],
      ),
      '',
      `\`renderToString\` of 1,000 elements (the same HTML from both sides: ${r.sameHtml.css && r.sameHtml.img ? 'checked' : '**NOT the same**'}):`,
      '',
      table(
        ['what', 'median per render', 'renders/s', 'vs plain', 'samples'],
        [
          renderRow(bcss, lcss),
          renderRow(bcssI, lcss),
          renderRow(lcss),
          renderRow(bimg, limg),
          renderRow(bimgI, limg),
          renderRow(limg),
        ],
      ),
    ].join('\n'),
  );
  summary.push([
    'bust() per call (as bundled / plain Node.js)',
    `${((inlined.medianMs / r.batch) * 1e6).toFixed(0)} ns / ${((runtime.medianMs / r.batch) * 1e6).toFixed(0)} ns`,
    `template literal: ${((literal.medianMs / r.batch) * 1e6).toFixed(0)} ns`,
    `${fmtNum(inlined.perSecond / 1e6, 1)} M calls/s as bundled`,
    '—',
    '—',
  ]);
  summary.push([
    '`<BustedAsset>` ×1,000, renderToString, as bundled (css / img)',
    `${fmtMs(bcssI.medianMs)} / ${fmtMs(bimgI.medianMs)}`,
    `plain: ${fmtMs(lcss.medianMs)} / ${fmtMs(limg.medianMs)}`,
    `+${fmtMs(bcssI.medianMs - lcss.medianMs)} / +${fmtMs(bimgI.medianMs - limg.medianMs)} per 1,000`,
    '—',
    '—',
  ]);
}

// =============================================================================================
// 3. next build and next start

let apps; // { wrapped, plain } directories, built

async function buildApps() {
  if (apps) return apps;
  const wrapped = makeApp('app-wrapped');
  const plain = makeApp('app-plain', { plain: true });
  log('next: building both apps once');
  await cleanBuild(wrapped);
  await cleanBuild(plain);
  apps = { wrapped, plain };
  return apps;
}

async function benchNext() {
  const wrapped = makeApp('app-wrapped');
  const plain = makeApp('app-plain', { plain: true });
  log(`next: ${BUILD_RUNS} builds per variant (alternating; one untimed warm-up build each)`);
  await cleanBuild(wrapped);
  await cleanBuild(plain);
  const b = await interleave(
    [
      { name: 'wrapped', fn: async () => ({ innerMs: (await cleanBuild(wrapped)).ms }) },
      { name: 'plain', fn: async () => ({ innerMs: (await cleanBuild(plain)).ms }) },
    ],
    { runs: BUILD_RUNS, warmup: 0, log: (s) => log(`next build ${s}`) },
  );
  apps = { wrapped, plain };

  // Sanity: the wrapped app's page has busted URLs, the plain one's has none.
  const check = async (dir) => {
    const s = await nextStart(dir);
    const page = await get(s.url + '/');
    await s.stop();
    return page.text.includes(`/${NAMESPACE}/`);
  };
  const [wHas, pHas] = [await check(wrapped), await check(plain)];
  if (!wHas || pHas) notes.push(`unexpected page URLs: wrapped busted=${wHas}, plain busted=${pHas}`);

  log(`next: ${START_RUNS} starts per variant (alternating, one warm-up each)`);
  const s = await interleave(
    [
      { name: 'wrapped', fn: async () => { const srv = await nextStart(wrapped); await srv.stop(); return { innerMs: srv.readyMs }; } },
      { name: 'plain', fn: async () => { const srv = await nextStart(plain); await srv.stop(); return { innerMs: srv.readyMs }; } },
    ],
    { runs: START_RUNS, warmup: 1, log: (x) => log(`next start ${x}`) },
  );
  const bw = median(b.wrapped);
  const bp = median(b.plain);
  const sw = median(s.wrapped);
  const sp = median(s.plain);
  const pctDiff = (a, base) => `${a >= base ? '+' : ''}${(((a - base) / base) * 100).toFixed(1)} %`;
  sections.push(
    [
      '## 3. What users feel: `next build` and `next start`',
      '',
      'Two copies of example-app in `.bench/`, identical but for next.config.ts: `app-wrapped` exports ' +
        '`withStaticBust(nextConfig)`, `app-plain` exports `nextConfig` (its page then renders plain URLs from ' +
        '`bust()`). `next build` is Turbopack, from a clean state each time (no `.next`, no `public/_bust`), ' +
        `after one untimed build of each; variants alternate, the order flipping each round. \`next start\`: ` +
        'time from spawn to the first `200` for `/` (polled every 10 ms over fresh connections), so it ' +
        'includes the first render of the page.',
      '',
      table(
        ['', 'with withStaticBust', 'without (plain)', 'difference', 'target'],
        [
          [`\`next build\` (${BUILD_RUNS} runs each)`, fmtSamples(b.wrapped), fmtSamples(b.plain), `${pctDiff(bw, bp)} (${fmtMs(bw - bp)})`, 'within 5 %'],
          [`\`next start\` → first 200 (${START_RUNS} runs each)`, fmtSamples(s.wrapped), fmtSamples(s.plain), `${pctDiff(sw, sp)} (${fmtMs(sw - sp)})`, 'within 5 %'],
        ],
      ),
      '',
      `Per run (ms): build wrapped ${b.wrapped.map((x) => x.toFixed(0)).join(', ')}; build plain ${b.plain.map((x) => x.toFixed(0)).join(', ')}; ` +
        `start wrapped ${s.wrapped.map((x) => x.toFixed(0)).join(', ')}; start plain ${s.plain.map((x) => x.toFixed(0)).join(', ')}.`,
    ].join('\n'),
  );
  const within = (a, base) => Math.abs(a - base) / base <= 0.05;
  summary.push(['`next build` (Turbopack)', fmtMs(bw), `plain: ${fmtMs(bp)}`, pctDiff(bw, bp), 'within 5 %', within(bw, bp) || bw < bp ? 'met' : '**missed**']);
  summary.push(['`next start` → first 200', fmtMs(sw), `plain: ${fmtMs(sp)}`, pctDiff(sw, sp), 'within 5 %', within(sw, sp) || sw < sp ? 'met' : '**missed**']);
}

// =============================================================================================
// 4. Serving

async function benchServe() {
  const { wrapped } = await buildApps();
  const autocannon = require('autocannon');
  const server = await nextStart(wrapped);
  const rows = [];
  try {
    const page = await get(server.url + '/');
    const token = /\/_bust\/([A-Za-z0-9_-]+)\//.exec(page.text)?.[1];
    if (!token) throw new Error('no busted URL on the page');
    const files = ['css/site.css', 'images/hero.png'];
    for (const file of files) {
      const busted = `/${NAMESPACE}/${token}/${file}`;
      const plain = `/${file}`;
      const b = await get(server.url + busted);
      const p = await get(server.url + plain);
      if (b.status !== 200 || p.status !== 200 || !b.body.equals(p.body)) notes.push(`serve: ${file} answered ${b.status}/${p.status}`);
      const load = (url, duration) =>
        autocannon({ url: server.url + url, connections: CONNECTIONS, duration, pipelining: 1 });
      log(`serve: ${file}, warm-up`);
      await load(busted, 2);
      await load(plain, 2);
      const results = { busted: [], plain: [] };
      for (let round = 0; round < SERVE_ROUNDS; round++) {
        const order = round % 2 ? ['plain', 'busted'] : ['busted', 'plain'];
        for (const which of order) {
          log(`serve: ${file}, ${which}, round ${round + 1}/${SERVE_ROUNDS}, ${SERVE_SECONDS} s`);
          results[which].push(await load(which === 'busted' ? busted : plain, SERVE_SECONDS));
        }
      }
      const stat = (list, f) => median(list.map(f));
      const rps = { busted: stat(results.busted, (r) => r.requests.average), plain: stat(results.plain, (r) => r.requests.average) };
      const bad = (list) => list.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
      for (const which of ['busted', 'plain']) {
        const list = results[which];
        rows.push([
          `\`${which === 'busted' ? busted.replace(token, '<token>') : plain}\` (${fmtBytes(b.body.length)})`,
          fmtNum(rps[which]),
          `${stat(list, (r) => r.latency.p50).toFixed(1)} ms`,
          `${stat(list, (r) => r.latency.p99).toFixed(1)} ms`,
          String(bad(list)),
          which === 'busted' ? fmtRatio(rps.busted / rps.plain) : '1.00×',
          b.headers.get('cache-control') && which === 'busted' ? `\`${b.headers.get('cache-control')}\`` : `\`${p.headers.get('cache-control')}\``,
        ]);
      }
      summary.push([
        `serving ${file} under next start (req/s)`,
        `busted: ${fmtNum(rps.busted)}`,
        `plain URL: ${fmtNum(rps.plain)}`,
        fmtRatio(rps.busted / rps.plain),
        'within 5 %',
        rps.busted >= rps.plain * 0.95 ? 'met' : '**missed**',
      ]);
    }
  } finally {
    await server.stop();
  }
  sections.push(
    [
      '## 4. Serving under `next start`',
      '',
      `autocannon ${pkgVersion('autocannon')}, ${CONNECTIONS} connections, ${SERVE_SECONDS} s per URL and round, ` +
        `${SERVE_ROUNDS} rounds alternating busted/plain after a 2 s warm-up of each; medians of the rounds. One ` +
        '`next start` of the wrapped app on 127.0.0.1; the load generator runs on the same 2 cores, so absolute ' +
        'numbers are low and only the ratio means much. Both URLs serve the same bytes.',
      '',
      table(['URL', 'req/s', 'p50 latency', 'p99 latency', 'non-2xx/errors', 'req/s vs plain', 'Cache-Control'], rows),
    ].join('\n'),
  );
}

// =============================================================================================
// 6. What it saves: repeat visits in headless Chromium

async function benchBrowser() {
  const { wrapped, plain } = await buildApps();
  const { chromium } = require('playwright-core');
  const rows = [];
  const detail = [];
  const result = {};
  for (const [label, dir] of [['with withStaticBust', wrapped], ['without (plain URLs)', plain]]) {
    const server = await nextStart(dir);
    const proxy = countingProxy();
    proxy.target = server.url;
    await proxy.listen();
    const profile = mkdtempSync(path.join(BENCH_DIR, 'chromium-'));
    const launch = () =>
      chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
    const visit = async (context) => {
      proxy.seen = [];
      const page = await context.newPage();
      await page.goto(proxy.url + '/', { waitUntil: 'load' });
      await page.getByTestId('hydrated').click();
      await page.getByText('clicked 1').waitFor({ timeout: 15_000 });
      await page.evaluate(() => document.fonts.ready);
      await page.waitForTimeout(500); // stragglers (icon)
      await page.close();
      const seen = [...proxy.seen];
      const kind = (p) =>
        p === '/' ? 'document' : p.startsWith('/_next/') ? '_next/' : p.startsWith(`/${NAMESPACE}/`) ? 'busted public/' : p.startsWith('/api/') ? 'api' : 'plain public/';
      const groups = {};
      for (const r of seen) {
        const g = (groups[kind(r.path)] ??= { n: 0, s304: 0, bytes: 0 });
        g.n++;
        if (r.status === 304) g.s304++;
        g.bytes += r.headerBytes + r.bodyBytes;
      }
      return {
        requests: seen.length,
        s304: seen.filter((r) => r.status === 304).length,
        bytes: seen.reduce((n, r) => n + r.headerBytes + r.bodyBytes, 0),
        body: seen.reduce((n, r) => n + r.bodyBytes, 0),
        groups,
        paths: seen.map((r) => `${r.status} ${r.path}`),
      };
    };
    let context;
    try {
      context = await launch();
      const first = await visit(context);
      const repeat = await visit(context);
      await context.close();
      context = await launch(); // same profile: the disk cache survives, the memory cache does not
      const restart = await visit(context);
      result[label] = { first, repeat, restart };
      for (const [what, v] of [['first visit', first], ['repeat visit', repeat], ['repeat visit after browser restart', restart]]) {
        const g = (k) => (v.groups[k] ? `${v.groups[k].n} (${v.groups[k].s304}×304)` : '0');
        rows.push([label, what, String(v.requests), String(v.s304), fmtBytes(v.bytes), g('document'), g('_next/'), g('busted public/'), g('plain public/')]);
      }
      detail.push(`- ${label}, repeat visit: ${repeat.paths.map((p) => `\`${p}\``).join(', ')}`);
    } finally {
      await context?.close().catch(() => {});
      await proxy.close();
      await server.stop();
      rmSync(profile, { recursive: true, force: true });
    }
  }
  const w = result['with withStaticBust'].repeat;
  const p = result['without (plain URLs)'].repeat;
  sections.push(
    [
      '## 6. What it saves: repeat visits in headless Chromium',
      '',
      `Debian Chromium (\`${CHROMIUM}\`) driven by playwright-core, a persistent profile per app, a counting proxy ` +
        'between browser and `next start` (as in test/e2e/browser.test.ts). A visit opens `/` in a new tab, waits ' +
        'for load, hydration (a click), fonts and 500 ms. "Requests" are those that reached the server; bytes ' +
        'are the status lines, headers and bodies sent back.',
      '',
      table(
        ['app', 'visit', 'requests', 'of which 304', 'bytes', 'document', '/_next/', 'busted public/', 'plain public/'],
        rows,
      ),
      '',
      'What reached the server on the repeat visit:',
      '',
      ...detail,
    ].join('\n'),
  );
  summary.push([
    'repeat visit of example-app in Chromium',
    `${w.requests} requests, ${fmtBytes(w.bytes)}`,
    `plain: ${p.requests} requests, ${fmtBytes(p.bytes)}`,
    `${p.requests - w.requests} fewer requests, ${fmtBytes(p.bytes - w.bytes)} less`,
    '—',
    '—',
  ]);
}

// =============================================================================================

/** bench/ANALYSIS.md, written by hand from a full run, is appended as it is. */
function analysis() {
  const file = path.join(ROOT, 'bench/ANALYSIS.md');
  return existsSync(file) ? [readFileSync(file, 'utf8').trim(), ''] : [];
}

async function main() {
  mkdirSync(BENCH_DIR, { recursive: true });
  const m = machine();
  const loadBefore = loadavg();
  log(`machine: ${m.nproc} × ${m.cpu}, Node ${m.node}; load ${loadBefore}; quick=${QUICK} cold=${COLD}`);
  let scanned;
  const timings = [];
  const timed = async (name, fn) => {
    const t0 = performance.now();
    const load = loadavg();
    await fn();
    timings.push(`${name} ${fmtMs(performance.now() - t0)} (load avg before: ${load})`);
  };
  try {
    if (wants('scan')) await timed('scan', async () => (scanned = await benchScan()));
    if (wants('profile')) await timed('profile', () => benchProfile(scanned?.trees));
    if (wants('rotate')) await timed('rotate', benchRotate);
    if (wants('micro')) await timed('micro', benchMicro);
    if (wants('next')) await timed('next', benchNext);
    if (wants('serve')) await timed('serve', benchServe);
    if (wants('browser')) await timed('browser', benchBrowser);
  } finally {
    if (!KEEP) {
      for (const name of await fs.readdir(BENCH_DIR).catch(() => [])) {
        if (/^(scan-|rotate-|app-|chromium-|prof|micro|dist|node_modules)/.test(name)) rmSync(path.join(BENCH_DIR, name), { recursive: true, force: true });
      }
    }
  }
  const total = performance.now() - started;
  const order = ['## 1.', '## Profile', '## 2.', '## 3.', '## 4.', '## 5.', '## 6.'];
  sections.sort((a, b) => order.findIndex((o) => a.startsWith(o)) - order.findIndex((o) => b.startsWith(o)));
  const md = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (bench/run.mjs) on ${m.date}${QUICK ? ' with **BENCH_QUICK=1** (rough numbers)' : ''}. ` +
      'Benchmarks, not tests: nothing fails on a number; "target" columns only compare.',
    '',
    '**Machine:** ' +
      `${m.nproc} CPUs (\`nproc\`), ${m.cpu} (/proc/cpuinfo), ${m.memory} RAM, ${m.kernel}, Node.js ${m.node}. ` +
      `Load average when the run started: ${loadBefore} (other work was running on the machine at the same time, ` +
      'so absolute numbers are noisy; every comparison is interleaved round by round with its baseline, which ' +
      'spreads that noise over both sides).',
    '',
    `**Page cache:** dropping it (\`echo 3 > /proc/sys/vm/drop_caches\`) ${CAN_DROP ? 'works here (root)' : 'is not allowed here'}; ` +
      `all runs are warm-cache${COLD ? ', except the "cold page cache" table of section 1' : ''}.`,
    '',
    `Total run time: ${fmtMs(total)} (${timings.join('; ')}).`,
    '',
    '## Summary',
    '',
    table(['measure', 'next-static-bust', 'baseline', 'comparison', 'target', ''], summary),
    ...(notes.length ? ['', '**Notes from the run:**', '', ...notes.map((n) => `- ${n}`)] : []),
    '',
    ...sections.flatMap((s) => [s, '']),
    ...analysis(),
  ].join('\n');
  writeFileSync(OUT, md);
  log(`wrote ${path.relative(ROOT, OUT)} in ${fmtMs(total)}`);
}

await main();
