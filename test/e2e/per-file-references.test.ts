// granularity: 'file' with a basePath: a stylesheet's root-absolute url() and a web app manifest's
// icons are rewritten to the busted URLs of their files in the served copies, in a real next build
// and next start, in headless Chromium, and across a rebuild that changes the image and an icon.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBrowsedApp, visit } from './chromium.js';
import { bustedFiles, get, IMMUTABLE, publicFile, ROOT, type BustedFile } from './harness.js';

const BASE = '/docs';
const PREFIX = `${BASE}/_next/static/media/_bust`;

const BG = (color: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="${color}"/></svg>`;
const MANIFEST = {
  name: 'next-static-bust example',
  start_url: `${BASE}/`,
  display: 'standalone',
  icons: [
    // Root-absolute (with the basePath, as the browser asks for it) and relative to the manifest.
    { src: `${BASE}/images/icon.png`, sizes: '64x64', type: 'image/png' },
    { src: 'images/hero.png', sizes: '320x160', type: 'image/png' },
  ],
};

// example-app's layout, with a stylesheet whose url() is root-absolute and the manifest.
const layout = readFileSync(path.join(ROOT, 'example-app/app/layout.tsx'), 'utf8')
  .replace("icons: { icon: bust('/images/icon.png') },", "icons: { icon: bust('/images/icon.png') },\n    manifest: bust('/site.webmanifest'),")
  .replace('{children}', '<BustedAsset src="/css/bg.css" />\n        <div id="bg" className="bg" />\n        {children}');

// Its plain <img>, for comparison, with the basePath that a plain URL needs.
const page = readFileSync(path.join(ROOT, 'example-app/app/page.tsx'), 'utf8').replace('<img src="/images/icon.png"', `<img src="${BASE}/images/icon.png"`);

const app = useBrowsedApp('per-file-references', {
  config: {
    file: 'next.config.ts',
    contents: `import { withStaticBust } from 'next-static-bust/config';
export default withStaticBust({ basePath: '${BASE}' }, { granularity: 'file' });
`,
  },
  files: {
    'app/layout.tsx': layout,
    'app/page.tsx': page,
    'public/css/bg.css': `.bg { width: 8px; height: 8px; background-image: url(${BASE}/images/bg.svg); }\n`,
    'public/images/bg.svg': BG('red'),
    'public/site.webmanifest': JSON.stringify(MANIFEST, null, 2),
  },
});

async function pageUrls(): Promise<Map<string, BustedFile>> {
  const page = await get(`${app.server.url}${BASE}`);
  expect(page.status).toBe(200);
  return bustedFiles(page.text, BASE);
}

/** The URL that `reference`, written in the file served at `from`, resolves to. */
const resolve = (reference: string, from: string) => new URL(reference, `http://x${from}`).pathname;

describe("granularity: 'file' rewrites root-absolute references and a web app manifest's icons", () => {
  let before: Map<string, BustedFile>;

  it('names the stylesheet, the manifest and its icons by busted URLs in the page', async () => {
    before = await pageUrls();
    for (const file of ['css/bg.css', 'site.webmanifest', 'images/icon.png', 'images/hero.png']) {
      expect(before.get(file)?.url.startsWith(`${PREFIX}/`), file).toBe(true);
    }
  });

  it("serves the stylesheet with its root-absolute url() rewritten to the image's busted URL, which serves the image", async () => {
    const css = before.get('css/bg.css')!.url;
    const served = await get(app.server.url + css);
    expect(served.headers.get('cache-control')).toBe(IMMUTABLE);
    const reference = /url\(([^)]+)\)/.exec(served.text)![1]!;
    expect(reference).toMatch(/^\.\.\/\.\.\/[0-9a-v]{8}\/images\/bg\.svg$/);
    expect(served.text).toBe(publicFile(app.dir, 'css/bg.css').toString().replace(`${BASE}/images/bg.svg`, reference));
    const image = await get(app.server.url + resolve(reference, css));
    expect(image.status).toBe(200);
    expect(image.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(image.text).toBe(BG('red'));
  });

  it("serves the manifest with each icon's src rewritten to the URL the page busts it to", async () => {
    const manifest = before.get('site.webmanifest')!.url;
    const served = await get(app.server.url + manifest);
    expect(served.status).toBe(200);
    expect(served.headers.get('cache-control')).toBe(IMMUTABLE);
    const json = JSON.parse(served.text) as typeof MANIFEST;
    expect(json).toEqual({ ...MANIFEST, icons: [{ ...MANIFEST.icons[0], src: expect.any(String) }, { ...MANIFEST.icons[1], src: expect.any(String) }] });
    expect(resolve(json.icons[0]!.src, manifest)).toBe(before.get('images/icon.png')!.url);
    expect(resolve(json.icons[1]!.src, manifest)).toBe(before.get('images/hero.png')!.url);
    for (const icon of json.icons) {
      const res = await get(app.server.url + resolve(icon.src, manifest));
      expect(res.headers.get('cache-control'), icon.src).toBe(IMMUTABLE);
    }
  });

  it('shows the background in Chromium from its busted URL, never asking for the plain one', async () => {
    const { page, errors } = await visit(app.browser.context, `${app.proxy.url}${BASE}`);
    expect(errors).toEqual([]);
    const css = before.get('css/bg.css')!.url;
    const image = resolve(/url\(([^)]+)\)/.exec((await get(app.server.url + css)).text)![1]!, css);
    expect(await page.evaluate(() => getComputedStyle(document.getElementById('bg')!).backgroundImage)).toBe(`url("${app.proxy.url}${image}")`);
    await page.waitForFunction((url) => performance.getEntriesByType('resource').some((entry) => entry.name === url), app.proxy.url + image);
    const seen = app.proxy.seen.map((r) => r.path);
    expect(seen).toContain(image);
    expect(seen).not.toContain(`${BASE}/images/bg.svg`);
    await page.close();
  });

  it('after a rebuild that changes the image and an icon, gives the stylesheet and the manifest new URLs, and nothing else', async () => {
    const hero = path.join(app.dir, 'public/images/hero.png');
    const bytes = readFileSync(hero);
    await app.redeploy(() => {
      writeFileSync(path.join(app.dir, 'public/images/bg.svg'), BG('blue'));
      rmSync(hero);
      writeFileSync(hero, Buffer.concat([bytes, Buffer.from('changed')]));
    });
    const after = await pageUrls();
    const changed = [...after].filter(([file, { url }]) => before.get(file)?.url !== url).map(([file]) => file);
    expect(changed.sort()).toEqual(['css/bg.css', 'images/hero.png', 'site.webmanifest']);

    const { page, errors } = await visit(app.browser.context, `${app.proxy.url}${BASE}`);
    expect(errors).toEqual([]);
    const css = after.get('css/bg.css')!.url;
    const image = resolve(/url\(([^)]+)\)/.exec((await get(app.server.url + css)).text)![1]!, css);
    expect((await get(app.server.url + image)).text).toBe(BG('blue'));
    await page.waitForFunction((url) => performance.getEntriesByType('resource').some((entry) => entry.name === url), app.proxy.url + image);
    await page.close();
    const manifest = JSON.parse((await get(app.server.url + after.get('site.webmanifest')!.url)).text) as typeof MANIFEST;
    expect(resolve(manifest.icons[1]!.src, after.get('site.webmanifest')!.url)).toBe(after.get('images/hero.png')!.url);
  });
});
