// Netlify: `netlify build --offline` with @netlify/plugin-nextjs, of a new app with the packed
// package and `withStaticBust({})` (the platform is detected from NETLIFY_LOCAL, NETLIFY on
// Netlify's CI). Netlify's CDN cannot be run here (`netlify serve` sends every request to the
// Next.js function), so this checks what the deploy would upload: the files of the publish folder,
// and the header and redirect rules as Netlify's own parsers read them. On Netlify, a path that is
// a file is answered by the CDN with those rules; any other path goes to the Next.js function,
// whose redirect (old tokens) and 404 (missing files) are the ones `next start` gives (e2e tests).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMMUTABLE, run } from '../e2e/harness.js';
import {
  BIN,
  CSS_WITH_FONT,
  TOOLS,
  escapingLinks,
  fingerprintsOf,
  hostEnv,
  isFile,
  makeHostApp,
  rewrittenCss,
  tokenOf,
  type HostApp,
} from './harness.js';
import { SMALL_APP_ASSETS } from '../helpers/small-app.js';

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
  forRegExp: RegExp;
  values: Record<string, string>;
}
interface RedirectRule {
  from: string;
  to: string;
  status: number;
  force: boolean;
}

const parser = <T>(name: string) =>
  import(pathToFileURL(path.join(TOOLS, 'node_modules', name, 'lib/index.js')).href) as Promise<T>;

let app: HostApp;
let log: string;
let staticDir: string;
let token: string;

/** `netlify build --offline` of a new app; its log. */
async function netlifyBuild(name: string, config: string, files: Record<string, string> = {}) {
  const app = await makeHostApp(name, { config, deps: ['@netlify/plugin-nextjs'], files: { 'netlify.toml': NETLIFY_TOML, ...files } });
  const xdg = path.join(app.dir, '.xdg');
  const env = hostEnv({ XDG_CONFIG_HOME: xdg, XDG_CACHE_HOME: `${xdg}/cache`, XDG_DATA_HOME: `${xdg}/data` });
  const log = (await run(path.join(BIN, 'netlify'), ['build', '--offline'], app.dir, env)).output;
  return { app, log, staticDir: path.join(app.dir, '.netlify/static') };
}

/** The header rules of `file`, as Netlify reads them: the headers a path gets. */
async function headersOf(file: string): Promise<(p: string) => Record<string, string>> {
  const { parseAllHeaders } = await parser<{
    parseAllHeaders: (o: object) => Promise<{ headers: HeaderRule[]; errors: Error[] }>;
  }>('@netlify/headers-parser');
  const { headers, errors } = await parseAllHeaders({ headersFiles: [file], minimal: false });
  expect(errors).toEqual([]);
  return (p) => Object.assign({}, ...headers.filter((h) => h.forRegExp.test(p)).map((h) => h.values));
}

beforeAll(async () => {
  ({ app, log, staticDir } = await netlifyBuild('netlify', CONFIG));
  token = tokenOf(readFileSync(path.join(app.dir, '.next/server/app/index.html'), 'utf8'));
});

describe('Netlify (netlify build --offline, @netlify/plugin-nextjs 5.16)', () => {
  it('builds with withStaticBust({}) alone, and the publish folder holds the busted files as regular files, no link', () => {
    expect(log).toMatch(/Netlify Build Complete/);
    expect(escapingLinks(path.join(app.dir, '.netlify'))).toEqual([]);
    expect(readdirSync(path.join(staticDir, '_bust')).filter((n) => !n.startsWith('.'))).toEqual([token]);
    for (const file of SMALL_APP_ASSETS) {
      const busted = path.join(staticDir, '_bust', token, file);
      expect(isFile(busted), file).toBe(true);
      expect(readFileSync(busted, 'utf8'), file).toBe(app.file(file));
    }
  });

  it('gives busted files, and only them, the immutable header, by the _headers rules Netlify reads', async () => {
    const headersFor = await headersOf(path.join(staticDir, '_headers'));
    for (const file of SMALL_APP_ASSETS) expect(headersFor(`/_bust/${token}/${file}`)['Cache-Control'], file).toBe(IMMUTABLE);
    expect(headersFor('/css/site.css')['Cache-Control']).toBeUndefined();
    expect(headersFor(`/_bust/0123456789/css/site.css`)['Cache-Control']).toBeUndefined();
  });

  it('keeps the bookkeeping from being served with a forced rule, and sends no existing file away', async () => {
    expect(isFile(path.join(staticDir, '_bust/.next-static-bust.json'))).toBe(true);
    const { parseAllRedirects } = await parser<{
      parseAllRedirects: (o: object) => Promise<{ redirects: RedirectRule[]; errors: Error[] }>;
    }>('@netlify/redirect-parser');
    const { redirects, errors } = await parseAllRedirects({ redirectsFiles: [path.join(staticDir, '_redirects')], minimal: false });
    expect(errors).toEqual([]);
    expect(redirects.map(({ from, to, status, force }) => ({ from, to, status, force }))).toEqual([
      { from: '/_bust/.next-static-bust.json', to: '/404', status: 404, force: true },
    ]);
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

  it('publishes each file under its own fingerprint as a regular file, the stylesheet rewritten', () => {
    expect(built.log).toMatch(/Netlify Build Complete/);
    expect(escapingLinks(path.join(built.app.dir, '.netlify'))).toEqual([]);
    for (const [file, { url }] of urls) {
      const published = path.join(built.staticDir, url);
      expect(isFile(published), file).toBe(true);
      expect(readFileSync(published, 'utf8'), file).toBe(file === 'css/site.css' ? rewrittenCss(urls) : built.app.file(file));
    }
  });

  it('gives the busted files, and only them, the immutable header by one rule', async () => {
    const headersFor = await headersOf(path.join(built.staticDir, '_headers'));
    for (const [file, { url }] of urls) expect(headersFor(url)['Cache-Control'], file).toBe(IMMUTABLE);
    expect(headersFor('/css/site.css')['Cache-Control']).toBeUndefined();
  });
});
