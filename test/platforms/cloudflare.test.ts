// Cloudflare Workers through OpenNext: `opennextjs-cloudflare build` of a new app with the packed
// package and `withStaticBust({})` (the platform is detected from open-next.config.ts and
// wrangler.jsonc), served by `wrangler dev` on workerd, Cloudflare's runtime, with its asset layer
// in front of the worker as in production: busted files come from the assets with the header of
// the generated _headers; old tokens and missing files reach Next.js in the worker.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMMUTABLE, freePort, get, run, serve, type Server } from '../e2e/harness.js';
import {
  BIN,
  CSS_WITH_FONT,
  NODE22_BIN,
  escapingLinks,
  expectHostServes,
  expectHostServesPerFile,
  hostEnv,
  isFile,
  makeHostApp,
  type HostApp,
} from './harness.js';

const CONFIG = `import { withStaticBust } from 'next-static-bust/config';

export default withStaticBust({});
`;

// OpenNext's minimal set-up for Cloudflare.
const FILES = {
  'open-next.config.ts': `import { defineCloudflareConfig } from '@opennextjs/cloudflare';
export default defineCloudflareConfig();
`,
  'wrangler.jsonc': JSON.stringify(
    {
      name: 'nsb-cloudflare',
      main: '.open-next/worker.js',
      compatibility_date: '2025-12-01',
      compatibility_flags: ['nodejs_compat', 'global_fetch_strictly_public'],
      assets: { directory: '.open-next/assets', binding: 'ASSETS' },
    },
    null,
    2,
  ),
};

/** Builds a new app with OpenNext and serves it with wrangler dev. */
async function buildAndServe(name: string, config: string, files: Record<string, string> = {}) {
  const app = await makeHostApp(name, { config, deps: ['@opennextjs/cloudflare'], files: { ...FILES, ...files } });
  const env = hostEnv({}, [NODE22_BIN]);
  const log = (await run(path.join(app.dir, 'node_modules/.bin/opennextjs-cloudflare'), ['build'], app.dir, env)).output;
  const port = await freePort();
  const server = await serve(
    [path.join(BIN, 'wrangler'), 'dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'],
    app.dir,
    { port, env, command: path.join(NODE22_BIN, 'node'), readyPath: '/robots.txt' },
  );
  return { app, log, server };
}

describe('Cloudflare Workers through OpenNext (wrangler dev)', () => {
  let app: HostApp;
  let server: Server;
  let log: string;

  beforeAll(async () => {
    ({ app, log, server } = await buildAndServe('cloudflare', CONFIG));
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('builds with withStaticBust({}) alone; its assets hold the busted files as regular files and no link', () => {
    expect(log).toMatch(/OpenNext build complete/);
    expect(escapingLinks(path.join(app.dir, '.open-next'))).toEqual([]);
    const token = readdirSync(path.join(app.dir, '.open-next/assets/_bust')).find((name) => !name.startsWith('.'))!;
    expect(isFile(path.join(app.dir, `.open-next/assets/_bust/${token}/css/site.css`))).toBe(true);
    const headers = readFileSync(path.join(app.dir, '.open-next/assets/_headers'), 'utf8');
    expect(headers).toContain(`/_bust/${token}/*\n  Cache-Control: public, max-age=31536000, immutable\n`);
  });

  it('serves busted URLs from the asset layer with immutable caching, redirects old tokens, 404s missing files', async () => {
    const html = (await get(server.url + '/')).text;
    await expectHostServes(server.url, app, html);
  });

  it('keeps the host default on plain URLs and does not serve _headers or _redirects', async () => {
    expect((await get(`${server.url}/css/site.css`)).headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    expect((await get(`${server.url}/_headers`)).status).toBe(404);
    expect((await get(`${server.url}/_redirects`)).status).toBe(404);
    expect(IMMUTABLE).toBe('public, max-age=31536000, immutable');
  });
});

describe("Cloudflare Workers through OpenNext, granularity: 'file'", () => {
  let app: HostApp;
  let server: Server;

  beforeAll(async () => {
    const config = `import { withStaticBust } from 'next-static-bust/config';\n\nexport default withStaticBust({}, { granularity: 'file' });\n`;
    ({ app, server } = await buildAndServe('cloudflare-file', config, { 'public/css/site.css': CSS_WITH_FONT }));
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('serves each file under its own fingerprint from the asset layer, by one _headers rule', async () => {
    const headers = readFileSync(path.join(app.dir, '.open-next/assets/_headers'), 'utf8');
    expect(headers).toContain('/_bust/*\n  Cache-Control: public, max-age=31536000, immutable\n');
    expect(escapingLinks(path.join(app.dir, '.open-next'))).toEqual([]);
    await expectHostServesPerFile(server.url, app, (await get(server.url + '/')).text);
  });
});
