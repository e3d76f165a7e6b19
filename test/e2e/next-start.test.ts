// example-app as it is (next.config.ts, Turbopack), built and served for real.
import { readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IMMUTABLE,
  ROOT,
  bustedUrls,
  expectBustedPage,
  expectNoOddAnswers,
  get,
  integrityOfPage,
  makeApp,
  nextBuild,
  nextStart,
  run,
  tokenIn,
  type Server,
} from './harness.js';

let dir: string;
let server: Server;
let html: string;
let token: string;
let buildOutput: string;

beforeAll(async () => {
  dir = makeApp('next-start', {
    // Not in example-app itself: edge route handlers cannot be exported (output: 'export').
    files: {
      'app/api/edge-url/route.ts': `import { bust } from 'next-static-bust';
export const runtime = 'edge';
export function GET() {
  return Response.json({ stylesheet: bust('/css/site.css'), runtime: typeof (globalThis as { EdgeRuntime?: string }).EdgeRuntime });
}
`,
    },
  });
  buildOutput = (await nextBuild(dir)).output;
  server = await nextStart(dir);
  html = (await get(server.url + '/')).text;
  token = tokenIn(html);
});

afterAll(async () => {
  await server?.stop();
});

describe('next build + next start with Turbopack and next.config.ts', () => {
  it('builds example-app without a warning, the package saying one line', () => {
    // The edge route handler this test adds draws Next.js's warnings about the edge runtime.
    const warnings = buildOutput.split('\n').filter((line) => /⚠|warn/i.test(line) && !/edge runtime/i.test(line));
    expect(warnings).toEqual([]);
    expect(buildOutput.split('\n').filter((line) => line.includes('[next-static-bust]'))).toEqual([
      expect.stringMatching(/^\[next-static-bust\] busting 6 files of public\/ under \/_bust\/\d+\/ /),
    ]);
    expect(server.output()).toMatch(/\[next-static-bust\] serving the build's token under \/_bust\/\d+\/ \(links\)/);
  });

  it('busts every public/ asset the page references', () => {
    const urls = bustedUrls(html).map((url) => url.replace(`/_bust/${token}`, ''));
    expect(urls).toEqual(
      expect.arrayContaining([
        '/css/site.css',
        '/fonts/geist.ttf',
        '/js/hello.js',
        '/images/icon.png',
        '/images/hero.png',
      ]),
    );
    expect(html).not.toMatch(/(?:href|src)="\/css\/site\.css"/);
  });

  it('gives the stylesheet and the script the integrity of the bytes their busted URLs serve, with crossorigin', async () => {
    const checked = await integrityOfPage(html, server.url);
    expect(checked.map((c) => c.url)).toEqual([`/_bust/${token}/css/site.css`, `/_bust/${token}/js/hello.js`]);
    for (const c of checked) expect(c.integrity, c.url).toBe(c.served);
    expect(html).toMatch(new RegExp(`<link rel="stylesheet" integrity="sha384-[^"]+" crossorigin="anonymous" href="/_bust/${token}/css/site.css"`));
  });

  it('preloads the font of the layout once', () => {
    // A <link rel="preload"> element in a Server Component would be two tags: React's server turns
    // it into a preload hint and renders it too.
    const preloads = html.match(/<link\b[^>]*\/fonts\/geist\.ttf"[^>]*>/g) ?? [];
    expect(preloads).toEqual([`<link rel="preload" href="/_bust/${token}/fonts/geist.ttf" as="font" crossorigin="" type="font/ttf"/>`]);
  });

  it("serves every busted URL in the HTML with the file's bytes and an immutable Cache-Control", async () => {
    // expectBustedPage throws, naming the URL, for any status, header or byte that is off.
    expect((await expectBustedPage(server.url, dir)).token).toBe(token);
  });

  it("keeps Next.js' default Cache-Control on plain public/ URLs", async () => {
    const res = await get(server.url + '/css/site.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=0');
  });

  it('answers a missing file under the busted prefix with a 404 that is not cached', async () => {
    const res = await get(`${server.url}/_bust/${token}/css/missing.css`);
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).not.toContain('immutable');
    expect(res.headers.get('cache-control')).toContain('no-store');
  });

  it('redirects a token that is no longer served to the current file, without caching the redirect', async () => {
    for (const stale of ['1234567890', `${token}0`, 'abc-DEF_1']) {
      const res = await get(`${server.url}/_bust/${stale}/css/site.css?x=1`);
      expect(res.status, stale).toBe(307);
      expect(res.headers.get('location'), stale).toBe(`/_bust/${token}/css/site.css?x=1`);
      expect(res.headers.get('cache-control') ?? '', stale).not.toContain('immutable');
    }
  });

  it('shows the same URL in the Server Component, the Client Component, a Node.js and an edge route handler, and the prerendered HTML', async () => {
    const expected = `/_bust/${token}/css/site.css`;
    expect(html).toContain(`data-testid="server-url">${expected}<`);
    expect(html).toContain(`data-testid="client-url">${expected}<`);
    const api = JSON.parse((await get(server.url + '/api/asset-url')).text) as { stylesheet: string };
    expect(api.stylesheet).toBe(expected);
    const edge = JSON.parse((await get(server.url + '/api/edge-url')).text) as { stylesheet: string; runtime: string };
    expect(edge).toEqual({ stylesheet: expected, runtime: 'string' });
    const prerendered = readFileSync(path.join(dir, '.next/server/app/index.html'), 'utf8');
    expect(prerendered).toContain(`data-testid="server-url">${expected}<`);
  });

  it('inlines the token into the client JavaScript, so hydration renders the same URL', () => {
    const chunks = path.join(dir, '.next/static/chunks');
    const withToken = readdirSync(chunks, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.js'))
      // As a literal of its own, or folded by the minifier into a neighbouring one ("/_bust/<token>").
      .filter((f) => new RegExp(`[^A-Za-z0-9_-]${token}[^A-Za-z0-9_-]`).test(readFileSync(path.join(chunks, f), 'utf8')));
    expect(withToken.length).toBeGreaterThan(0);
  });

  it('busts the icon and Open Graph image of generateMetadata', () => {
    expect(html).toMatch(new RegExp(`<link rel="icon" href="/_bust/${token}/images/icon.png`));
    expect(html).toMatch(new RegExp(`<meta property="og:image" content="http://localhost:3000/_bust/${token}/images/hero.png"`));
  });

  it('lets next/image optimize a busted src', async () => {
    const src = encodeURIComponent(`/_bust/${token}/images/hero.png`);
    const res = await get(`${server.url}/_next/image?url=${src}&w=384&q=75`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\//);
  });

  it('never serves a file outside public/, a page or an immutable answer for odd paths under the prefix', async () => {
    await expectNoOddAnswers(server.url, token);
  });

  it('sends a busted URL whose token was left out to the current file', async () => {
    const res = await get(`${server.url}/_bust/css/site.css`);
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`/_bust/${token}/css/site.css`);
    expect((await get(`${server.url}/_bust/robots.txt`)).headers.get('location')).toBe(`/_bust/${token}/robots.txt`);
  });

  it("answers the package's bookkeeping with a plain 404", async () => {
    const res = await get(`${server.url}/_bust/.next-static-bust.json`);
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).not.toContain('immutable');
  });
});

describe('a redeploy', () => {
  let after: { token: string; html: string };

  beforeAll(async () => {
    await server.stop();
    const css = path.join(dir, 'public/css/site.css');
    writeFileSync(css, readFileSync(css, 'utf8') + '\nh1 { letter-spacing: 0.01em; }\n');
    const future = Date.now() / 1000 + 5; // a later second than any file of the first build
    utimesSync(css, future, future);
    await nextBuild(dir);
    server = await nextStart(dir);
    const page = (await get(server.url + '/')).text;
    after = { token: tokenIn(page), html: page };
  });

  it('changes the URL and serves the new bytes at it', async () => {
    expect(after.token).not.toBe(token);
    const res = await get(`${server.url}/_bust/${after.token}/css/site.css`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('letter-spacing: 0.01em');
    expect(res.headers.get('cache-control')).toBe(IMMUTABLE);
  });

  it('still answers the previous URL, for pages cached before the deploy', async () => {
    const res = await get(`${server.url}/_bust/${token}/css/site.css`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('letter-spacing: 0.01em');
    expect(res.headers.get('cache-control')).toBe(IMMUTABLE);
  });
});

describe('the built app copied elsewhere with cp -r (new modification times)', () => {
  let copy: string;
  let copied: Server;

  beforeAll(async () => {
    await server.stop();
    copy = path.join(ROOT, '.e2e', 'next-start-copy');
    await run('rm', ['-rf', copy], ROOT);
    await run('cp', ['-r', dir, copy], ROOT);
    // cp -r gives the files the time of the copy; made an hour later here, so that it cannot fall
    // in the same second as the build's newest file.
    const later = Date.now() / 1000 + 3600;
    for (const rel of readdirSync(path.join(copy, 'public'), { recursive: true }).map(String)) {
      if (!rel.startsWith('_bust')) utimesSync(path.join(copy, 'public', rel), later, later);
    }
    copied = await nextStart(copy);
  });

  afterAll(async () => {
    await copied?.stop();
  });

  it("keeps serving the build's token, although the files' times now give another one", async () => {
    const built = JSON.parse(readFileSync(path.join(dir, 'public/_bust/.next-static-bust.json'), 'utf8')) as {
      tokens: string[];
    };
    const buildToken = built.tokens.at(-1)!;
    const fresh = (await run(process.execPath, [path.join(ROOT, 'dist/cjs/bin.js'), 'token', '--dir', copy], ROOT))
      .output.trim();
    expect(fresh).not.toBe(buildToken); // the copy's mtimes really are new

    expect((await expectBustedPage(copied.url, copy)).token).toBe(buildToken);
  });
});
