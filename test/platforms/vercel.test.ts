// Vercel: `vercel build` (the CLI's local build, as in a prebuilt deploy) of a new app with the
// packed package and `withStaticBust({})`: the builder must succeed and put no link in its output;
// busted URLs name the build's static folder, which Vercel uploads with the rest of `.next/static`;
// the package adds no route. Requests are routed through the output's own `config.json`
// (vercel-routes.ts): a busted file is found in `static/` and made immutable by Vercel's `hit` route
// for `/_next/static/…/media/…`; anything else under the prefix is the `miss` phase's 404.
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, STATIC_PREFIX, type BustedFile } from '../e2e/harness.js';
import {
  BIN,
  CSS_WITH_FONT,
  escapingLinks,
  expectPublicUntouched,
  expectStaticCopies,
  expectedBytes,
  fingerprintsOf,
  hostEnv,
  makeHostApp,
  notFiles,
  staticTokenOf,
  tokenUrls,
  type HostApp,
} from './harness.js';
import { routeRequest, routesByPhase } from './vercel-routes.js';

const CONFIG = `import { withStaticBust } from 'next-static-bust/config';

export default withStaticBust({});
`;

/** The header of Vercel's own `hit` route for Next.js's static files, as `vercel build` writes it. */
const VERCEL_IMMUTABLE = 'public,max-age=31536000,immutable';

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

/**
 * Each busted URL of `urls`, routed: the file of `static/` at that path, with its bytes, made
 * immutable by Vercel's `hit` route for Next.js's static folders (not by a route of the package).
 */
function expectRoutedImmutable(output: string, app: HostApp, urls: Map<string, BustedFile>, perFile: boolean): void {
  const bytes = expectedBytes(app, urls, perFile);
  for (const [file, { url }] of urls) {
    const routed = routeRequest(output, url);
    expect(routed.status, url).toBe(200);
    expect(routed.phase, url).toBe('hit');
    expect(routed.file, url).toBe(path.join(output, 'static', url));
    expect(readFileSync(routed.file!).equals(bytes(file)), url).toBe(true);
    expect(routed.headers['cache-control'], url).toBe(VERCEL_IMMUTABLE);
    expect(routed.setBy['cache-control']?.phase, url).toBe('hit');
    expect(routed.setBy['cache-control']?.src, url).toMatch(/^\/_next\/static\/\(\?:.*\|media\|/);
  }
}

/**
 * Each path of notFiles() is no file and no function: the `miss` phase's 404 (Next.js's
 * `/_next/static/not-found.txt`), never immutable, never a redirect.
 */
function expectMissPhase404(output: string, current: string, old: string): void {
  for (const p of notFiles(current, old)) {
    const routed = routeRequest(output, p);
    expect(routed, p).toMatchObject({ status: 404, phase: 'miss', file: path.join(output, 'static/_next/static/not-found.txt') });
    expect(routed.fn, p).toBeUndefined();
    expect(routed.headers['cache-control'], p).toBeUndefined();
    expect(routed.headers.location, p).toBeUndefined();
  }
}

describe('Vercel (vercel build 58.10.0)', () => {
  let app: HostApp;
  let output: string;
  let log: string;
  let token: string;

  beforeAll(async () => {
    ({ app, log, output } = await vercelBuild('vercel', CONFIG));
    token = staticTokenOf(homeHtml(output));
  });

  it('builds with withStaticBust({}) alone, detects Vercel, serves from the static folder, and writes nothing into public/', () => {
    expect(log).toMatch(/Build Completed/);
    expect(log).toContain(
      `[next-static-bust] busting 6 files of public/ under ${STATIC_PREFIX}/${token}/ (token from the "hash" strategy, the default where VERCEL=1; static for vercel, VERCEL=1)`,
    );
    expectPublicUntouched(app, { headers: false });
    expect(escapingLinks(output)).toEqual([]);
    expect(readdirSync(path.join(output, 'static'))).not.toContain('_headers');
  });

  it("uploads each busted file in .vercel/output/static/_next/static/media/_bust/<token>/ with public/'s bytes, and adds no route", () => {
    expectStaticCopies(path.join(output, 'static'), app, tokenUrls(token), false);
    const routes = readFileSync(path.join(output, 'config.json'), 'utf8');
    expect(routes).not.toContain('_bust');
    expect(readFileSync(path.join(app.dir, '.next/routes-manifest.json'), 'utf8')).not.toContain('_bust');
  });

  it("answers busted URLs with the files, immutable by Vercel's own hit route; plain URLs keep Vercel's default", () => {
    expectRoutedImmutable(output, app, tokenUrls(token), false);
    // The route is Vercel's for Next.js's static folders, in the hit phase: it applies to files only.
    expect(routesByPhase(output).hit.filter((r) => r.headers?.['cache-control'] === VERCEL_IMMUTABLE)).toHaveLength(1);
    const plain = routeRequest(output, '/css/site.css');
    expect(plain).toMatchObject({ status: 200, phase: 'hit', file: path.join(output, 'static/css/site.css') });
    expect(plain.headers['cache-control']).toBeUndefined();
  });

  it("answers a missing file, an old token and the page's path under the prefix with the miss phase's 404, and no page", () => {
    expectMissPhase404(output, token, '0123456789');
    // The model finds the page where it is, so a page under the prefix would have shown.
    expect(routeRequest(output, '/docs/hello')).toMatchObject({ status: 200, fn: 'docs/[slug]' });
    // A trailing slash is Vercel's redirect to the path without it, which is the 404 above.
    const slash = routeRequest(output, `${STATIC_PREFIX}/${token}/css/site.css/`);
    expect([slash.status, slash.headers.location, slash.headers['cache-control']]).toEqual([308, `${STATIC_PREFIX}/${token}/css/site.css`, undefined]);
  });
});

describe("Vercel, granularity: 'file'", () => {
  it('uploads each file under its own fingerprint (the stylesheet rewritten), immutable by the hit route; an unknown fingerprint is the 404', async () => {
    const config = `import { withStaticBust } from 'next-static-bust/config';\n\nexport default withStaticBust({}, { granularity: 'file' });\n`;
    const built = await vercelBuild('vercel-file', config, { 'public/css/site.css': CSS_WITH_FONT });
    expect(built.log).toMatch(/Build Completed/);
    expect(built.log).toMatch(/\[next-static-bust\] busting 6 files of public\/ under \/_next\/static\/media\/_bust\/<fingerprint>\/ \(6 fingerprints, one per file; .*static for vercel, VERCEL=1\)/);
    expectPublicUntouched(built.app, { headers: false });
    const urls = fingerprintsOf(homeHtml(built.output));
    expectStaticCopies(path.join(built.output, 'static'), built.app, urls, true);
    expectRoutedImmutable(built.output, built.app, urls, true);
    // The stylesheet's relative font URL resolves to the font's busted URL.
    const css = urls.get('css/site.css')!.url;
    const fontRef = /url\('([^']+)'\)/.exec(readFileSync(path.join(built.output, 'static', css), 'utf8'))![1]!;
    expect(new URL(fontRef, `https://x${css}`).pathname).toBe(urls.get('fonts/geist.ttf')!.url);
    expectMissPhase404(built.output, urls.get('css/site.css')!.fingerprint, '0000aaaa');
  });
});
