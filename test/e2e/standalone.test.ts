// output: 'standalone': server.js never runs next.config, so the links made at build time (copied
// with public/, as the Next.js docs say) must be enough. The copies are the README's Dockerfile
// steps, made into a fresh folder as `COPY --from=build` makes them into the image (Docker's COPY
// keeps symlinks inside a copied folder as symlinks, as `cp -r` does).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, expectBustedPage, freePort, get, makeApp, nextBuild, run, serve, type Server } from './harness.js';

const CONFIG = `const { withStaticBust } = require('next-static-bust/config');

module.exports = withStaticBust({ output: 'standalone' });
`;

let dir: string;
let server: Server;

/** The folder of server.js: with the repository as tracing root it sits under the app's path. */
function findServerDir(standalone: string): string {
  const stack = [standalone];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (existsSync(path.join(current, 'server.js')) && existsSync(path.join(current, '.next'))) return current;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== 'node_modules') stack.push(path.join(current, entry.name));
    }
  }
  throw new Error(`no server.js under ${standalone}`);
}

beforeAll(async () => {
  dir = makeApp('standalone', { config: { file: 'next.config.js', contents: CONFIG } });
  await nextBuild(dir);
  // The image: a fresh folder outside the app, as WORKDIR /app.
  const image = path.join(ROOT, '.e2e', 'standalone-image');
  rmSync(image, { recursive: true, force: true });
  // COPY --from=build /app/.next/standalone ./
  await run('cp', ['-r', path.join(dir, '.next/standalone'), image], ROOT);
  // With this repository as the tracing root, server.js sits under the app's path inside it.
  const serverDir = findServerDir(image);
  // COPY --from=build /app/.next/static ./.next/static
  await run('cp', ['-r', path.join(dir, '.next/static'), path.join(serverDir, '.next/static')], ROOT);
  // COPY --from=build /app/public ./public
  await run('cp', ['-r', path.join(dir, 'public'), path.join(serverDir, 'public')], ROOT);
  const port = await freePort();
  server = await serve([path.join(serverDir, 'server.js')], serverDir, { port });
});

afterAll(async () => {
  await server?.stop();
});

describe("output: 'standalone' served by server.js after the README's Dockerfile copies", () => {
  it('serves busted, immutable assets from the copied links', async () => {
    await expectBustedPage(server.url, dir);
  });

  it('redirects a stale token and keeps plain URLs plain', async () => {
    const { token } = await expectBustedPage(server.url, dir);
    const stale = await get(`${server.url}/_bust/0/css/site.css`);
    expect(stale.status).toBe(307);
    expect(stale.headers.get('location')).toBe(`/_bust/${token}/css/site.css`);
    const plain = await get(`${server.url}/css/site.css`);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=0');
  });
});
