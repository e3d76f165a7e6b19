// Headless Debian chromium against a real next start, through a counting proxy (test/e2e/chromium.ts).
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { countingProxy, launchChromium, visit as open, type CountingProxy } from './chromium.js';
import { makeApp, nextBuild, nextStart, type Server } from './harness.js';

let dir: string;
let server: Server;
let proxy: CountingProxy;
let browser: Awaited<ReturnType<typeof launchChromium>>;

const visit = () => open(browser.context, proxy.url + '/');

const h1Color = (page: Page) => page.evaluate(() => getComputedStyle(document.querySelector('h1')!).color);

beforeAll(async () => {
  dir = makeApp('browser');
  await nextBuild(dir);
  server = await nextStart(dir);
  proxy = await countingProxy();
  proxy.target = server.url;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await proxy?.close();
});

describe('in headless Chromium', () => {
  let token: string;

  it('hydrates without errors and applies the busted stylesheet, script and font', async () => {
    const { page, errors } = await visit();
    expect(errors).toEqual([]);
    expect(await h1Color(page)).toBe('rgb(0, 112, 243)');
    expect(await page.evaluate(() => document.documentElement.dataset.helloScript)).toBe('ran');
    expect(await page.evaluate(() => document.fonts.check('16px "Geist Busted"'))).toBe(true);
    const clientUrl = await page.getByTestId('client-url').textContent();
    token = /\/_bust\/([^/]+)\//.exec(clientUrl ?? '')![1]!;
    expect(clientUrl).toBe(`/_bust/${token}/css/site.css`);
    expect(await page.getByTestId('client-img').getAttribute('src')).toBe(`/_bust/${token}/images/icon.png`);
    expect(await page.getByTestId('client-img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
    // The stylesheet was hoisted into <head> by React.
    expect(await page.locator(`head link[rel="stylesheet"][href="/_bust/${token}/css/site.css"]`).count()).toBe(1);
    await page.close();
  });

  it('takes busted assets from its cache on a second visit, while a plain public/ file is revalidated', async () => {
    proxy.seen = [];
    const { page, errors } = await visit();
    expect(errors).toEqual([]);
    expect(await h1Color(page)).toBe('rgb(0, 112, 243)');
    const busted = proxy.seen.filter((r) => r.path.startsWith('/_bust/'));
    expect(busted).toEqual([]);
    const plain = proxy.seen.filter((r) => r.path === '/images/icon.png');
    expect(plain).toEqual([{ path: '/images/icon.png', status: 304, conditional: true }]);
    await page.close();
  });

  it('applies a changed stylesheet after a rebuild, in the same browser profile', async () => {
    await server.stop();
    const css = path.join(dir, 'public/css/site.css');
    writeFileSync(css, readFileSync(css, 'utf8').replace('rgb(0, 112, 243)', 'rgb(200, 30, 60)'));
    const future = Date.now() / 1000 + 5;
    utimesSync(css, future, future);
    await nextBuild(dir);
    server = await nextStart(dir);
    proxy.target = server.url;
    proxy.seen = [];

    const { page, errors } = await visit();
    expect(errors).toEqual([]);
    expect(await h1Color(page)).toBe('rgb(200, 30, 60)');
    const clientUrl = (await page.getByTestId('client-url').textContent()) ?? '';
    expect(clientUrl).not.toContain(`/_bust/${token}/`);
    expect(proxy.seen.map((r) => r.path)).toContain(clientUrl);
    await page.close();
  });
});
