// Next.js 15: example-app with the packed package, installed by npm beside next@15 (the latest
// 15.x), outside this repository: next start with webpack (15's default) and Turbopack, standalone
// server.js, a static export, next dev, and a visit in headless Chromium.
import { lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT,
  bustedUrls,
  expectBustedPage,
  freePort,
  get,
  makeApp,
  nextBuild,
  nextDev,
  nextStart,
  run,
  serve,
  tokenIn,
  publicFile,
  type Server,
} from '../e2e/harness.js';
import { hostEnv, pack } from '../platforms/harness.js';

const NEXT_15 = '15.5.29';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const versions = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version: string }>;
};
const version = (name: string) => versions.packages[`node_modules/${name}`]!.version;

let dir: string;
let server: Server | undefined;

function config(contents: string) {
  for (const name of ['next.config.ts', 'next.config.mjs']) rmSync(path.join(dir, name), { force: true });
  rmSync(path.join(dir, '.next'), { recursive: true, force: true });
  writeFileSync(path.join(dir, 'next.config.mjs'), `import { withStaticBust } from 'next-static-bust/config';\n\nexport default withStaticBust(${contents});\n`);
}

beforeAll(async () => {
  const parent = path.join(os.tmpdir(), 'nsb-next15');
  mkdirSync(parent, { recursive: true });
  dir = makeApp('app', {}, parent);
  const dependencies = {
    next: NEXT_15,
    react: version('react'),
    'react-dom': version('react-dom'),
    typescript: version('typescript'),
    '@types/react': version('@types/react'),
    '@types/node': version('@types/node'),
    'next-static-bust': `file:${await pack()}`,
  };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'next15-app', private: true, dependencies }, null, 2));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir, hostEnv());
  expect(JSON.parse(readFileSync(path.join(dir, 'node_modules/next/package.json'), 'utf8')).version).toBe(NEXT_15);
});

afterAll(async () => {
  await server?.stop();
});

describe(`Next.js ${NEXT_15}`, () => {
  for (const [bundler, args] of [['webpack', []], ['Turbopack', ['--turbopack']]] as const) {
    it(`next build (${bundler}) + next start: busted, immutable URLs; old tokens redirect`, async () => {
      config('{ reactStrictMode: true }');
      const { output } = await nextBuild(dir, [...args]);
      expect(output).toMatch(/\[next-static-bust\] busting 6 files of public\//);
      server = await nextStart(dir);
      const { token } = await expectBustedPage(server.url, dir);
      const old = await get(`${server.url}/_bust/0123/css/site.css`);
      expect(old.status).toBe(307);
      expect(old.headers.get('location')).toBe(`/_bust/${token}/css/site.css`);
      expect((await get(`${server.url}/css/site.css`)).headers.get('cache-control')).toBe('public, max-age=0');
      await server.stop();
    });
  }

  it("output: 'standalone': server.js after the README's copies", async () => {
    config("{ output: 'standalone' }");
    await nextBuild(dir);
    const image = path.join(dir, '..', 'image');
    rmSync(image, { recursive: true, force: true });
    await run('cp', ['-r', path.join(dir, '.next/standalone'), image], ROOT);
    await run('cp', ['-r', path.join(dir, '.next/static'), path.join(image, '.next/static')], ROOT);
    await run('cp', ['-r', path.join(dir, 'public'), path.join(image, 'public')], ROOT);
    const port = await freePort();
    server = await serve([path.join(image, 'server.js')], image, { port });
    await expectBustedPage(server.url, dir);
    await server.stop();
  });

  it("output: 'export': real files in out/ behind the busted URLs", async () => {
    config("{ output: 'export', images: { unoptimized: true } }");
    await nextBuild(dir);
    const html = readFileSync(path.join(dir, 'out/index.html'), 'utf8');
    const token = tokenIn(html);
    for (const url of bustedUrls(html)) {
      expect(lstatSync(path.join(dir, 'out', url)).isFile(), url).toBe(true);
      expect(readFileSync(path.join(dir, 'out', url)).equals(publicFile(dir, url.slice(`/_bust/${token}/`.length))), url).toBe(true);
    }
  });

  it('next dev: plain URLs', async () => {
    config('{}');
    server = await nextDev(dir);
    const html = (await get(`${server.url}/`)).text;
    expect(html).toContain('href="/css/site.css"');
    expect(bustedUrls(html)).toEqual([]);
    await server.stop();
  });

  it('in headless Chromium: hydrates without errors and applies the busted stylesheet', async () => {
    config('{}');
    await nextBuild(dir);
    server = await nextStart(dir);
    const profile = path.join(os.tmpdir(), `nsb-next15-profile-${process.pid}`);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      await page.getByTestId('hydrated').click();
      await page.getByText('clicked 1').waitFor({ timeout: 15_000 });
      expect(await page.evaluate(() => getComputedStyle(document.querySelector('h1')!).color)).toBe('rgb(0, 112, 243)');
      expect(await page.evaluate(() => document.documentElement.dataset.helloScript)).toBe('ran');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      await server.stop();
    }
  });
});
