// Headless Debian chromium against a real next start, through a counting proxy (test/e2e/chromium.ts).
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowsedApp } from './chromium.js';
import { get, integrityOfPage } from './harness.js';

const app = useBrowsedApp('browser');
const visit = app.visit;

const h1Color = (page: Page) => page.evaluate(() => getComputedStyle(document.querySelector('h1')!).color);

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

  it('accepts the stylesheet and the script by their integrity, the digest of the bytes served (links)', async () => {
    const checked = await integrityOfPage((await get(app.server.url + '/')).text, app.server.url);
    expect(checked.map((c) => c.url)).toEqual([`/_bust/${token}/css/site.css`, `/_bust/${token}/js/hello.js`]);
    for (const c of checked) expect(c.integrity, c.url).toBe(c.served);
    // In the browser too (React hoisted them), and Chromium applied and ran them (the first test).
    const { page, errors } = await visit();
    expect(errors).toEqual([]);
    const inBrowser = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLLinkElement | HTMLScriptElement>('link[integrity], script[integrity]'), (el) => el.integrity),
    );
    expect(inBrowser).toEqual(checked.map((c) => c.integrity));
    expect(await h1Color(page)).toBe('rgb(0, 112, 243)');
    await page.close();
  });

  it('takes busted assets from its cache on a second visit, while a plain public/ file is revalidated', async () => {
    app.proxy.seen = [];
    const { page, errors } = await visit();
    expect(errors).toEqual([]);
    expect(await h1Color(page)).toBe('rgb(0, 112, 243)');
    const busted = app.proxy.seen.filter((r) => r.path.startsWith('/_bust/'));
    expect(busted).toEqual([]);
    const plain = app.proxy.seen.filter((r) => r.path === '/images/icon.png');
    expect(plain).toEqual([{ path: '/images/icon.png', status: 304, conditional: true }]);
    await page.close();
  });

  it('applies a changed stylesheet after a rebuild, in the same browser profile', async () => {
    await app.redeploy(() => {
      const css = path.join(app.dir, 'public/css/site.css');
      writeFileSync(css, readFileSync(css, 'utf8').replace('rgb(0, 112, 243)', 'rgb(200, 30, 60)'));
      const future = Date.now() / 1000 + 5;
      utimesSync(css, future, future);
    });

    const { page, errors } = await visit();
    expect(errors).toEqual([]);
    expect(await h1Color(page)).toBe('rgb(200, 30, 60)');
    const clientUrl = (await page.getByTestId('client-url').textContent()) ?? '';
    expect(token, 'the token of the first visit (its test failed)').toMatch(/^\d+$/);
    expect(clientUrl).toMatch(/^\/_bust\/\d+\/css\/site\.css$/);
    expect(clientUrl).not.toContain(`/_bust/${token}/`);
    expect(app.proxy.seen.map((r) => r.path)).toContain(clientUrl);
    await page.close();
  });
});
