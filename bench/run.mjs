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
//   BENCH_ONLY=a,b           run only these sections: scan, profile, rotate, micro, next, serve, browser,
//                            granularity, churn, cli
//                            (serve and browser build the two apps themselves when next did not run).
//   BENCH_SIZES=1000,10000   file counts of the generated public/ trees (default 1000,10000,100000).
//   BENCH_RUNS=N             timed rounds per scan/rotate/cli measurement (default 9/7/5 by tree size,
//                            15 for rotation, 9 for the CLI; BENCH_QUICK: 3).
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
// One file per measure, bench/measure-<section>.mjs, each a function that adds its Markdown section
// and summary rows to what bench/context.mjs collects; this file runs the ones asked for and writes
// RESULTS.md. Their helpers: lib.mjs (trees, apps, servers, tables), scan.mjs (the baselines of the
// scan), profile.mjs and profile-scan.mjs (the CPU profile), micro.mjs (run in its own process).
// bench/ANALYSIS.md (the hand-written analysis of the full runs) is appended to RESULTS.md as it is.
// bench/serving.mjs (`npm run bench:serving`) times the ways of serving on their own.
import { existsSync, mkdirSync, promises as fs, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CAN_DROP, COLD, KEEP, OUT, QUICK, log, notes, sections, started, summary, wants } from './context.mjs';
import { BENCH_DIR, ROOT, fmtMs, loadavg, machine, table } from './lib.mjs';
import { benchScan } from './measure-scan.mjs';
import { benchProfile } from './measure-profile.mjs';
import { benchRotate } from './measure-rotate.mjs';
import { benchMicro } from './measure-micro.mjs';
import { benchNext } from './measure-next.mjs';
import { benchServe } from './measure-serve.mjs';
import { benchBrowser } from './measure-browser.mjs';
import { benchGranularity } from './measure-granularity.mjs';
import { benchChurn } from './measure-churn.mjs';
import { benchCli } from './measure-cli.mjs';

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
    if (wants('granularity')) await timed('granularity', benchGranularity);
    if (wants('churn')) await timed('churn', benchChurn);
    if (wants('cli')) await timed('cli', benchCli);
  } finally {
    if (!KEEP) {
      for (const name of await fs.readdir(BENCH_DIR).catch(() => [])) {
        if (/^(scan-|rotate-|app-|chromium-|churn-|cli-|prof|micro|dist|node_modules)/.test(name)) rmSync(path.join(BENCH_DIR, name), { recursive: true, force: true });
      }
    }
  }
  const total = performance.now() - started;
  const order = ['## 1.', '## Profile', '## 2.', '## 3.', '## 4.', '## 5.', '## 6.', '## 7.', '## 8.', '## 9.'];
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
