// 8. Deploy churn: what a returning visitor downloads after a deploy, in headless Chromium, for the
// global "mtime" token, the global "hash" token and granularity: 'file'. Part of `npm run bench`
// (bench/run.mjs).
//
// The site: a page with 20 files of public/, about 2 MB (a stylesheet whose url()s name two fonts
// and a background image, two scripts, fourteen photos), kept in a "repository" folder. A deploy is
// a fresh copy of it (new modification times, no public/_bust, as a CI clone), `next build` and
// `next start` behind a counting proxy whose port never changes, so the browser's cache carries over.
// Per way of busting, with a new browser profile: deploy the site and visit it (the visitor's first
// visit), then (a) deploy the same files again and visit, then (b) deploy with one photo changed
// and visit. Counted: requests that reached the server and the bytes sent back.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { CHROMIUM, NAMESPACE, log, require, sections, summary } from './context.mjs';
import { BENCH_DIR, EXAMPLE, cleanBuild, countingProxy, fmtBytes, nextStart, table } from './lib.mjs';

const PHOTOS = Array.from({ length: 14 }, (_, i) => `img/photo-${String(i + 1).padStart(2, '0')}.png`);

const LAYOUT = `import type { ReactNode } from 'react';
import { BustedAsset } from 'next-static-bust';

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <BustedAsset src="/css/site.css" />
        <BustedAsset src="/js/vendor.js" />
        <BustedAsset src="/js/app.js" />
        {children}
      </body>
    </html>
  );
}
`;

const PAGE = `import { bust } from 'next-static-bust';

const PHOTOS = ${JSON.stringify(PHOTOS)};

export default function Home() {
  return (
    <main>
      <h1>Deploy churn</h1>
      <p>Twenty files of public/.</p>
      {PHOTOS.map((p) => (
        // eslint-disable-next-line @next/next/no-img-element
        <img key={p} src={bust('/' + p)} alt="" width={230} height={180} />
      ))}
    </main>
  );
}
`;

const CSS = `@font-face { font-family: 'Body'; src: url('../fonts/body.ttf') format('truetype'); }
@font-face { font-family: 'Heading'; src: url('../fonts/heading.ttf') format('truetype'); }
body { font-family: 'Body', sans-serif; background: url('../img/bg.png') repeat; }
h1 { font-family: 'Heading', serif; }
`;

function config(options) {
  return `import { withStaticBust } from 'next-static-bust/config';
export default withStaticBust({ reactStrictMode: true }${options ? `, ${options}` : ''});
`;
}

const WAYS = [
  { name: 'global token, "mtime" (the default on a developer\'s machine)', options: "{ strategy: 'mtime' }" },
  { name: 'global token, "hash" (the default in CI and on the hosts)', options: "{ strategy: 'hash' }" },
  { name: "granularity: 'file'", options: "{ granularity: 'file' }" },
];

// A PNG of random pixels: a real image of about 125 KB that does not compress.
const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
function noisePng(width = 230, height = 180) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) randomBytes(width * 3).copy(rows, y * (width * 3 + 1) + 1);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** The "repository": the app's sources and public/, v1, and v2 with one photo changed. */
function makeRepositories() {
  const v1 = path.join(BENCH_DIR, 'churn-v1');
  rmSync(v1, { recursive: true, force: true });
  const files = {
    'app/layout.tsx': LAYOUT,
    'app/page.tsx': PAGE,
    'public/css/site.css': CSS,
    'public/js/vendor.js': `/* vendor */\nwindow.vendor = ${JSON.stringify(randomBytes(30000).toString('base64'))};\n`,
    'public/js/app.js': 'document.documentElement.dataset.app = "ran";\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(v1, rel)), { recursive: true });
    writeFileSync(path.join(v1, rel), text);
  }
  for (const name of ['tsconfig.json', 'next-env.d.ts']) cpSync(path.join(EXAMPLE, name), path.join(v1, name));
  writeFileSync(path.join(v1, 'package.json'), JSON.stringify({ name: 'churn', private: true }));
  const font = readFileSync(path.join(EXAMPLE, 'public/fonts/geist.ttf'));
  mkdirSync(path.join(v1, 'public/fonts'), { recursive: true });
  writeFileSync(path.join(v1, 'public/fonts/body.ttf'), font);
  writeFileSync(path.join(v1, 'public/fonts/heading.ttf'), Buffer.concat([font, Buffer.alloc(16)]));
  mkdirSync(path.join(v1, 'public/img'), { recursive: true });
  for (const photo of [...PHOTOS, 'img/bg.png']) writeFileSync(path.join(v1, 'public', photo), noisePng());
  const v2 = path.join(BENCH_DIR, 'churn-v2');
  rmSync(v2, { recursive: true, force: true });
  cpSync(v1, v2, { recursive: true });
  writeFileSync(path.join(v2, 'public', PHOTOS[0]), noisePng());
  return { v1, v2 };
}

/** A deploy: a fresh copy of `repo` (new modification times, as a clone), built. */
async function deploy(repo, options, n) {
  const dir = path.join(BENCH_DIR, `churn-deploy-${n}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(repo, dir, { recursive: true });
  writeFileSync(path.join(dir, 'next.config.ts'), config(options));
  await cleanBuild(dir);
  return dir;
}

export async function benchChurn() {
  const { chromium } = require('playwright-core');
  const { v1, v2 } = makeRepositories();
  const publicBytes = [...PHOTOS, 'img/bg.png', 'css/site.css', 'js/vendor.js', 'js/app.js', 'fonts/body.ttf', 'fonts/heading.ttf']
    .map((f) => readFileSync(path.join(v1, 'public', f)).length)
    .reduce((a, b) => a + b, 0);
  const proxy = countingProxy();
  await proxy.listen();
  const rows = [];
  const detail = [];
  const results = {};
  let deploys = 0;
  let server;
  try {
    for (const way of WAYS) {
      const profile = path.join(BENCH_DIR, `chromium-churn-${deploys}`);
      rmSync(profile, { recursive: true, force: true });
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      const visitAfter = async (repo) => {
        const dir = await deploy(repo, way.options, deploys++);
        await server?.stop();
        server = await nextStart(dir);
        proxy.target = server.url;
        proxy.seen = [];
        const page = await context.newPage();
        await page.goto(proxy.url + '/', { waitUntil: 'load' });
        await page.evaluate(() => document.fonts.ready);
        await page.waitForTimeout(500);
        await page.close();
        const seen = [...proxy.seen];
        const isPublic = (p) => p.startsWith(`/${NAMESPACE}/`) || /^\/(img|css|js|fonts)\//.test(p);
        const pub = seen.filter((r) => isPublic(r.path));
        const sum = (list) => list.reduce((n, r) => n + r.headerBytes + r.bodyBytes, 0);
        return {
          requests: seen.length,
          bytes: sum(seen),
          publicRequests: pub.length,
          publicBytes: sum(pub),
          publicPaths: pub.map((r) => `${r.status} ${r.path.replace(/^\/_bust\/[^/]+\//, '/_bust/…/')}`),
        };
      };
      try {
        log(`churn: ${way.name}: first visit`);
        const first = await visitAfter(v1);
        log(`churn: ${way.name}: (a) a deploy of the same files`);
        const same = await visitAfter(v1);
        log(`churn: ${way.name}: (b) a deploy with one photo changed`);
        const changed = await visitAfter(v2);
        results[way.name] = { first, same, changed };
        for (const [what, v] of [
          ['first visit', first],
          ['(a) after a deploy with no change in public/', same],
          ['(b) after a deploy that changes one photo', changed],
        ]) {
          rows.push([way.name, what, String(v.publicRequests), fmtBytes(v.publicBytes), String(v.requests), fmtBytes(v.bytes)]);
        }
        detail.push(`- ${way.name}, (b): ${changed.publicPaths.length ? changed.publicPaths.map((p) => `\`${p}\``).join(', ') : 'none'}`);
      } finally {
        await context.close().catch(() => {});
        rmSync(profile, { recursive: true, force: true });
      }
    }
  } finally {
    await server?.stop();
    await proxy.close();
    for (let n = 0; n < deploys; n++) rmSync(path.join(BENCH_DIR, `churn-deploy-${n}`), { recursive: true, force: true });
  }
  const photo = readFileSync(path.join(v2, 'public', PHOTOS[0])).length;
  sections.push(
    [
      '## 8. Deploy churn: what a returning visitor downloads after a deploy',
      '',
      `A page with 20 files of public/ (${fmtBytes(publicBytes)}: a stylesheet whose url()s name two fonts and a ` +
        'background image, two scripts, fourteen photos of random pixels). A deploy is a fresh copy of the site ' +
        '(new modification times and no `public/_bust`, as a clone in CI), `next build` and `next start`; Debian ' +
        'Chromium in headless mode, one profile per way of busting, visits `/` through a counting proxy after each ' +
        'deploy (load, fonts, 500 ms). "public/ files" are requests under `/_bust/` or for a plain public/ path; ' +
        'bytes are the status lines, headers and bodies sent back. The changed photo is ' +
        `${fmtBytes(photo)}. Goal: (a) 0 bytes, (b) only the changed photo.`,
      '',
      table(['busting', 'visit', 'public/ files: requests', 'public/ files: bytes', 'all requests', 'all bytes'], rows),
      '',
      'What of public/ reached the server on visit (b):',
      '',
      ...detail,
    ].join('\n'),
  );
  for (const way of WAYS) {
    const r = results[way.name];
    summary.push([
      `deploy churn, ${way.name}`,
      `(a) ${fmtBytes(r.same.publicBytes)}, (b) ${fmtBytes(r.changed.publicBytes)}`,
      `first visit: ${fmtBytes(r.first.publicBytes)}`,
      `(b) ${r.changed.publicRequests} request${r.changed.publicRequests === 1 ? '' : 's'}`,
      `(a) 0 B, (b) ${fmtBytes(photo)} + headers`,
      r.same.publicBytes === 0 && r.changed.publicRequests === 1 ? 'met' : 'not met',
    ]);
  }
}
