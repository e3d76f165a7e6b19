// Vercel: `vercel build` (the CLI's local build, as in a prebuilt deploy) of a new app with the
// packed package and `withStaticBust({})`: the builder must succeed, put no link in its output, and
// its routes must serve busted URLs from the plain files with immutable caching.
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMMUTABLE, run } from '../e2e/harness.js';
import { BIN, CSS_WITH_FONT, escapingLinks, fingerprintsOf, hostEnv, makeHostApp, tokenOf, type HostApp } from './harness.js';
import { routeRequest } from './vercel-routes.js';

const CONFIG = `import { withStaticBust } from 'next-static-bust/config';

export default withStaticBust({});
`;

let app: HostApp;
let output: string;
let log: string;
let token: string;

/** The prerendered HTML of the home page in the build output `output`. */
function homeHtml(output: string): string {
  const files = readdirSync(output, { recursive: true }).map(String);
  const html = files.find((f) => /(^|\/)index(\.prerender-fallback)?\.html$/.test(f) && !f.includes('_not-found'));
  if (!html) throw new Error(`no prerendered index in .vercel/output: ${files.filter((f) => f.endsWith('.html')).join(' ')}`);
  return readFileSync(path.join(output, html), 'utf8');
}

/** `vercel build` of a new app; its log and output folder. */
async function vercelBuild(name: string, config: string, files: Record<string, string> = {}) {
  const app = await makeHostApp(name, { config, files });
  mkdirSync(path.join(app.dir, '.vercel'), { recursive: true });
  writeFileSync(
    path.join(app.dir, '.vercel/project.json'),
    JSON.stringify({ projectId: 'prj_x', orgId: 'team_x', settings: { framework: 'nextjs' } }),
  );
  const log = (await run(path.join(BIN, 'vercel'), ['build', '--yes'], app.dir, hostEnv())).output;
  return { app, log, output: path.join(app.dir, '.vercel/output') };
}

beforeAll(async () => {
  ({ app, log, output } = await vercelBuild('vercel', CONFIG));
  token = tokenOf(homeHtml(output));
});

describe('Vercel (vercel build 58.10.0)', () => {
  it('builds with withStaticBust({}) alone, detects Vercel, and writes nothing into public/', () => {
    expect(log).toMatch(/Build Completed/);
    expect(readdirSync(path.join(app.dir, 'public')).sort()).toEqual(['css', 'fonts', 'images', 'js', 'robots.txt']);
    expect(escapingLinks(output)).toEqual([]);
    expect(readdirSync(path.join(output, 'static'))).not.toContain('_bust');
  });

  it('routes busted URLs to the plain files with immutable caching, and leaves plain URLs alone', () => {
    for (const file of ['css/site.css', 'js/hello.js', 'images/icon.png', 'fonts/geist.ttf', 'robots.txt']) {
      const routed = routeRequest(output, `/_bust/${token}/${file}`);
      expect(routed.status, file).toBe(200);
      expect(routed.headers['cache-control'], file).toBe(IMMUTABLE);
      expect(readFileSync(routed.file!, 'utf8'), file).toBe(app.file(file));
    }
    const plain = routeRequest(output, '/css/site.css');
    expect(plain.status).toBe(200);
    expect(plain.headers['cache-control']).toBeUndefined();
  });

  it('redirects an old token to the current file, and answers a missing file with a 404', () => {
    const old = routeRequest(output, '/_bust/0123456789/css/site.css');
    expect(old.status).toBe(307);
    expect(old.headers.location).toBe(`/_bust/${token}/css/site.css`);
    // Vercel applies header routes to the 404 too (documented in the README): that URL can never
    // come to exist, since a new file in public/ makes a new token.
    expect(routeRequest(output, `/_bust/${token}/css/missing.css`).status).toBe(404);
    expect(routeRequest(output, '/_bust/.next-static-bust.json').status).toBe(404);
  });
});

describe("Vercel, granularity: 'file'", () => {
  it('routes each fingerprinted URL to its plain file with immutable caching, and an unknown one to the plain URL', async () => {
    const config = `import { withStaticBust } from 'next-static-bust/config';\n\nexport default withStaticBust({}, { granularity: 'file' });\n`;
    const built = await vercelBuild('vercel-file', config, { 'public/css/site.css': CSS_WITH_FONT });
    expect(built.log).toMatch(/Build Completed/);
    expect(readdirSync(path.join(built.output, 'static'))).not.toContain('_bust');
    const urls = fingerprintsOf(homeHtml(built.output));
    for (const [file, { url }] of urls) {
      const routed = routeRequest(built.output, url);
      expect(routed.status, file).toBe(200);
      expect(routed.headers['cache-control'], file).toBe(IMMUTABLE);
      expect(readFileSync(routed.file!, 'utf8'), file).toBe(built.app.file(file));
    }
    // The stylesheet's relative font URL resolves under its own fingerprint, to the font.
    const font = routeRequest(built.output, `/_bust/${urls.get('css/site.css')!.fingerprint}/fonts/geist.ttf`);
    expect(font.status).toBe(200);
    expect(readFileSync(font.file!, 'utf8')).toBe(built.app.file('fonts/geist.ttf'));
    const old = routeRequest(built.output, '/_bust/0000aaaa/css/site.css');
    expect(old.status).toBe(307);
    expect(old.headers.location).toBe('/css/site.css');
  });
});
