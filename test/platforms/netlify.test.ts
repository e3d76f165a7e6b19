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
import { BIN, TOOLS, escapingLinks, hostEnv, isFile, makeHostApp, tokenOf, type HostApp } from './harness.js';
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

beforeAll(async () => {
  app = await makeHostApp('netlify', { config: CONFIG, deps: ['@netlify/plugin-nextjs'], files: { 'netlify.toml': NETLIFY_TOML } });
  const xdg = path.join(app.dir, '.xdg');
  const env = hostEnv({ XDG_CONFIG_HOME: xdg, XDG_CACHE_HOME: `${xdg}/cache`, XDG_DATA_HOME: `${xdg}/data` });
  log = (await run(path.join(BIN, 'netlify'), ['build', '--offline'], app.dir, env)).output;
  staticDir = path.join(app.dir, '.netlify/static');
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
    const { parseAllHeaders } = await parser<{
      parseAllHeaders: (o: object) => Promise<{ headers: HeaderRule[]; errors: Error[] }>;
    }>('@netlify/headers-parser');
    const { headers, errors } = await parseAllHeaders({ headersFiles: [path.join(staticDir, '_headers')], minimal: false });
    expect(errors).toEqual([]);
    const headersFor = (p: string) => Object.assign({}, ...headers.filter((h) => h.forRegExp.test(p)).map((h) => h.values));
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
