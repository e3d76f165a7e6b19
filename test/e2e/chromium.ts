// Headless Debian chromium through playwright-core (never a downloaded browser), and a small
// counting proxy between it and Next.js: "no network request" is measured on the wire, and the
// proxy's port never changes, so the browser's cache survives a rebuild and restart of the server.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { makeApp, nextBuild, nextStart, type AppOptions, type Server } from './harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export interface Seen {
  path: string;
  status: number;
  conditional: boolean;
}

export interface CountingProxy {
  /** The origin of the Next.js server to forward to (changes with each restart). */
  target: string;
  /** The requests that reached the server since the last reset. */
  seen: Seen[];
  url: string;
  close: () => Promise<void>;
}

/** A proxy on a fixed port of 127.0.0.1 that forwards to `proxy.target` and records each request. */
export async function countingProxy(): Promise<CountingProxy> {
  const proxy: CountingProxy = { target: '', seen: [], url: '', close: async () => {} };
  const server = http.createServer((req, res) => {
    const upstream = http.request(proxy.target + req.url, { method: req.method, headers: req.headers }, (answer) => {
      proxy.seen.push({
        path: req.url ?? '',
        status: answer.statusCode ?? 0,
        conditional: Boolean(req.headers['if-none-match'] || req.headers['if-modified-since']),
      });
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  proxy.close = () => new Promise((resolve) => server.close(() => resolve()));
  return proxy;
}

/** A browser with a persistent profile (its disk cache) in a temporary folder; close() removes it. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'nsb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
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
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens example-app's `/` in a new tab of `context` and waits until it is hydrated (the Client
 * Component's button answers a click) and its fonts are in. Collects page errors and console errors.
 */
export async function visit(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.getByTestId('hydrated').click();
  await page.getByText('clicked 1').waitFor({ timeout: 15_000 });
  await page.evaluate(() => document.fonts.ready);
  return { page, errors };
}

export interface BrowsedApp {
  dir: string;
  server: Server;
  proxy: CountingProxy;
  browser: Awaited<ReturnType<typeof launchChromium>>;
  /** Opens `/` through the proxy in the browser's profile (see visit()). */
  visit: () => Promise<{ page: Page; errors: string[] }>;
  /** Stops the server, runs `change` on the app, builds and starts again behind the same proxy. */
  redeploy: (change: () => void) => Promise<void>;
}

/**
 * A copy of example-app (`name`, `options` as for makeApp()) built and started before the tests of
 * the file, behind a counting proxy, with a browser; all stopped after them.
 */
export function useBrowsedApp(name: string, options?: AppOptions): BrowsedApp {
  const app = {} as BrowsedApp;
  beforeAll(async () => {
    app.dir = makeApp(name, options);
    await nextBuild(app.dir);
    app.server = await nextStart(app.dir);
    app.proxy = await countingProxy();
    app.proxy.target = app.server.url;
    app.browser = await launchChromium();
  });
  afterAll(async () => {
    await app.browser?.close();
    await app.server?.stop();
    await app.proxy?.close();
  });
  app.visit = () => visit(app.browser.context, app.proxy.url + '/');
  app.redeploy = async (change) => {
    await app.server.stop();
    change();
    await nextBuild(app.dir);
    app.server = await nextStart(app.dir);
    app.proxy.target = app.server.url;
    app.proxy.seen = [];
  };
  return app;
}
