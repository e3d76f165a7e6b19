// Serving by rewrite, as on Vercel, Netlify and Cloudflare (and on a server where links cannot be
// made): nothing in public/, a next.config rewrite of the busted paths. Forced here with the
// `platform` option and served by a real `next start`, which applies next.config's rewrites,
// headers and redirects as those hosts' routing layers do.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBustedPage, expectNoOddAnswers, get, makeApp, nextBuild, nextStart, type Server } from './harness.js';

const CONFIG = `import { withStaticBust } from 'next-static-bust/config';

export default withStaticBust({ reactStrictMode: true }, { platform: 'vercel' });
`;

let dir: string;
let server: Server;
let token: string;
let output: string;

beforeAll(async () => {
  dir = makeApp('rewrite', {
    config: { file: 'next.config.mjs', contents: CONFIG },
    // A typo the build must report, with where it is.
    files: {
      'app/typo/page.tsx': `import { BustedAsset } from 'next-static-bust';
export default function Typo() {
  return <BustedAsset src="/css/tpyo.css" />;
}
`,
    },
  });
  output = (await nextBuild(dir)).output;
  server = await nextStart(dir);
  ({ token } = await expectBustedPage(server.url, dir));
});

afterAll(async () => {
  await server?.stop();
});

describe('serving by rewrite (platform: vercel) on next start', () => {
  it('says what it did in one line, and reports the path that names no file, with where it is used', () => {
    expect(output).toMatch(/\[next-static-bust\] busting 6 files of public\/ under \/_bust\/\d+\/ \(token from the "mtime" strategy; rewrite for vercel, the platform option\)/);
    expect(output).toMatch(/\[next-static-bust\] a path given to bust\(\) or <BustedAsset> names no file in public\/:\n {2}app\/typo\/page\.tsx:3: \/css\/tpyo\.css\n/);
  });

  it('writes nothing into public/, and every busted URL answers with the file and immutable caching', async () => {
    expect(existsSync(path.join(dir, 'public/_bust'))).toBe(false);
    await expectBustedPage(server.url, dir);
  });

  it('keeps plain URLs at max-age=0 and redirects an old token to the current file', async () => {
    expect((await get(`${server.url}/css/site.css`)).headers.get('cache-control')).toBe('public, max-age=0');
    const old = await get(`${server.url}/_bust/0123/css/site.css`);
    expect(old.status).toBe(307);
    expect(old.headers.get('location')).toBe(`/_bust/${token}/css/site.css`);
  });

  it('answers a missing file with an uncached 404, and never a page or an immutable non-file', async () => {
    const missing = await get(`${server.url}/_bust/${token}/css/missing.css`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).not.toContain('immutable');
    await expectNoOddAnswers(server.url, token);
  });
});
