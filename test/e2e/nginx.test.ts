// nginx serving public/ from disk in front of next start, with the README's snippet: busted files
// come straight from the links on disk with immutable caching; anything else goes to Next.js.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IMMUTABLE,
  bustedUrls,
  expectBustedPage,
  expectNoOddAnswers,
  get,
  makeApp,
  nextBuild,
  nextStart,
  publicFile,
  startNginx,
  type Nginx,
  type Server,
} from './harness.js';

let dir: string;
let next: Server;
let nginx: Nginx;
let origin: string;
let token: string;

beforeAll(async () => {
  dir = makeApp('nginx');
  await nextBuild(dir);
  next = await nextStart(dir);
  nginx = await startNginx(path.join(dir, 'public'), next.url, path.join(dir, 'nginx'));
  origin = nginx.origin;
  ({ token } = await expectBustedPage(origin, dir));
});

afterAll(async () => {
  nginx?.stop();
  await next?.stop();
});

describe("nginx with the README's snippet in front of next start", () => {
  it('serves busted files itself, from the links on disk, with immutable caching', async () => {
    await expectBustedPage(origin, dir);
    const res = await get(`${origin}/_bust/${token}/css/site.css`);
    expect(res.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(res.headers.get('x-powered-by')).toBeNull(); // not Next.js
  });

  it('passes plain URLs, old tokens and missing files to Next.js', async () => {
    const plain = await get(`${origin}/css/site.css`);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=0');
    const old = await get(`${origin}/_bust/0123/css/site.css`);
    expect(old.status).toBe(307);
    expect(old.headers.get('location')).toBe(`/_bust/${token}/css/site.css`);
    const missing = await get(`${origin}/_bust/${token}/css/missing.css`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).not.toContain('immutable');
  });

  it('never serves the bookkeeping, a page or a file outside public/ under the prefix', async () => {
    await expectNoOddAnswers(origin, token);
  });

  it('serves the busted files from disk with Next.js stopped (nothing of them came through it)', async () => {
    const { html } = await expectBustedPage(origin, dir);
    await next.stop();
    const urls = bustedUrls(html);
    expect(urls.length).toBeGreaterThanOrEqual(5);
    for (const url of urls) {
      const res = await get(origin + url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('cache-control'), url).toBe(IMMUTABLE);
      expect(res.body.equals(publicFile(dir, url.slice(`/_bust/${token}/`.length))), url).toBe(true);
    }
    // Next.js's own files too, by the snippet's /_next/static/ block.
    const chunk = /\/_next\/static\/chunks\/[^"]+\.js/.exec(html)![0];
    expect((await get(origin + chunk)).status).toBe(200);
    expect((await get(`${origin}/_bust/0123/css/site.css`)).status).toBe(502); // what Next.js would answer
  });
});
