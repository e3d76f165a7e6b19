// Serving from the build's own static folder, as on Vercel, Netlify and Cloudflare, for a root
// catch-all on next start, and where links cannot be made: copies under .next/static/media/, served
// by Next.js at /_next/static/media/_bust/<token>/… . Forced here with the `platform` option and
// served by a real `next start`.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBustedPage, expectNoOddAnswers, get, IMMUTABLE, integrityOfPage, makeApp, nextBuild, nextStart, publicFile, STATIC_PREFIX, type Server } from './harness.js';
import { launchChromium, visit } from './chromium.js';

// A page and a route handler whose paths lie under a folder of public/ (docs/): the rewrite that
// this serving replaced answered them with the immutable header.
const DOCS = {
  'public/docs/manual.txt': 'the manual\n',
  'app/docs/[slug]/page.tsx': `import { notFound } from 'next/navigation';
export default async function Doc({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  if (slug === 'gone') notFound();
  return <p>page {slug}</p>;
}
`,
  'app/docs/api/route.ts': `export function GET() {
  return Response.json({ secret: 'route handler' });
}
`,
};

describe('serving from the static folder (platform: vercel) on next start', () => {
  let dir: string;
  let server: Server;
  let token: string;
  let output: string;

  beforeAll(async () => {
    dir = makeApp('static', {
      config: {
        file: 'next.config.mjs',
        // A generator that writes into public/ while the build runs (after next.config made the
        // token, before the copies are made), as contentlayer does with public/search.json.
        contents: `import { writeFileSync } from 'node:fs';
import { withStaticBust } from 'next-static-bust/config';

const generate = async () => writeFileSync(new URL('./public/search.json', import.meta.url), '{"posts":2}\\n');
export default withStaticBust({ reactStrictMode: true, compiler: { runAfterProductionCompile: generate } }, { platform: 'vercel' });
`,
      },
      files: {
        ...DOCS,
        'public/search.json': '{"posts":1}\n',
        // A typo the build must report, with where it is.
        'app/typo/page.tsx': `import { BustedAsset } from 'next-static-bust';
export default function Typo() {
  return <BustedAsset src="/css/tpyo.css" />;
}
`,
      },
    });
    output = (await nextBuild(dir)).output;
    server = await nextStart(dir);
    ({ token } = await expectBustedPage(server.url, dir));
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('says what it did in one line, and reports the path that names no file, with where it is used', () => {
    expect(output).toMatch(/\[next-static-bust\] busting 8 files of public\/ under \/_next\/static\/media\/_bust\/\d+\/ \(token from the "mtime" strategy; static for vercel, the platform option\)/);
    expect(output).toMatch(/\[next-static-bust\] a path given to bust\(\) or <BustedAsset> names no file in public\/:\n {2}app\/typo\/page\.tsx:3: \/css\/tpyo\.css\n/);
  });

  it('writes nothing into public/; the page names the static folder, whose copies answer with the bytes and immutable caching', async () => {
    expect(existsSync(path.join(dir, 'public/_bust'))).toBe(false);
    const { html } = await expectBustedPage(server.url, dir);
    expect(html).toContain(`href="${STATIC_PREFIX}/${token}/css/site.css"`);
    expect(readFileSync(path.join(dir, `.next/static/media/_bust/${token}/css/site.css`)).equals(publicFile(dir, 'css/site.css'))).toBe(true);
    const manual = await get(`${server.url}${STATIC_PREFIX}/${token}/docs/manual.txt`);
    expect([manual.status, manual.headers.get('cache-control'), manual.text]).toEqual([200, IMMUTABLE, 'the manual\n']);
  });

  it("gives the stylesheet and the script the integrity of their copies, which Chromium accepts (the hosts' way of serving)", async () => {
    const checked = await integrityOfPage((await get(server.url + '/')).text, server.url);
    expect(checked.map((c) => c.url)).toEqual([`${STATIC_PREFIX}/${token}/css/site.css`, `${STATIC_PREFIX}/${token}/js/hello.js`]);
    for (const c of checked) expect(c.integrity, c.url).toBe(c.served);
    const browser = await launchChromium();
    try {
      const { page, errors } = await visit(browser.context, server.url + '/');
      expect(errors).toEqual([]);
      expect(await page.evaluate(() => getComputedStyle(document.querySelector('h1')!).color)).toBe('rgb(0, 112, 243)');
      expect(await page.evaluate(() => document.documentElement.dataset.helloScript)).toBe('ran');
    } finally {
      await browser.close();
    }
  });

  it('leaves out a file that a generator rewrote during the build, with a warning: its URL is a 404, never bytes the token was not made from', async () => {
    expect(output).toMatch(/1 file of public\/ changed during the build \(search\.json\), so their busted URLs answer 404/);
    expect(readFileSync(path.join(dir, 'public/search.json'), 'utf8')).toBe('{"posts":2}\n');
    const search = await get(`${server.url}${STATIC_PREFIX}/${token}/search.json`);
    expect(search.status).toBe(404);
    expect(search.headers.get('cache-control')).not.toContain('immutable');
    expect(existsSync(path.join(dir, `.next/static/media/_bust/${token}/search.json`))).toBe(false);
  });

  it("keeps plain URLs at max-age=0 and answers an old token with Next.js's uncached 404, as its own old chunks", async () => {
    expect((await get(`${server.url}/css/site.css`)).headers.get('cache-control')).toBe('public, max-age=0');
    const old = await get(`${server.url}${STATIC_PREFIX}/0123/css/site.css`);
    expect(old.status).toBe(404);
    expect(old.headers.get('cache-control')).toContain('no-store');
  });

  it('never answers a page, a notFound() or a route handler under the prefix, nor anything immutable but a file', async () => {
    for (const p of ['docs/hello', 'docs/gone', 'docs/api', 'css/missing.css']) {
      const res = await get(`${server.url}${STATIC_PREFIX}/${token}/${p}`);
      expect(res.status, p).toBe(404);
      expect(res.headers.get('cache-control'), p).not.toContain('immutable');
      expect(res.text, p).not.toMatch(/page (<!-- -->)?hello|route handler/);
    }
    // The plain paths still answer the page and the handler, as they should.
    expect((await get(`${server.url}/docs/hello`)).text).toMatch(/page (<!-- -->)?hello/);
    await expectNoOddAnswers(server.url, token, STATIC_PREFIX);
  });
});

describe('a root catch-all on next start: served from the static folder', () => {
  let dir: string;
  let server: Server;
  let token: string;
  let output: string;

  beforeAll(async () => {
    dir = makeApp('static-catch-all', {
      files: {
        // next-intl's shape: a catch-all under a dynamic segment answers any path.
        'app/[locale]/[...rest]/page.tsx': `import { notFound } from 'next/navigation';
export default function Rest() {
  notFound();
}
`,
      },
    });
    output = (await nextBuild(dir)).output;
    server = await nextStart(dir);
    ({ token } = await expectBustedPage(server.url, dir));
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('says why, and makes no token folder in public/', () => {
    expect(output).toMatch(/static for node, no host detected; app\/\[locale\]\/\[\.\.\.rest\] would answer missing files under the prefix\)/);
    expect(existsSync(path.join(dir, 'public/_bust'))).toBe(false);
  });

  it('answers a missing file under the prefix with an uncached 404, not the catch-all with immutable', async () => {
    const missing = await get(`${server.url}${STATIC_PREFIX}/${token}/css/missing.css`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).not.toContain('immutable');
    await expectNoOddAnswers(server.url, token, STATIC_PREFIX);
  });
});
