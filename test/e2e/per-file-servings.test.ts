// granularity: 'file' elsewhere: a static export (the static folder copied into out/, and a _headers
// block), a build for Vercel (here on next start, with basePath, webpack and an edge route handler),
// and next dev (plain URLs).
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../helpers/tmp.js';
import { bustedFiles, get, IMMUTABLE, makeApp, nextBuild, nextDev, nextStart, publicFile, STATIC_PREFIX, type Server } from './harness.js';

const EDGE_ROUTE = `import { bust } from 'next-static-bust';
export const runtime = 'edge';
export function GET() {
  return Response.json({ stylesheet: bust('/css/site.css') });
}
`;

describe("granularity: 'file' with output: 'export' and basePath", () => {
  let dir: string;
  let html: string;

  beforeAll(async () => {
    dir = makeApp('per-file-export', {
      config: {
        file: 'next.config.mjs',
        contents: `import { withStaticBust } from 'next-static-bust/config';
export default withStaticBust({ output: 'export', basePath: '/docs', images: { unoptimized: true } }, { granularity: 'file' });
`,
      },
    });
    await nextBuild(dir);
    html = readFileSync(path.join(dir, 'out/index.html'), 'utf8');
  });

  it('references a file of its own fingerprint in out/_next/static/ for each busted URL, the stylesheet rewritten', () => {
    const urls = bustedFiles(html, '/docs');
    expect(urls.size).toBeGreaterThanOrEqual(5);
    expect(existsSync(path.join(dir, 'public/_bust'))).toBe(false);
    const font = urls.get('fonts/geist.ttf')!;
    for (const [file, { url }] of urls) {
      expect(url.startsWith(`/docs${STATIC_PREFIX}/`), url).toBe(true);
      const out = path.join(dir, 'out', url.slice('/docs'.length));
      expect(lstatSync(out).isFile(), url).toBe(true);
      const expected =
        file === 'css/site.css'
          ? Buffer.from(publicFile(dir, file).toString().replace('../fonts/geist.ttf', `../../${font.fingerprint}/fonts/geist.ttf`))
          : publicFile(dir, file);
      expect(readFileSync(out).equals(expected), url).toBe(true);
    }
  });

  it('puts one _headers rule for the busted files of the static folder into out/', () => {
    expect(readFileSync(path.join(dir, 'out/_headers'), 'utf8')).toBe(
      '# BEGIN next-static-bust (written by next build; changes in this block are replaced)\n' +
        `/docs${STATIC_PREFIX}/*\n  Cache-Control: ${IMMUTABLE}\n# END next-static-bust\n`,
    );
  });
});

describe("granularity: 'file' built for Vercel, with basePath, webpack and an edge route handler", () => {
  let dir: string;
  let server: Server;
  let publicBefore: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    dir = makeApp('per-file-vercel', {
      config: {
        file: 'next.config.mjs',
        contents: `import { withStaticBust } from 'next-static-bust/config';
export default withStaticBust({ basePath: '/docs' }, { granularity: 'file', platform: 'vercel' });
`,
      },
      files: { 'app/api/edge-url/route.ts': EDGE_ROUTE },
    });
    publicBefore = await snapshot(path.join(dir, 'public'));
    await nextBuild(dir, ['--webpack']);
    server = await nextStart(dir);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('writes nothing into public/ and serves each fingerprinted URL with the bytes of its file (the stylesheet rewritten)', async () => {
    // public/ byte for byte as before the build: references are rewritten in the served copies only.
    expect(await snapshot(path.join(dir, 'public'))).toEqual(publicBefore);
    const page = await get(server.url + '/docs');
    const urls = bustedFiles(page.text, '/docs');
    expect(urls.size).toBeGreaterThanOrEqual(5);
    const font = urls.get('fonts/geist.ttf')!;
    for (const [file, { url }] of urls) {
      expect(url.startsWith(`/docs${STATIC_PREFIX}/`), url).toBe(true);
      const res = await get(server.url + url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('cache-control'), url).toBe(IMMUTABLE);
      const expected =
        file === 'css/site.css'
          ? Buffer.from(publicFile(dir, file).toString().replace('../fonts/geist.ttf', `../../${font.fingerprint}/fonts/geist.ttf`))
          : publicFile(dir, file);
      expect(res.body.equals(expected), url).toBe(true);
    }
    // The stylesheet's rewritten url() resolves to the font's own folder.
    const css = urls.get('css/site.css')!;
    const resolved = new URL(`../../${font.fingerprint}/fonts/geist.ttf`, `http://x${css.url}`).pathname;
    expect(resolved).toBe(font.url);
  });

  it('gives the edge runtime the same URL as the page', async () => {
    const page = await get(server.url + '/docs');
    const css = bustedFiles(page.text, '/docs').get('css/site.css')!.url;
    expect(JSON.parse((await get(server.url + '/docs/api/edge-url')).text)).toEqual({ stylesheet: css });
  });

  it("answers a fingerprint that is not served with Next.js's uncached 404", async () => {
    const res = await get(`${server.url}/docs${STATIC_PREFIX}/0000aaaa/css/site.css`);
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toContain('no-store');
  });
});

describe("granularity: 'file' in next dev", () => {
  let dir: string;
  let server: Server;

  beforeAll(async () => {
    dir = makeApp('per-file-dev', {
      config: {
        file: 'next.config.mjs',
        contents: `import { withStaticBust } from 'next-static-bust/config';
export default withStaticBust({}, { granularity: 'file' });
`,
      },
    });
    server = await nextDev(dir);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('renders plain URLs and makes no folders', async () => {
    const page = await get(server.url + '/');
    expect(page.text).toContain('href="/css/site.css"');
    expect(page.text).not.toContain('/_bust/');
    expect(existsSync(path.join(dir, 'public/_bust'))).toBe(false);
  });
});
