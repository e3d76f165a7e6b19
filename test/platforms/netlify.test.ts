// Netlify: `netlify build --offline` with @netlify/plugin-nextjs, of a new app with the packed
// package and `withStaticBust({})` (the platform is detected from NETLIFY_LOCAL, NETLIFY on
// Netlify's CI). Netlify's CDN cannot be run here, so this checks what the deploy would upload: the
// files of the publish folder, and the header rules as Netlify's own parser reads them (the plugin's
// `/_next/static/*` rule in the generated netlify.toml, and the package's `_headers` block). On
// Netlify, a path that is a file of the publish folder is answered by the CDN with those rules; any
// other path goes to the Next.js server function, which `netlify serve` runs here (it sends every
// request there, files included).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMMUTABLE, STATIC_PREFIX, freePort, get, run, serve, type Server } from '../e2e/harness.js';
import {
  BIN,
  CSS_WITH_FONT,
  DENO_DIR,
  STATIC_HEADERS_BLOCK,
  TOOLS,
  escapingLinks,
  expectPublicUntouched,
  expectStaticCopies,
  expectStaticServed,
  fingerprintsOf,
  hostEnv,
  isFile,
  makeHostApp,
  notFiles,
  staticTokenOf,
  tokenUrls,
  type HostApp,
} from './harness.js';

const CONFIG = `import { withStaticBust } from 'next-static-bust/config';

export default withStaticBust({});
`;

const NETLIFY_TOML = `[build]
  command = "next build"
  publish = ".next"

[[plugins]]
  package = "@netlify/plugin-nextjs"
`;

interface HeaderRule {
  for: string;
  forRegExp: RegExp;
  values: Record<string, string>;
}

const parser = <T>(name: string) =>
  import(pathToFileURL(path.join(TOOLS, 'node_modules', name, 'lib/index.js')).href) as Promise<T>;

/** The environment of the Netlify CLI, with its configuration kept inside the app. */
function netlifyEnv(dir: string): NodeJS.ProcessEnv {
  const xdg = path.join(dir, '.xdg');
  return hostEnv({ XDG_CONFIG_HOME: xdg, XDG_CACHE_HOME: `${xdg}/cache`, XDG_DATA_HOME: `${xdg}/data`, BROWSER: 'none' }, [DENO_DIR]);
}

/** `netlify build --offline` of a new app; its log and publish folder. */
async function netlifyBuild(name: string, config: string, files: Record<string, string> = {}) {
  const app = await makeHostApp(name, { config, deps: ['@netlify/plugin-nextjs'], files: { 'netlify.toml': NETLIFY_TOML, ...files } });
  const log = (await run(path.join(BIN, 'netlify'), ['build', '--offline'], app.dir, netlifyEnv(app.dir))).output;
  return { app, log, staticDir: path.join(app.dir, '.netlify/static') };
}

/** The header rules of the `_headers` files and the netlify.toml given, as Netlify reads them. */
async function rulesOf({ headersFiles = [], netlifyConfigPath }: { headersFiles?: string[]; netlifyConfigPath?: string }): Promise<HeaderRule[]> {
  const { parseAllHeaders } = await parser<{
    parseAllHeaders: (o: object) => Promise<{ headers: HeaderRule[]; errors: Error[] }>;
  }>('@netlify/headers-parser');
  const { headers, errors } = await parseAllHeaders({ headersFiles, netlifyConfigPath, minimal: false });
  expect(errors).toEqual([]);
  return headers;
}

/** The Cache-Control that `rules` give the path `p`, and the `for` of the rules that gave it. */
function cacheControl(rules: HeaderRule[], p: string): { value?: string; by: string[] } {
  const matching = rules.filter((h) => h.forRegExp.test(p) && h.values['Cache-Control'] !== undefined);
  return { value: matching.at(-1)?.values['Cache-Control'], by: matching.map((h) => h.for) };
}

let app: HostApp;

describe('Netlify (netlify build --offline, @netlify/plugin-nextjs 5.16)', () => {
  let log: string;
  let staticDir: string;
  let token: string;

  beforeAll(async () => {
    ({ app, log, staticDir } = await netlifyBuild('netlify', CONFIG));
    token = staticTokenOf(readFileSync(path.join(app.dir, '.next/server/app/index.html'), 'utf8'));
  });

  it('builds with withStaticBust({}) alone, detects Netlify, and writes only the _headers block into public/', () => {
    expect(log).toMatch(/Netlify Build Complete/);
    expect(log).toContain(`[next-static-bust] busting 6 files of public/ under ${STATIC_PREFIX}/${token}/ (token from the "mtime" strategy; static for netlify, NETLIFY_LOCAL=true)`);
    expectPublicUntouched(app, { headers: true });
    expect(escapingLinks(path.join(app.dir, '.netlify'))).toEqual([]);
  });

  it("publishes each busted file in .netlify/static/_next/static/media/_bust/<token>/ with public/'s bytes, and no _redirects", () => {
    expectStaticCopies(staticDir, app, tokenUrls(token), false);
    expect(readFileSync(path.join(staticDir, '_headers'), 'utf8')).toBe(STATIC_HEADERS_BLOCK);
    // What is not a file there goes to the Next.js function (checked through netlify serve below).
    for (const p of notFiles(token, '0123456789')) expect(isFile(path.join(staticDir, p)), p).toBe(false);
  });

  it("makes the busted files immutable by the plugin's own /_next/static/* rule; the package's block covers its folder only", async () => {
    const plugin = await rulesOf({ netlifyConfigPath: path.join(app.dir, '.netlify/netlify.toml') });
    const ours = await rulesOf({ headersFiles: [path.join(staticDir, '_headers')] });
    for (const { url } of tokenUrls(token).values()) {
      expect(cacheControl(plugin, url), url).toEqual({ value: IMMUTABLE, by: ['/_next/static/*'] });
      expect(cacheControl(ours, url), url).toEqual({ value: IMMUTABLE, by: ['/_next/static/media/_bust/*'] });
    }
    expect(cacheControl(ours, '/_next/static/chunks/main.js').value).toBeUndefined();
    for (const rules of [plugin, ours]) expect(cacheControl(rules, '/css/site.css').value).toBeUndefined();
  });
});

describe('Netlify through netlify serve (the Next.js server function answers every path)', () => {
  let server: Server;

  beforeAll(async () => {
    // The app built above: `netlify serve` builds it again.
    const port = await freePort();
    server = await serve(['serve', '--offline', '--port', String(port)], app.dir, {
      port,
      env: netlifyEnv(app.dir),
      command: path.join(BIN, 'netlify'),
      readyPath: '/robots.txt',
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('serves busted URLs immutable; a missing file, an old token and the page path under the prefix are its uncached 404, no page', async () => {
    const token = staticTokenOf((await get(`${server.url}/`)).text);
    await expectStaticServed(server.url, app, tokenUrls(token), false, '0123456789');
    const missing = await get(`${server.url}${STATIC_PREFIX}/${token}/css/missing.css`);
    expect(missing.headers.get('cache-control')).toBe('private, no-cache, no-store, max-age=0, must-revalidate');
  });
});

describe("Netlify, granularity: 'file'", () => {
  let built: Awaited<ReturnType<typeof netlifyBuild>>;
  let urls: ReturnType<typeof fingerprintsOf>;

  beforeAll(async () => {
    const config = `import { withStaticBust } from 'next-static-bust/config';\n\nexport default withStaticBust({}, { granularity: 'file' });\n`;
    built = await netlifyBuild('netlify-file', config, { 'public/css/site.css': CSS_WITH_FONT });
    urls = fingerprintsOf(readFileSync(path.join(built.app.dir, '.next/server/app/index.html'), 'utf8'));
  });

  it('publishes each file under its own fingerprint as a regular file, the stylesheet rewritten; public/ gets only the _headers block', () => {
    expect(built.log).toMatch(/Netlify Build Complete/);
    expectPublicUntouched(built.app, { headers: true });
    expect(escapingLinks(path.join(built.app.dir, '.netlify'))).toEqual([]);
    expectStaticCopies(built.staticDir, built.app, urls, true);
    for (const p of notFiles(urls.get('css/site.css')!.fingerprint, '0000aaaa')) expect(isFile(path.join(built.staticDir, p)), p).toBe(false);
  });

  it("makes the busted files immutable by the plugin's rule and the package's block", async () => {
    const rules = await rulesOf({ headersFiles: [path.join(built.staticDir, '_headers')], netlifyConfigPath: path.join(built.app.dir, '.netlify/netlify.toml') });
    for (const { url } of urls.values()) expect(cacheControl(rules, url).value, url).toBe(IMMUTABLE);
    expect(cacheControl(rules, '/css/site.css').value).toBeUndefined();
  });
});
