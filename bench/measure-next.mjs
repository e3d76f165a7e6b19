// 3. next build and next start, with and without the wrapper. Part of `npm run bench` (bench/run.mjs).
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BUILD_RUNS, NAMESPACE, PROBE_BUILDS, PROBE_RUNS, START_RUNS, log, notes, sections, setApps, summary } from './context.mjs';
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
        `${fmtMs(insideBuild)} in all, ${((insideBuild / bp) * 100).toFixed(1)} % of a plain build. The rest of the ` +
        'difference is what Next.js does with what the wrapper adds (the routes, the token folder in its ' +
        'listing of public/, the busted URLs in the page) and the noise of the runs.',
      '',
      `Per run (ms): build wrapped ${b.wrapped.map((x) => x.toFixed(0)).join(', ')}; build plain ${b.plain.map((x) => x.toFixed(0)).join(', ')}; ` +
        `start wrapped ${s.wrapped.map((x) => x.toFixed(0)).join(', ')}; start plain ${s.plain.map((x) => x.toFixed(0)).join(', ')}.`,
    ].join('\n'),
  );
  const within = (a, base) => (a - base) / base <= TARGET / 100;
  summary.push(['`next build` (Turbopack)', fmtMs(bw), `plain: ${fmtMs(bp)}`, pctDiff(bw, bp), `within ${TARGET} %`, within(bw, bp) ? 'met' : '**missed**']);
  summary.push(['`next start` → first 200', fmtMs(sw), `plain: ${fmtMs(sp)}`, pctDiff(sw, sp), `within ${TARGET} %`, within(sw, sp) ? 'met' : '**missed**']);
  summary.push(['the package\'s own code inside `next start` / `next build`', `${fmtMs(inside.load + inside.call)} / ${fmtMs(insideBuild)}`, 'probe (section 3)', `${(((inside.load + inside.call) / sp) * 100).toFixed(1)} % / ${((insideBuild / bp) * 100).toFixed(1)} %`, '', '']);
}
