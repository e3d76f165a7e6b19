// Headless Debian chromium, driven by playwright-core, against a real next start. A small counting
// proxy sits between the browser and Next.js, so "no network request" is measured on the wire, and
// its port never changes, so the browser's cache survives a rebuild and restart of the server.
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, nextBuild, nextStart, type Server } from './harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

let dir: string;
let server: Server;
let context: BrowserContext;
let profile: string;

/** Forwards to the current Next.js server and counts the requests that reach it, by path. */
const proxy = {
  target: '',
  seen: [] as { path: string; status: number; conditional: boolean }[],
  server: http.createServer((req, res) => {
    const upstream = http.request(
      proxy.target + req.url,
      { method: req.method, headers: req.headers },
      (answer) => {
        proxy.seen.push({
          path: req.url ?? '',
          status: answer.statusCode ?? 0,
          conditional: Boolean(req.headers['if-none-match'] || req.headers['if-modified-since']),
        });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }),
  url: '',
};

async function visit(): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(proxy.url + '/', { waitUntil: 'load' });
  // Hydrated: the Client Component's button answers clicks.
  await page.getByTestId('hydrated').click();
  await page.getByText('clicked 1').waitFor({ timeout: 15_000 });
  await page.evaluate(() => document.fonts.ready);
  return { page, errors };
}

const h1Color = (page: Page) => page.evaluate(() => getComputedStyle(document.querySelector('h1')!).color);

beforeAll(async () => {
  dir = makeApp('browser');
  await nextBuild(dir);
  server = await nextStart(dir);
  proxy.target = server.url;
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(proxy.server.address() as { port: number }).port}`;
  profile = mkdtempSync(path.join(tmpdir(), 'nsb-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await context?.close();
  await server?.stop();
  await new Promise((resolve) => proxy.server.close(resolve));
  if (profile) rmSync(profile, { recursive: true, force: true });
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
