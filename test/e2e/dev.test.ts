// next dev, with Turbopack (the default) and with webpack: plain URLs, nothing immutable, no links,
// and an edited file is served at once.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, makeApp, nextDev, type Server } from './harness.js';

for (const bundler of ['turbopack', 'webpack'] as const) {
  describe(`next dev with ${bundler}`, () => {
    let dir: string;
    let server: Server;

    beforeAll(async () => {
      dir = makeApp(`dev-${bundler}`);
      server = await nextDev(dir, bundler === 'webpack' ? ['--webpack'] : []);
    });

    afterAll(async () => {
      await server?.stop();
    });

    it('renders plain public/ URLs and makes no links', async () => {
      const page = await get(server.url + '/');
      expect(page.status).toBe(200);
      expect(page.text).toContain('href="/css/site.css"');
      expect(page.text).toContain('data-testid="server-url">/css/site.css<');
      expect(page.text).not.toContain('/_bust/');
      expect(existsSync(path.join(dir, 'public/_bust'))).toBe(false);
    });

    it('serves public/ files without an immutable Cache-Control', async () => {
      const res = await get(server.url + '/css/site.css');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control') ?? '').not.toContain('immutable');
    });

    it('serves an edited file at once', async () => {
      const css = path.join(dir, 'public/css/site.css');
      writeFileSync(css, readFileSync(css, 'utf8') + `\n/* edited in dev (${bundler}) */\n`);
      const res = await get(server.url + '/css/site.css');
      expect(res.text).toContain(`/* edited in dev (${bundler}) */`);
    });
  });
}
