// 7. What granularity: 'file' costs: the fingerprint map in the client JavaScript, and next build /
// next start with per-file fingerprints and integrity, against the global token and against the same
// app without the wrapper, in the same run. Part of `npm run bench` (bench/run.mjs).
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUILD_RUNS, START_RUNS, QUICK, log, sections, summary } from './context.mjs';
import { cleanBuild, fmtMs, signedMs, fmtSamples, interleave, makeApp, median, nextStart, table } from './lib.mjs';

const FOLDERS = ['images/products', 'images/team', 'images/blog', 'icons', 'docs', 'fonts', 'css', 'js', 'media', 'downloads'];
const EXTS = ['png', 'svg', 'jpg', 'svg', 'pdf', 'woff2', 'css', 'js', 'mp4', 'zip'];

/** Adds `n` files to the app's public/, spread over ten folders, with names as sites have them. */
function addFiles(dir, n) {
  for (let i = 0; i < n; i++) {
    const f = i % FOLDERS.length;
    const folder = path.join(dir, 'public', FOLDERS[f]);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `item-${String(i).padStart(5, '0')}.${EXTS[f]}`), `file ${i}\n`);
  }
}

/** An app of example-app's pages with `extra` more files in public/, global token, per file, or no wrapper. */
function app(name, extra, granularity) {
  const dir = makeApp(name, { plain: granularity === 'plain' });
  addFiles(dir, extra);
  if (granularity === 'file') {
    const config = path.join(dir, 'next.config.ts');
    writeFileSync(config, readFileSync(config, 'utf8').replace('withStaticBust(nextConfig)', "withStaticBust(nextConfig, { granularity: 'file' })"));
  }
  return dir;
}

/** The client JavaScript of a build: the files, their bytes, and their bytes gzipped (level 9). */
function clientJs(dir) {
  const chunks = path.join(dir, '.next/static/chunks');
  let raw = 0;
  let gzip = 0;
  for (const rel of readdirSync(chunks, { recursive: true }).map(String)) {
    if (!rel.endsWith('.js')) continue;
    const bytes = readFileSync(path.join(chunks, rel));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip };
}

/** The fingerprint map the build inlined (from the resolved config Next.js writes). */
function inlinedMap(dir) {
  const env = JSON.parse(readFileSync(path.join(dir, '.next/required-server-files.json'), 'utf8')).config.env;
  return env.NEXT_STATIC_BUST_FILES ?? '';
}

export async function benchGranularity() {
  const sizes = QUICK ? [100, 1000] : [100, 1000, 5000];
  const example = 6; // example-app's own files
  const rows = [];
  let at100;
  for (const n of sizes) {
    const files = n - example;
    log(`granularity: client JavaScript, ${n} files, global then per file`);
    const global = app(`app-global-${n}`, files, 'global');
    const perFile = app(`app-file-${n}`, files, 'file');
    const built = await cleanBuild(perFile);
    await cleanBuild(global);
    const g = clientJs(global);
    const f = clientJs(perFile);
    const map = inlinedMap(perFile);
    const line = /\[next-static-bust\] busting[^\n]*/.exec(built.output ?? '')?.[0] ?? '';
    const kind = /one per (file|folder)/.exec(line)?.[1] ?? '?';
    const count = Number(/\((\d+) fingerprints/.exec(line)?.[1] ?? NaN);
    const mapGzip = gzipSync(map, { level: 9 }).length;
    rows.push([
      String(n),
      kind,
      `${g.gzip.toLocaleString('en-US')} B`,
      `${f.gzip.toLocaleString('en-US')} B`,
      `${f.gzip - g.gzip >= 0 ? '+' : ''}${(f.gzip - g.gzip).toLocaleString('en-US')} B`,
      `${count} entries: ${map.length.toLocaleString('en-US')} B, gzip ${mapGzip.toLocaleString('en-US')} B (${(mapGzip / count).toFixed(1)} B per entry)`,
      n === 100 ? '≤ 2 KB' : '—',
    ]);
    if (n === 100) at100 = f.gzip - g.gzip;
  }

  // example-app's layout asks integrity for its stylesheet and script: the per-file builds compute it
  // from the rewritten copies.
  log(`granularity: ${BUILD_RUNS} builds and ${START_RUNS} starts per variant, 100 files`);
  const global = app('app-global-time', 100 - example, 'global');
  const perFile = app('app-file-time', 100 - example, 'file');
  const plain = app('app-plain-time', 100 - example, 'plain');
  const b = await interleave(
    [
      { name: 'file', fn: async () => ({ innerMs: (await cleanBuild(perFile)).ms }) },
      { name: 'global', fn: async () => ({ innerMs: (await cleanBuild(global)).ms }) },
      { name: 'plain', fn: async () => ({ innerMs: (await cleanBuild(plain)).ms }) },
    ],
    { runs: BUILD_RUNS, warmup: 1, log: (s) => log(`granularity build ${s}`) },
  );
  const start = (dir) => async () => {
    const server = await nextStart(dir);
    await server.stop();
    return { innerMs: server.readyMs };
  };
  const s = await interleave(
    [
      { name: 'file', fn: start(perFile) },
      { name: 'global', fn: start(global) },
      { name: 'plain', fn: start(plain) },
    ],
    { runs: START_RUNS, warmup: 1, log: (x) => log(`granularity start ${x}`) },
  );
  const pct = (a, base) => `${a >= base ? '+' : ''}${(((a - base) / base) * 100).toFixed(1)} %`;
  const [bf, bg, bp, sf, sg, sp] = [median(b.file), median(b.global), median(b.plain), median(s.file), median(s.global), median(s.plain)];
  const withIntegrity = perFileIntegrity(perFile);

  sections.push(
    [
      "## 7. What `granularity: 'file'` costs",
      '',
      'Copies of example-app with generated files added to `public/` (ten folders, names like ' +
        '`images/products/item-00042.png`), built with `withStaticBust(nextConfig)` (one global token) and with ' +
        "`withStaticBust(nextConfig, { granularity: 'file' })`. The page's Client Component calls `bust()`, so the " +
        'fingerprint map is in the client JavaScript. "Client JS" is the sum over `.next/static/chunks/**/*.js` of ' +
        'each file gzipped at level 9; "the map" is the string the build inlined (`NEXT_STATIC_BUST_FILES`).',
      '',
      table(['files in public/', 'fingerprints per', 'client JS, global token', 'client JS, per file', 'difference', 'the map', 'target'], rows),
      '',
      'Past 1,000 files the fingerprints are per folder (the build says so), so the map has one entry per folder ' +
        'and stops growing with files; past 1,000 folders one token covers everything again.',
      '',
      `The same pages with 100 files in \`public/\`: per file (with \`integrity\` on the stylesheet and script, ` +
        `${withIntegrity} values inlined), the global token, and no wrapper at all (the baseline of the target).`,
      '',
      table(
        ['100 files', "granularity: 'file' + integrity", 'global token', 'no wrapper', 'per file vs none', 'target'],
        [
          [`\`next build\` (${BUILD_RUNS} runs each)`, fmtSamples(b.file), fmtSamples(b.global), fmtSamples(b.plain), `${pct(bf, bp)} (${signedMs(bf - bp)})`, 'within 5 %'],
          [`\`next start\` → first 200 (${START_RUNS} runs each)`, fmtSamples(s.file), fmtSamples(s.global), fmtSamples(s.plain), `${pct(sf, sp)} (${signedMs(sf - sp)})`, 'within 5 %'],
        ],
      ),
    ].join('\n'),
  );
  const within = (a, base) => a <= base * 1.05;
  summary.push(['per-file map in client JS, 100 files', `+${at100} B gzip`, 'global token', '—', '≤ 2 KB gzip', at100 <= 2048 ? 'met' : '**missed**']);
  summary.push(["`next build`, granularity: 'file' + integrity", fmtMs(bf), `no wrapper: ${fmtMs(bp)}`, pct(bf, bp), 'within 5 %', within(bf, bp) ? 'met' : '**missed**']);
  summary.push(["`next start`, granularity: 'file' + integrity", fmtMs(sf), `no wrapper: ${fmtMs(sp)}`, pct(sf, sp), 'within 5 %', within(sf, sp) ? 'met' : '**missed**']);
  summary.push(["`next build`, granularity: 'file' vs global", fmtMs(bf), `global: ${fmtMs(bg)}`, pct(bf, bg), '—', '—']);
}

/** How many integrity values the per-file build inlined (it must have some: else this measures nothing). */
function perFileIntegrity(dir) {
  const env = JSON.parse(readFileSync(path.join(dir, '.next/required-server-files.json'), 'utf8')).config.env;
  const count = (env.NEXT_STATIC_BUST_INTEGRITY ?? '').split('|').filter(Boolean).length;
  if (count === 0) throw new Error('bench: the per-file build inlined no integrity value; the layout no longer asks for it');
  return count;
}
