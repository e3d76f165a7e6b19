// 5. bust() and <BustedAsset> (run in its own process by micro.mjs). Part of `npm run bench` (bench/run.mjs).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { MICRO_MS, dist, env, log, pkgVersion, sections, summary } from './context.mjs';
import { BENCH_DIR, ROOT, fmtMs, fmtNum, fmtRatio, median, table } from './lib.mjs';

export async function benchMicro() {
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
  const [runtime, inlined, perFile, literal, literalEnv] = r.calls;
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
        'by literals, as Next.js does) is what an app runs. With `granularity: \'file\'` the map of fingerprints ' +
        'is inlined too, decoded on the first call, then each call is a lookup.',
      '',
      table(
        ['what', 'calls/s', 'per call', 'speed vs constant template literal', 'samples'],
        [callRow(runtime, true), callRow(inlined, true), callRow(perFile, true), callRow(literal, false), callRow(literalEnv, true)],
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
