// granularity: 'file' with the other ways of serving: a static export (files in out/ and a _headers
// block), the rewrite that Vercel gets (here on next start, with basePath, webpack and an edge route
// handler), and next dev (plain URLs).
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bustedFiles, get, IMMUTABLE, makeApp, nextBuild, nextDev, nextStart, publicFile, type Server } from './harness.js';

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

  it('references a file of its own fingerprint in out/ for each busted URL, the stylesheet rewritten', () => {
    const urls = bustedFiles(html, '/docs');
    expect(urls.size).toBeGreaterThanOrEqual(5);
    const font = urls.get('fonts/geist.ttf')!;
    for (const [file, { url }] of urls) {
      const out = path.join(dir, 'out', url.slice('/docs'.length));
      expect(lstatSync(out).isFile(), url).toBe(true);
      const expected =
        file === 'css/site.css'
          ? Buffer.from(publicFile(dir, file).toString().replace('../fonts/geist.ttf', `../../${font.fingerprint}/fonts/geist.ttf`))
          : publicFile(dir, file);
      expect(readFileSync(out).equals(expected), url).toBe(true);
    }
  });

  it('puts one _headers rule for the namespace into out/', () => {
    expect(readFileSync(path.join(dir, 'out/_headers'), 'utf8')).toBe(
      '# BEGIN next-static-bust (written by next build; changes in this block are replaced)\n' +
        `/docs/_bust/*\n  Cache-Control: ${IMMUTABLE}\n# END next-static-bust\n`,
    );
  });
});

describe("granularity: 'file' served by rewrite (as on Vercel), with basePath, webpack and an edge route handler", () => {
  let dir: string;
  let server: Server;

  beforeAll(async () => {
    dir = makeApp('per-file-rewrite', {
      config: {
        file: 'next.config.mjs',
        contents: `import { withStaticBust } from 'next-static-bust/config';
export default withStaticBust({ basePath: '/docs' }, { granularity: 'file', platform: 'vercel' });
`,
      },
      files: { 'app/api/edge-url/route.ts': EDGE_ROUTE },
    });
    await nextBuild(dir, ['--webpack']);
    server = await nextStart(dir);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('writes nothing into public/ and serves each fingerprinted URL with the bytes of its file', async () => {
    expect(existsSync(path.join(dir, 'public/_bust'))).toBe(false);
    const page = await get(server.url + '/docs');
    const urls = bustedFiles(page.text, '/docs');
    expect(urls.size).toBeGreaterThanOrEqual(5);
    for (const [file, { url }] of urls) {
      const res = await get(server.url + url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('cache-control'), url).toBe(IMMUTABLE);
      expect(res.body.equals(publicFile(dir, file)), url).toBe(true);
    }
    // The stylesheet is served as written: its relative url() resolves under its own fingerprint.
    const css = urls.get('css/site.css')!;
    const font = await get(`${server.url}/docs/_bust/${css.fingerprint}/fonts/geist.ttf`);
    expect(font.status).toBe(200);
    expect(font.body.equals(publicFile(dir, 'fonts/geist.ttf'))).toBe(true);
  });

  it('gives the edge runtime the same URL as the page', async () => {
    const page = await get(server.url + '/docs');
    const css = bustedFiles(page.text, '/docs').get('css/site.css')!.url;
    expect(JSON.parse((await get(server.url + '/docs/api/edge-url')).text)).toEqual({ stylesheet: css });
  });

  it('sends a fingerprint that is not served to the plain file', async () => {
    const res = await get(server.url + '/docs/_bust/0000aaaa/css/site.css');
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('/docs/css/site.css');
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
