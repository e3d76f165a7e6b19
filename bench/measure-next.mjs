// 3. next build and next start, with and without the wrapper. Part of `npm run bench` (bench/run.mjs).
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUILD_RUNS, NAMESPACE, PROBE_BUILDS, PROBE_RUNS, START_RUNS, dist, log, notes, sections, setApps, summary } from './context.mjs';
import { BENCH_DIR, ROOT, childEnv, cleanBuild, fmtMs, signedMs, fmtSamples, get, interleave, makeApp, median, nextStart, table } from './lib.mjs';

// The issue's target for the wrapper against none ("no cost anyone can feel").
const TARGET = 2;

export async function benchNext() {
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
  setApps({ wrapped, plain });

  // Sanity: the wrapped app's page has busted URLs, the plain one's has none.
  const check = async (dir) => {
    const s = await nextStart(dir);
    const page = await get(s.url + '/');
    await s.stop();
    return page.text.includes(`/${NAMESPACE}/`);
  };
  const literal = makeLiteral(wrapped);
  const [wHas, pHas, lHas] = [await check(wrapped), await check(plain), await check(literal)];
  if (!wHas || pHas || !lHas) notes.push(`unexpected page URLs: wrapped busted=${wHas}, plain busted=${pHas}, literal busted=${lHas}`);

  log(`next: ${START_RUNS} starts per variant (rotating, one warm-up each)`);
  const started = (dir) => async () => {
    const srv = await nextStart(dir);
    await srv.stop();
    return { innerMs: srv.readyMs };
  };
  const s = await interleave(
    [
      { name: 'wrapped', fn: started(wrapped) },
      { name: 'plain', fn: started(plain) },
      { name: 'literal', fn: started(literal) },
    ],
    { runs: START_RUNS, warmup: 1, log: (x) => log(`next start ${x}`) },
  );
  // What the package's own code takes inside the processes (the probe's note says why): the
  // first call at the start phase of each `next start` (the one that loaded the module), and every
  // call of a build, in all its processes, summed.
  const probeOut = path.join(BENCH_DIR, 'probe.jsonl');
  const probed = childEnv({ NODE_OPTIONS: `--require ${path.join(ROOT, 'bench/probe-config.cjs')}`, NSB_PROBE_OUT: probeOut });
  const readProbe = () => readFileSync(probeOut, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  rmSync(probeOut, { force: true });
  for (let i = 0; i < PROBE_RUNS; i++) {
    const srv = await nextStart(wrapped, { env: probed });
    await srv.stop();
  }
  const calls = readProbe().filter((c) => c.phase === 'phase-production-server');
  const firsts = [...new Map(calls.reverse().map((c) => [c.pid, c])).values()];
  const inside = {
    load: median(firsts.map((c) => c.loadMs)),
    call: median(firsts.map((c) => c.callMs)),
    calls: calls.length / Math.max(1, firsts.length),
  };
  const builds = [];
  for (let i = 0; i < PROBE_BUILDS; i++) {
    rmSync(probeOut, { force: true });
    await cleanBuild(wrapped, probed);
    const lines = readProbe();
    const loads = new Map(lines.map((c) => [c.pid, c.loadMs]));
    builds.push({
      ms: [...loads.values()].reduce((a, b) => a + b, 0) + lines.reduce((a, c) => a + c.callMs, 0),
      calls: lines.length,
      processes: loads.size,
    });
  }
  const insideBuild = median(builds.map((x) => x.ms));
  const bw = median(b.wrapped);
  const bp = median(b.plain);
  const sw = median(s.wrapped);
  const sp = median(s.plain);
  const sl = median(s.literal);
  const pctDiff = (a, base) => `${a >= base ? '+' : ''}${(((a - base) / base) * 100).toFixed(1)} %`;
  sections.push(
    [
      '## 3. What users feel: `next build` and `next start`',
      '',
      'Two copies of example-app in `.bench/`, identical but for next.config.ts: `app-wrapped` exports ' +
        '`withStaticBust(nextConfig)`, `app-plain` exports `nextConfig` (its page then renders plain URLs from ' +
        '`bust()`). `next build` is Turbopack, from a clean state each time (no `.next`, no `public/_bust`), ' +
        `after one untimed build of each; variants alternate, the order flipping each round. \`next start\` ` +
        '(with a third copy, below; the order rotating each round): ' +
        'time from spawn to the first `200` for `/` (polled every 10 ms over fresh connections), so it ' +
        'includes the first render of the page.',
      '',
      table(
        ['', 'with withStaticBust', 'without (plain)', 'difference', 'target'],
        [
          [`\`next build\` (${BUILD_RUNS} runs each)`, fmtSamples(b.wrapped), fmtSamples(b.plain), `${pctDiff(bw, bp)} (${signedMs(bw - bp)})`, `within ${TARGET} %`],
          [`\`next start\` → first 200 (${START_RUNS} runs each)`, fmtSamples(s.wrapped), fmtSamples(s.plain), `${pctDiff(sw, sp)} (${signedMs(sw - sp)})`, `within ${TARGET} %`],
        ],
      ),
      '',
      `Inside \`next start\` (${firsts.length} more starts of \`app-wrapped\` with \`bench/probe-config.cjs\` ` +
        'loaded by `--require`, medians): loading `next-static-bust/config` took ' +
        `${fmtMs(inside.load)} and its call at the start phase ${fmtMs(inside.call)} ` +
        `(${inside.calls.toFixed(0)} call${inside.calls === 1 ? '' : 's'} per process), ` +
        `${(((inside.load + inside.call) / sp) * 100).toFixed(1)} % of a plain start. In ${builds.length} more builds, ` +
        `its loads and calls (config and after-compile hook: ${builds.map((x) => `${x.calls} calls in ${x.processes} process${x.processes === 1 ? '' : 'es'}`).join(', ')}) took ` +
        `${fmtMs(insideBuild)} in all, ${((insideBuild / bp) * 100).toFixed(1)} % of a plain build.`,
      '',
      'A third copy, `app-literal`, splits the start\'s difference end to end: it is `app-wrapped` after its ' +
        'build (`.next/` and `public/_bust/` copied), with a next.config.ts that exports, written out, what ' +
        'withStaticBust() returned at the start phase (the same `env`, headers, redirects and rewrites; not the ' +
        'build\'s after-compile hook) and does not load the package. Its starts were in the same rounds:',
      '',
      table(
        ['', '`next start` → first 200', 'against plain', 'what it measures'],
        [
          ['`app-plain`', fmtSamples(s.plain), '', ''],
          ['`app-literal`', fmtSamples(s.literal), `${pctDiff(sl, sp)} (${signedMs(sl - sp)})`, 'what Next.js does with what the wrapper adds (routes, env, the token folder in public/, busted URLs in the page)'],
          ['`app-wrapped`', fmtSamples(s.wrapped), `${pctDiff(sw, sp)} (${signedMs(sw - sp)})`, `and the package's own code: ${signedMs(sw - sl)} over \`app-literal\` (the probe: ${fmtMs(inside.load + inside.call)})`],
        ],
      ),
      '',
      `Per run (ms): build wrapped ${b.wrapped.map((x) => x.toFixed(0)).join(', ')}; build plain ${b.plain.map((x) => x.toFixed(0)).join(', ')}; ` +
        `start wrapped ${s.wrapped.map((x) => x.toFixed(0)).join(', ')}; start plain ${s.plain.map((x) => x.toFixed(0)).join(', ')}; ` +
        `start literal ${s.literal.map((x) => x.toFixed(0)).join(', ')}.`,
    ].join('\n'),
  );
  const within = (a, base) => (a - base) / base <= TARGET / 100;
  summary.push(['`next build` (Turbopack)', fmtMs(bw), `plain: ${fmtMs(bp)}`, pctDiff(bw, bp), `within ${TARGET} %`, within(bw, bp) ? 'met' : '**missed**']);
  summary.push(['`next start` → first 200', fmtMs(sw), `plain: ${fmtMs(sp)}`, pctDiff(sw, sp), `within ${TARGET} %`, within(sw, sp) ? 'met' : '**missed**']);
  summary.push(['the package\'s own code inside `next start` / `next build`', `${fmtMs(inside.load + inside.call)} / ${fmtMs(insideBuild)}`, 'probe (section 3)', `${(((inside.load + inside.call) / sp) * 100).toFixed(1)} % / ${((insideBuild / bp) * 100).toFixed(1)} %`, '', '']);
}

/**
 * `app-literal`: a copy of `wrapped` after its build (its `.next/` and `public/_bust/`, links kept as
 * they are) whose next.config.ts exports, written out, what withStaticBust() returned for it at the
 * start phase, and does not load the package. Against `app-plain` it measures what Next.js does with
 * what the wrapper adds; `app-wrapped` against it, the package's own code.
 */
function makeLiteral(wrapped) {
  const dir = path.join(BENCH_DIR, 'app-literal');
  rmSync(dir, { recursive: true, force: true });
  cpSync(wrapped, dir, { recursive: true, verbatimSymlinks: true });
  // In a process of its own: the wrapper's say-once key must not reach the next starts' env.
  const script = `
    const { withStaticBust } = require(process.argv[1]);
    withStaticBust({ reactStrictMode: true }, { dir: process.argv[2] })('phase-production-server', { defaultConfig: {} }).then(async (c) => {
      const out = { env: c.env, headers: await c.headers(), redirects: await c.redirects(), rewrites: await c.rewrites() };
      process.stdout.write('\\n' + JSON.stringify(out) + '\\n');
    });`;
  const out = execFileSync(process.execPath, ['-e', script, path.join(dist, 'config.js'), dir], { env: childEnv(), encoding: 'utf8' });
  const config = JSON.parse(out.trim().split('\n').at(-1));
  const json = (value) => JSON.stringify(value, null, 2).replace(/\n/g, '\n  ');
  writeFileSync(
    path.join(dir, 'next.config.ts'),
    `import type { NextConfig } from 'next';

// Written by bench/measure-next.mjs: what withStaticBust() returned for app-wrapped's build at the
// start phase, without the package.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  env: ${json(config.env)},
  async headers() {
    return ${json(config.headers)};
  },
  async redirects() {
    return ${json(config.redirects)};
  },
  async rewrites() {
    return ${json(config.rewrites)};
  },
};

export default nextConfig;
`,
  );
  return dir;
}
