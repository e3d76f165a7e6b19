// Section 5, run in its own process by run.mjs with NODE_ENV=production (React's production build,
// as under `next start`): bust() calls/s against a template literal, and <BustedAsset> rendered
// 1,000 times against 1,000 plain elements. Prints one JSON object on stdout.
//
//   node bench/micro.mjs <scratch dir> <time per task in ms>
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Bench } from 'tinybench';

const require = createRequire(import.meta.url);
const [scratchArg, timeArg] = process.argv.slice(2);
const scratch = path.resolve(scratchArg);
const time = Number(timeArg) || 1000;
const TOKEN = '1732530000';

// What `withStaticBust()` puts into next.config's env. Set before the module loads (bust() reads
// it on every call, as it does outside a bundle).
process.env.NEXT_STATIC_BUST_TOKEN = TOKEN;
process.env.NEXT_STATIC_BUST_NAMESPACE = '_bust';
process.env.NEXT_STATIC_BUST_BASE_PATH = '';

const dist = process.env.BENCH_DIST || path.resolve(import.meta.dirname, '../dist/cjs');
const { bust } = require(path.join(dist, 'runtime/bust.js'));

// The same module as Next.js bundles it: each process.env.NAME replaced by a string literal.
mkdirSync(scratch, { recursive: true });
const inline = (file, files) => {
  writeFileSync(
    file,
    readFileSync(path.join(dist, 'runtime/bust.js'), 'utf8')
      .replaceAll('process.env.NEXT_STATIC_BUST_TOKEN', JSON.stringify(files ? '' : TOKEN))
      .replaceAll('process.env.NEXT_STATIC_BUST_NAMESPACE', '"_bust"')
      .replaceAll('process.env.NEXT_STATIC_BUST_BASE_PATH', '""')
      .replaceAll('process.env.NEXT_STATIC_BUST_ASSET_HOST', '""')
      .replaceAll('process.env.NEXT_STATIC_BUST_FILES', JSON.stringify(files ?? ''))
      .replace('require("./fingerprint-map.js")', `require(${JSON.stringify(path.join(dist, 'runtime/fingerprint-map.js'))})`),
  );
  return require(file).bust;
};
const inlinedFile = path.join(scratch, 'bust-inlined.cjs');
const bustInlined = inline(inlinedFile);

// granularity: 'file': the map of a public/ of 100 files (the paths below among them) inlined.
const { encodeFingerprints } = require(path.join(dist, 'runtime/fingerprint-map.js'));
const FILES = new Map();
const fingerprintOf = (i) => i.toString(32).padStart(8, 'a');
for (let i = 0; i < 92; i++) FILES.set(`images/products/item-${String(i).padStart(5, '0')}.png`, fingerprintOf(i));

const React = require('react');
const { renderToString } = require('react-dom/server');
const { BustedAsset } = require(path.join(dist, 'runtime/BustedAsset.js'));
// <BustedAsset> as bundled: the same module, calling the inlined bust().
const inlinedAssetFile = path.join(scratch, 'BustedAsset-inlined.cjs');
writeFileSync(
  inlinedAssetFile,
  readFileSync(path.join(dist, 'runtime/BustedAsset.js'), 'utf8').replace(
    'require("./bust.js")',
    `require(${JSON.stringify(inlinedFile)})`,
  ),
);
const { BustedAsset: BustedAssetInlined } = require(inlinedAssetFile);

const PATHS = [
  '/css/site.css',
  '/js/hello.js',
  '/images/icon.png',
  '/images/hero.png',
  '/fonts/geist.ttf',
  '/docs/manual.pdf',
  '/images/gallery/2024/summer/beach.jpg',
  '/favicon.ico',
];
for (const [i, p] of PATHS.entries()) FILES.set(p.slice(1), fingerprintOf(100 + i));
const bustPerFile = inline(path.join(scratch, 'bust-inlined-files.cjs'), encodeFingerprints(FILES));
const BATCH = 1000; // calls per sample: one call is far below the timer's resolution
let sink = 0;

const batch = (fn) => () => {
  let n = 0;
  for (let i = 0; i < BATCH; i++) n += fn(PATHS[i & 7]).length;
  sink += n;
};

// Same output from all four, checked once.
for (const p of PATHS) {
  const want = `/_bust/${TOKEN}${p}`;
  if (bust(p) !== want || bustInlined(p) !== want) throw new Error(`bust(${p}) = ${bust(p)} / ${bustInlined(p)}`);
  if (bustPerFile(p) !== `/_bust/${FILES.get(p.slice(1))}${p}`) throw new Error(`per-file bust(${p}) = ${bustPerFile(p)}`);
}

const calls = new Bench({ time, warmupTime: 300, warmupIterations: 20 });
calls
  .add('bust(), env read at run time (plain Node.js)', batch(bust))
  .add('bust(), env inlined (as in a Next.js bundle)', batch(bustInlined))
  .add("bust(), granularity: 'file', map of 100 files inlined", batch(bustPerFile))
  .add('template literal, constant token (baseline)', batch((p) => `/_bust/${TOKEN}${p}`))
  .add(
    'template literal reading process.env (baseline)',
    batch((p) => `/_bust/${process.env.NEXT_STATIC_BUST_TOKEN}${p}`),
  );
await calls.run();

// 1,000 stylesheets and 1,000 images, each as <BustedAsset> and as the plain element with the same
// props and the same (busted) URL, so both render the same HTML.
const N = 1000;
const h = React.createElement;
const cssPaths = Array.from({ length: N }, (_, i) => `/css/part${i}.css`);
const imgPaths = Array.from({ length: N }, (_, i) => `/images/pic${i}.png`);
const trees = {
  'BustedAsset ×1,000 (.css → <link rel=stylesheet>)': () =>
    h(React.Fragment, null, ...cssPaths.map((src) => h(BustedAsset, { key: src, src }))),
  'BustedAsset ×1,000 (.css), env inlined (as bundled)': () =>
    h(React.Fragment, null, ...cssPaths.map((src) => h(BustedAssetInlined, { key: src, src }))),
  'plain <link rel=stylesheet> ×1,000 (baseline)': () =>
    h(
      React.Fragment,
      null,
      ...cssPaths.map((src) =>
        h('link', { key: src, rel: 'stylesheet', precedence: 'default', href: `/_bust/${TOKEN}${src}` }),
      ),
    ),
  'BustedAsset ×1,000 (.png → <img>)': () =>
    h(React.Fragment, null, ...imgPaths.map((src) => h(BustedAsset, { key: src, src, alt: '' }))),
  'BustedAsset ×1,000 (.png), env inlined (as bundled)': () =>
    h(React.Fragment, null, ...imgPaths.map((src) => h(BustedAssetInlined, { key: src, src, alt: '' }))),
  'plain <img> ×1,000 (baseline)': () =>
    h(React.Fragment, null, ...imgPaths.map((src) => h('img', { key: src, alt: '', src: `/_bust/${TOKEN}${src}` }))),
};
const names = Object.keys(trees);
const html = names.map((n) => renderToString(trees[n]()));
const same = { css: html[0] === html[1] && html[1] === html[2], img: html[3] === html[4] && html[4] === html[5] };

const render = new Bench({ time, warmupTime: 300, warmupIterations: 5 });
for (const name of names) render.add(name, () => void (sink += renderToString(trees[name]()).length));
await render.run();

const summary = (bench, perSample) =>
  bench.tasks.map((task) => {
    const r = task.result;
    return {
      name: task.name,
      samples: r.latency.samplesCount ?? r.latency.samples?.length,
      medianMs: r.latency.p50,
      meanMs: r.latency.mean,
      rme: r.latency.rme,
      perSecond: (perSample * 1000) / r.latency.p50,
    };
  });

process.stdout.write(
  JSON.stringify({
    react: React.version,
    nodeEnv: process.env.NODE_ENV,
    batch: BATCH,
    sameHtml: same,
    htmlBytes: html.map((s) => s.length),
    calls: summary(calls, BATCH),
    render: summary(render, 1),
    sink,
  }),
);
