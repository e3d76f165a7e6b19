// Cloudflare Workers through OpenNext: `opennextjs-cloudflare build` of a new app with the packed
// package and `withStaticBust({})` (the platform is detected from open-next.config.ts and
// wrangler.jsonc), served by `wrangler dev` on workerd, Cloudflare's runtime, with its asset layer
// in front of the worker as in production: busted files come from the assets (OpenNext copies
// .next/static there) with the header of the package's block in public/_headers; any other path
// under the prefix reaches Next.js in the worker.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATIC_PREFIX, expectNoOddAnswers, freePort, get, integrityOfPage, run, serve, type Server } from '../e2e/harness.js';
import { launchChromium } from '../e2e/chromium.js';
import {
  BIN,
  CSS_WITH_FONT,
  NODE22_BIN,
  STATIC_HEADERS_BLOCK,
  escapingLinks,
  expectPublicUntouched,
  expectStaticCopies,
  expectStaticServed,
  fingerprintsOf,
  hostEnv,
  makeHostApp,
  staticTokenOf,
  tokenUrls,
  type HostApp,
} from './harness.js';

const CONFIG = `import { withStaticBust } from 'next-static-bust/config';

export default withStaticBust({});
`;

// OpenNext's minimal set-up for Cloudflare.
const FILES = {
  'open-next.config.ts': `import { defineCloudflareConfig } from '@opennextjs/cloudflare';
export default defineCloudflareConfig();
`,
  'wrangler.jsonc': JSON.stringify(
    {
      name: 'nsb-cloudflare',
      main: '.open-next/worker.js',
      compatibility_date: '2025-12-01',
      compatibility_flags: ['nodejs_compat', 'global_fetch_strictly_public'],
      assets: { directory: '.open-next/assets', binding: 'ASSETS' },
    },
    null,
    2,
  ),
};

/** Builds a new app with OpenNext and serves it with wrangler dev. */
async function buildAndServe(name: string, config: string, files: Record<string, string> = {}) {
  const app = await makeHostApp(name, { config, deps: ['@opennextjs/cloudflare'], files: { ...FILES, ...files } });
  const env = hostEnv({}, [NODE22_BIN]);
  const log = (await run(path.join(app.dir, 'node_modules/.bin/opennextjs-cloudflare'), ['build'], app.dir, env)).output;
  const port = await freePort();
  const server = await serve(
    [path.join(BIN, 'wrangler'), 'dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'],
    app.dir,
    { port, env, command: path.join(NODE22_BIN, 'node'), readyPath: '/robots.txt' },
  );
  return { app, log, server, assets: path.join(app.dir, '.open-next/assets') };
}

/** A chunk of Next.js's own in the assets: its header shows what the asset layer gives without a rule. */
function someChunk(assets: string): string {
  const chunk = readdirSync(path.join(assets, '_next/static/chunks')).find((name) => name.endsWith('.js'));
  if (!chunk) throw new Error('no chunk in .open-next/assets/_next/static/chunks');
  return `/_next/static/chunks/${chunk}`;
}

describe('Cloudflare Workers through OpenNext (wrangler dev)', () => {
  let app: HostApp;
  let server: Server;
  let log: string;
  let assets: string;
  let token: string;

  beforeAll(async () => {
    ({ app, log, server, assets } = await buildAndServe('cloudflare', CONFIG));
    token = staticTokenOf((await get(server.url + '/')).text);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('builds with withStaticBust({}) alone, detects Cloudflare, and writes only the _headers block into public/', () => {
    expect(log).toMatch(/OpenNext build complete/);
    expect(log).toContain(
      `[next-static-bust] busting 6 files of public/ under ${STATIC_PREFIX}/${token}/ (token from the "mtime" strategy; static for cloudflare, open-next.config.ts and wrangler.jsonc)`,
    );
    expectPublicUntouched(app, { headers: true });
    expect(escapingLinks(path.join(app.dir, '.open-next'))).toEqual([]);
  });

  it("holds each busted file in .open-next/assets/_next/static/media/_bust/<token>/ with public/'s bytes, and the block in its _headers", () => {
    expectStaticCopies(assets, app, tokenUrls(token), false);
    expect(readFileSync(path.join(assets, '_headers'), 'utf8')).toBe(STATIC_HEADERS_BLOCK);
  });

  it('serves busted URLs from the asset layer, immutable by that rule only; other paths under the prefix are the uncached 404, no page', async () => {
    await expectStaticServed(server.url, app, tokenUrls(token), false, '0123456789');
    // Without the rule the asset layer revalidates: Next.js's own chunks, and plain URLs.
    expect((await get(server.url + someChunk(assets))).headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    expect((await get(`${server.url}/css/site.css`)).headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    const missing = await get(`${server.url}${STATIC_PREFIX}/${token}/css/missing.css`);
    expect(missing.headers.get('cache-control')).toBe('private, no-cache, no-store, max-age=0, must-revalidate');
    await expectNoOddAnswers(server.url, token, STATIC_PREFIX);
  });

  it('gives the stylesheet and the script the integrity of the bytes the asset layer serves, which Chromium accepts', async () => {
    const checked = await integrityOfPage((await get(server.url + '/')).text, server.url);
    expect(checked.map((c) => c.url)).toEqual([`${STATIC_PREFIX}/${token}/css/site.css`, `${STATIC_PREFIX}/${token}/js/hello.js`]);
    for (const c of checked) expect(c.integrity, c.url).toBe(c.served);
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      // A refused file is a console error ("Failed to find a valid digest"); a missing one a 404.
      // The small app has no favicon, which Chromium asks for.
      const errors: string[] = [];
      const missing: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
      });
      page.on('response', (response) => {
        if (response.status() >= 400) missing.push(new URL(response.url()).pathname);
      });
      await page.goto(server.url + '/', { waitUntil: 'load' });
      await page.waitForFunction(() => document.documentElement.dataset.packed === 'yes', undefined, { timeout: 15_000 });
      expect(await page.evaluate(() => getComputedStyle(document.querySelector('h1')!).color)).toBe('rgb(1, 2, 3)');
      expect(errors).toEqual([]);
      expect(missing.filter((p) => p !== '/favicon.ico')).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('does not serve public/_headers', async () => {
    expect((await get(`${server.url}/_headers`)).status).toBe(404);
  });
});

describe("Cloudflare Workers through OpenNext, granularity: 'file'", () => {
  let app: HostApp;
  let server: Server;
  let assets: string;

  beforeAll(async () => {
    const config = `import { withStaticBust } from 'next-static-bust/config';\n\nexport default withStaticBust({}, { granularity: 'file' });\n`;
    ({ app, server, assets } = await buildAndServe('cloudflare-file', config, { 'public/css/site.css': CSS_WITH_FONT }));
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('serves each file under its own fingerprint from the asset layer (the stylesheet rewritten), immutable; an unknown fingerprint is the 404', async () => {
    expectPublicUntouched(app, { headers: true });
    expect(escapingLinks(path.join(app.dir, '.open-next'))).toEqual([]);
    const html = (await get(server.url + '/')).text;
    const urls = fingerprintsOf(html);
    expectStaticCopies(assets, app, urls, true);
    // The rewritten stylesheet's integrity is that of the copy the asset layer serves.
    const checked = await integrityOfPage(html, server.url);
    expect(checked.map((c) => c.url)).toEqual([urls.get('css/site.css')!.url, urls.get('js/hello.js')!.url]);
    for (const c of checked) expect(c.integrity, c.url).toBe(c.served);
    await expectStaticServed(server.url, app, urls, true, '0000aaaa');
    await expectNoOddAnswers(server.url, urls.get('css/site.css')!.fingerprint, STATIC_PREFIX);
  });
});
