// 3. next build and next start, with and without the wrapper. Part of `npm run bench` (bench/run.mjs).
import { spawn } from 'node:child_process';
import { BUILD_RUNS, NAMESPACE, START_RUNS, log, notes, sections, setApps, summary } from './context.mjs';
import { cleanBuild, fmtMs, signedMs, fmtSamples, get, interleave, makeApp, median, nextStart, table } from './lib.mjs';

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
          [`\`next build\` (${BUILD_RUNS} runs each)`, fmtSamples(b.wrapped), fmtSamples(b.plain), `${pctDiff(bw, bp)} (${signedMs(bw - bp)})`, 'within 5 %'],
          [`\`next start\` → first 200 (${START_RUNS} runs each)`, fmtSamples(s.wrapped), fmtSamples(s.plain), `${pctDiff(sw, sp)} (${signedMs(sw - sp)})`, 'within 5 %'],
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
