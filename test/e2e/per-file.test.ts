// granularity: 'file' end to end: a real next build and next start of example-app, plain HTTP, and
// headless Chromium through a counting proxy, across a rebuild that changes one image. Per-file
// fingerprints are served from the build's static folder, /_next/static/media/_bust/<fingerprint>/.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBrowsedApp } from './chromium.js';
import { existsSync, readdirSync } from 'node:fs';
import { bustedFiles, expectNoOddAnswers, get, IMMUTABLE, integrityOfPage, publicFile, startNginx, STATIC_PREFIX, type BustedFile } from './harness.js';

const CONFIG = {
  file: 'next.config.ts',
  contents: `import { withStaticBust } from 'next-static-bust/config';
export default withStaticBust({ reactStrictMode: true }, { granularity: 'file' });
`,
};

const app = useBrowsedApp('per-file', { config: CONFIG });

/** The busted URLs of the page at `/`, by the file of public/ they name. */
async function pageUrls(origin: string): Promise<Map<string, BustedFile>> {
  const page = await get(origin + '/');
  expect(page.status).toBe(200);
  return bustedFiles(page.text);
}

describe("granularity: 'file' on next start", () => {
  it('gives each file of the page a fingerprint of its own, and serves each from the static folder with its bytes and immutable caching', async () => {
    const urls = await pageUrls(app.server.url);
    for (const { url } of urls.values()) expect(url.startsWith(`${STATIC_PREFIX}/`), url).toBe(true);
    expect(existsSync(path.join(app.dir, 'public/_bust'))).toBe(false);
    expect(readdirSync(path.join(app.dir, '.next/static/media/_bust'))).toContain(urls.get('css/site.css')!.fingerprint);
    const files = ['css/site.css', 'js/hello.js', 'images/icon.png', 'images/hero.png', 'fonts/geist.ttf'];
    for (const file of files) expect(urls.has(file), file).toBe(true);
    expect(new Set(files.map((f) => urls.get(f)!.fingerprint)).size).toBe(files.length);
    for (const file of files) {
      const res = await get(app.server.url + urls.get(file)!.url);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('cache-control'), file).toBe(IMMUTABLE);
      if (file !== 'css/site.css') expect(res.body.equals(publicFile(app.dir, file)), file).toBe(true);
    }
  });

  it("serves the stylesheet with its font reference rewritten to the font's own busted URL, the one the page preloads", async () => {
    const urls = await pageUrls(app.server.url);
    const css = await get(app.server.url + urls.get('css/site.css')!.url);
    const font = urls.get('fonts/geist.ttf')!.fingerprint;
    expect(css.text).toContain(`url('../../${font}/fonts/geist.ttf')`);
    expect(css.text).toBe(publicFile(app.dir, 'css/site.css').toString().replace("url('../fonts/geist.ttf')", `url('../../${font}/fonts/geist.ttf')`));
  });

  it('gives a route handler the same URLs as the page', async () => {
    const urls = await pageUrls(app.server.url);
    const json = JSON.parse((await get(app.server.url + '/api/asset-url')).text);
    expect(json).toEqual({ stylesheet: urls.get('css/site.css')!.url, hero: urls.get('images/hero.png')!.url });
  });

  it("answers an unknown fingerprint, or none, with Next.js's uncached 404", async () => {
    for (const p of [`${STATIC_PREFIX}/0000aaaa/css/site.css`, `${STATIC_PREFIX}/css/site.css`, '/_bust/0000aaaa/css/site.css']) {
      const res = await get(app.server.url + p);
      expect(res.status, p).toBe(404);
      expect(res.headers.get('cache-control') ?? '', p).not.toContain('immutable');
    }
    await expectNoOddAnswers(app.server.url, (await pageUrls(app.server.url)).get('css/site.css')!.fingerprint, STATIC_PREFIX);
  });

  it("is served from disk by nginx with the README's snippet, the rewritten stylesheet included", async () => {
    // No Next.js behind this nginx (its upstream is a closed port): what it serves, it read from disk.
    const nginx = await startNginx(path.join(app.dir, 'public'), 'http://127.0.0.1:9', path.join(app.dir, 'nginx'));
    try {
      const urls = await pageUrls(app.server.url);
      expect((await get(nginx.origin + '/')).status).toBe(502);
      for (const [file, { url }] of urls) {
        const res = await get(nginx.origin + url);
        expect(res.status, file).toBe(200);
        expect(res.headers.get('cache-control'), file).toBe(IMMUTABLE);
        expect(res.headers.get('x-powered-by'), file).toBeNull(); // nginx, not Next.js
        expect(res.body.equals((await get(app.server.url + url)).body), file).toBe(true);
      }
      const old = await get(`${nginx.origin}${STATIC_PREFIX}/0000aaaa/css/site.css`);
      expect(old.status).toBe(404);
      expect(old.headers.get('cache-control')).toBeNull();
    } finally {
      nginx.stop();
    }
  });
});

describe("granularity: 'file' in headless Chromium, across a deploy that changes one image", () => {
  let before: Map<string, BustedFile>;

  it('loads the page, its stylesheet, font and script without errors', async () => {
    const { page, errors } = await app.visit();
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('h1')!).color)).toBe('rgb(0, 112, 243)');
    expect(await page.evaluate(() => document.fonts.check('16px "Geist Busted"'))).toBe(true);
    expect(await page.evaluate(() => document.documentElement.dataset.helloScript)).toBe('ran');
    // The Client Component computes the same per-file URL in the browser.
    before = await pageUrls(app.server.url);
    expect(await page.getByTestId('client-url').textContent()).toBe(before.get('css/site.css')!.url);
    // Chromium took the rewritten stylesheet by its integrity: that of the copy served, not of public/.
    const checked = await integrityOfPage((await get(app.server.url + '/')).text, app.server.url);
    expect(checked.map((c) => c.url)).toEqual([before.get('css/site.css')!.url, before.get('js/hello.js')!.url]);
    for (const c of checked) expect(c.integrity, c.url).toBe(c.served);
    expect(await page.locator('link[rel="stylesheet"][integrity]').getAttribute('integrity')).toBe(checked[0]!.integrity);
    // The font was fetched once: the stylesheet's url() and the preload are one URL.
    const fonts = app.proxy.seen.filter((r) => r.path.endsWith('/fonts/geist.ttf'));
    expect(fonts.map((r) => r.path)).toEqual([before.get('fonts/geist.ttf')!.url]);
    await page.close();
  });

  it('after the rebuild, fetches only the changed image: the stylesheet keeps its URL and comes from the cache', async () => {
    const icon = path.join(app.dir, 'public/images/icon.png');
    const bytes = readFileSync(icon);
    await app.redeploy(() => {
      // A new file, as a checkout writes it: the same picture with a few bytes after its end.
      rmSync(icon);
      writeFileSync(icon, Buffer.concat([bytes, Buffer.from('changed')]));
    });

    const { page, errors } = await app.visit();
    expect(errors).toEqual([]);
    const after = await pageUrls(app.server.url);
    expect(after.get('images/icon.png')!.url).not.toBe(before.get('images/icon.png')!.url);
    for (const file of ['css/site.css', 'fonts/geist.ttf', 'js/hello.js', 'images/hero.png']) {
      expect(after.get(file)!.url, file).toBe(before.get(file)!.url);
    }
    const busted = [...new Set(app.proxy.seen.filter((r) => r.path.startsWith(`${STATIC_PREFIX}/`)).map((r) => r.path))];
    expect(busted).toEqual([after.get('images/icon.png')!.url]);
    expect(await page.getByTestId('client-img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
    await page.close();

    // The build's static folder is new at each build: a page cached before the deploy gets an
    // uncached 404 for its old image, as for its old chunks, never other bytes.
    const old = await get(app.server.url + before.get('images/icon.png')!.url);
    expect(old.status).toBe(404);
    expect(old.headers.get('cache-control')).toContain('no-store');
  });
});
