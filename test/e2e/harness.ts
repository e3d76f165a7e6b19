// Shared by the end-to-end tests: copies of example-app, real `next build` / `next start` /
// `next dev`, and plain HTTP. Copies live in <repo>/.e2e/<name>/ (git-ignored) so that `next`,
// `react` and `next-static-bust` resolve from the repository's node_modules, as in a real app.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const EXAMPLE = path.join(ROOT, 'example-app');
/** The app's own `next` (this repository's for copies in .e2e/; an installed one elsewhere). */
function nextBin(dir: string): string {
  return createRequire(path.join(dir, 'package.json')).resolve('next/dist/bin/next');
}
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** An environment for child processes without what vitest and this package's memo put there. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = {} as NodeJS.ProcessEnv;
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_ENV' || key.startsWith('VITEST') || key.startsWith('__NEXT_STATIC_BUST')) continue;
    if (key === 'STATIC_BUST_TOKEN' || key === 'NEXT_STATIC_BUST_TOKEN' || key === 'PORT') continue;
    // CI changes what the package says (a notice about mtime tokens); tests that want it set it.
    if (key === 'CI') continue;
    env[key] = value;
  }
  return { ...env, NEXT_TELEMETRY_DISABLED: '1', ...extra };
}

export interface AppOptions {
  /** Replaces example-app's next.config.ts with this file name and contents. */
  config?: { file: string; contents: string };
  /** Extra or replaced files, relative to the app. */
  files?: Record<string, string>;
}

/**
 * A fresh copy of example-app in .e2e/<name> (or `<parent>/<name>`, for packages installed beside
 * it), without build output or link folders.
 */
export function makeApp(name: string, options: AppOptions = {}, parent = path.join(ROOT, '.e2e')): string {
  const dir = path.join(parent, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(EXAMPLE, src);
      return !/^(\.next|node_modules|out)(\/|$)/.test(rel) && !rel.startsWith(path.join('public', '_bust'));
    },
  });
  if (options.config) {
    rmSync(path.join(dir, 'next.config.ts'));
    writeFileSync(path.join(dir, options.config.file), options.config.contents);
  }
  for (const [file, contents] of Object.entries(options.files ?? {})) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), contents);
  }
  return dir;
}

interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a command to its end; rejects with its output when it fails. */
export function run(cmd: string, args: string[], cwd: string, env = childEnv()): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ code, output });
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code} in ${cwd}:\n${output}`));
    });
  });
}

/** `next build` (Turbopack unless `--webpack` is passed). */
export function nextBuild(dir: string, args: string[] = [], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return run(process.execPath, [nextBin(dir), 'build', ...args], dir, env);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Server {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts a long-running server (Node.js with `args`, or `command`) and waits until `readyPath` answers. */
export async function serve(
  args: string[],
  cwd: string,
  {
    port,
    env = childEnv(),
    readyPath = '/',
    command = process.execPath,
  }: { port: number; env?: NodeJS.ProcessEnv; readyPath?: string; command?: string },
): Promise<Server> {
  const child: ChildProcess = spawn(command, args, {
    cwd,
    env: { ...env, PORT: String(port), HOSTNAME: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so that stop() also ends the workers it forks
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  let exited = false;
  const closed = new Promise<void>((resolve) => child.on('close', () => ((exited = true), resolve())));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await closed;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`server exited before it was ready:\n${output}`);
    try {
      const res = await fetch(url + readyPath);
      await res.arrayBuffer();
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server did not answer ${readyPath} within 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, output: () => output, stop };
}

export async function nextStart(dir: string, env?: NodeJS.ProcessEnv): Promise<Server> {
  const port = await freePort();
  return serve([nextBin(dir), 'start', '-p', String(port), '-H', '127.0.0.1'], dir, { port, env });
}

export async function nextDev(dir: string, args: string[] = []): Promise<Server> {
  const port = await freePort();
  return serve([nextBin(dir), 'dev', '-p', String(port), '-H', '127.0.0.1', ...args], dir, { port });
}

/** Where busted URLs start after the basePath: token folders in public/, or the build's static folder. */
export const STATIC_PREFIX = '/_next/static/media/_bust';
const PREFIX = '(?:/_next/static/media)?/_bust';

/** Every distinct `/<basePath>/_bust/<token>/…` (or `/<basePath>/_next/static/media/_bust/…`) URL in an HTML document, in order. */
export function bustedUrls(html: string, basePath = ''): string[] {
  const pattern = new RegExp(`${basePath}${PREFIX}/[A-Za-z0-9_-]+/[^"'\\s)<>?#&\\\\]+`, 'g');
  return [...new Set(html.match(pattern) ?? [])];
}

export interface BustedFile {
  url: string;
  /** The segment after the namespace: the fingerprint of the file (or the build's token). */
  fingerprint: string;
}

/** The busted URLs in `html`, by the file of public/ that each names (`css/site.css`). */
export function bustedFiles(html: string, basePath = ''): Map<string, BustedFile> {
  const found = new Map<string, BustedFile>();
  for (const url of bustedUrls(html, basePath)) {
    const [, fingerprint, file] = new RegExp(`^${PREFIX}/([^/]+)/(.+)$`).exec(url.slice(basePath.length))!;
    found.set(file!, { url, fingerprint: fingerprint! });
  }
  return found;
}

/** The token of the first busted URL in `html`. */
export function tokenIn(html: string): string {
  const match = /\/_bust\/([A-Za-z0-9_-]+)\//.exec(html);
  if (!match) throw new Error(`no busted URL in:\n${html.slice(0, 2000)}`);
  return match[1]!;
}

export async function get(url: string, init?: RequestInit) {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, text: body.toString('utf8') };
}

/** The bytes of `public/<file>` in `dir`. */
/**
 * Each script and stylesheet of `html` that carries an `integrity`: its URL, that value, and the
 * value of the bytes the URL serves at `origin`.
 */
export async function integrityOfPage(html: string, origin: string): Promise<Array<{ url: string; integrity: string; served: string }>> {
  const tags = html.match(/<(?:link|script)\b[^>]*\bintegrity="[^"]*"[^>]*>/g) ?? [];
  return Promise.all(
    tags.map(async (tag) => {
      const url = /\s(?:href|src)="([^"]+)"/.exec(tag)![1]!.replace(/&amp;/g, '&');
      const integrity = /\sintegrity="([^"]+)"/.exec(tag)![1]!;
      const { body } = await get(origin + url);
      return { url, integrity, served: 'sha384-' + createHash('sha384').update(body).digest('base64') };
    }),
  );
}

export function publicFile(dir: string, file: string): Buffer {
  return readFileSync(path.join(dir, 'public', file));
}

/**
 * Checks the page at `pageUrl`: it references busted assets, and every one of them answers 200
 * with the bytes of its file in `public/` and an immutable Cache-Control. Returns the token.
 */
export async function expectBustedPage(
  origin: string,
  dir: string,
  { basePath = '', pagePath = basePath || '/' }: { basePath?: string; pagePath?: string } = {},
): Promise<{ token: string; html: string }> {
  const page = await get(origin + pagePath);
  if (page.status !== 200) throw new Error(`GET ${pagePath} answered ${page.status}:\n${page.text.slice(0, 500)}`);
  const token = tokenIn(page.text);
  const urls = bustedUrls(page.text, basePath);
  const files = urls.map((url) => url.slice(url.indexOf(`/_bust/${token}/`) + `/_bust/${token}/`.length));
  for (const wanted of ['css/site.css', 'js/hello.js', 'images/icon.png', 'images/hero.png', 'fonts/geist.ttf']) {
    if (!files.includes(wanted)) throw new Error(`the page does not reference a busted ${wanted}: ${urls.join(' ')}`);
  }
  for (const [i, url] of urls.entries()) {
    const res = await get(origin + url);
    const problems = [
      res.status !== 200 && `status ${res.status}`,
      res.headers.get('cache-control') !== IMMUTABLE && `Cache-Control ${res.headers.get('cache-control')}`,
      res.status === 200 && !res.body.equals(publicFile(dir, files[i]!)) && 'different bytes',
    ].filter(Boolean);
    if (problems.length > 0) throw new Error(`${url}: ${problems.join(', ')}`);
  }
  return { token, html: page.text };
}

/**
 * Odd paths under the busted prefix (`/_bust`, or `STATIC_PREFIX` and then `/_bust` too) never serve
 * a file outside public/, a page, a route handler's answer, the package's bookkeeping, or an
 * immutable answer that is not the file asked for.
 */
export async function expectNoOddAnswers(origin: string, token: string, prefix = '/_bust'): Promise<void> {
  const paths = (prefix === '/_bust' ? ['/_bust'] : [prefix, '/_bust']).flatMap((p) => oddPaths(p, token));
  const problems: string[] = [];
  for (const p of paths) {
    // Sent as written (fetch() would resolve the dot segments before the request left).
    const res = await rawGet(origin, p);
    const body = res.body;
    const cacheControl = res.headers['cache-control'] ?? '';
    if (body.includes('"name": "next-static-bust-example"')) problems.push(`${p}: package.json`);
    if (body.includes('withStaticBust(nextConfig')) problems.push(`${p}: next.config`);
    if (body.includes('"stylesheet":')) problems.push(`${p}: the route handler`);
    if (body.includes('"tokens"')) problems.push(`${p}: the manifest`);
    if (body.includes('"appDir"')) problems.push(`${p}: the build's required-server-files.json`);
    if (res.status >= 500) problems.push(`${p}: ${res.status}`);
    // None of these names a file: whatever answers (a 404, a redirect) must not be kept a year.
    if (String(cacheControl).includes('immutable')) problems.push(`${p}: ${res.status} with ${cacheControl}`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

function oddPaths(prefix: string, token: string): string[] {
  return [
    `${prefix}/${token}/../../package.json`,
    `${prefix}/${token}/%2e%2e/%2e%2e/package.json`,
    `${prefix}/${token}/%2e%2e%2fnext.config.ts`,
    `${prefix}/${token}/..%2f..%2fpackage.json`,
    // Through a top-level folder of public/ (where a route of the app could match), far enough
    // to reach the app's folder: public/_bust/<token>/css is four levels below it.
    `${prefix}/${token}/css/..%2f..%2f..%2f..%2fpackage.json`,
    `${prefix}/${token}/css/%2e%2e/%2e%2e/%2e%2e/%2e%2e/package.json`,
    `${prefix}/${token}/css/..%2f..%2f..%2fpackage.json`,
    `${prefix}/${token}/css/..%2f..%2fnext.config.ts`,
    // …and from the build's static folder (.next/static/media/_bust/<token>/css is six levels below).
    `${prefix}/${token}/css/..%2f..%2f..%2f..%2f..%2f..%2fpackage.json`,
    `${prefix}/${token}/css/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/package.json`,
    `${prefix}/${token}/css/..%2f..%2f..%2f..%2f..%2frequired-server-files.json`,
    `${prefix}/${token}/css/..%5c..%5c..%5c..%5cpackage.json`,
    `${prefix}/${token}/`,
    `${prefix}/${token}`,
    prefix,
    `${prefix}/`,
    `${prefix}/${token}/api/asset-url`,
    `${prefix}/${token}/css/missing.css`,
    `${prefix}/${token}/.next-static-bust.json`,
    `${prefix}/.next-static-bust.json`,
    `${prefix}/%2enext-static-bust.json`,
    `${prefix}/%2Enext-static-bust.json`,
    `${prefix}/nonexistent-token`,
    `${prefix}/${'x'.repeat(65)}/css/site.css`,
  ];
}

/** A GET of `rawPath` exactly as written (no dot segments resolved, no redirect followed). */
export function rawGet(origin: string, rawPath: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

export interface Nginx {
  origin: string;
  stop: () => void;
}

/** The README's nginx snippet, with its placeholders filled in. */
function nginxSnippet(publicDir: string, upstream: string): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const match = /```nginx\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README.md has no nginx snippet');
  return match[1]!
    .replaceAll('/srv/app/public', publicDir)
    .replaceAll('/srv/app/.next', path.join(path.dirname(publicDir), '.next'))
    .replaceAll('http://127.0.0.1:3000', upstream);
}

/** Debian's nginx with the README's snippet, serving `publicDir` in front of `upstream`; its files in `conf`. */
export async function startNginx(publicDir: string, upstream: string, conf: string): Promise<Nginx> {
  const port = await freePort();
  mkdirSync(conf, { recursive: true });
  writeFileSync(
    path.join(conf, 'nginx.conf'),
    `daemon off;
${process.getuid?.() === 0 ? '# As root, workers would run as nobody, who may not enter the folder of the clone.\nuser root;\n' : ''}worker_processes 1;
pid ${conf}/nginx.pid;
error_log ${conf}/error.log;
events {}
http {
  access_log off;
  client_body_temp_path ${conf}/body; proxy_temp_path ${conf}/proxy; fastcgi_temp_path ${conf}/fastcgi;
  uwsgi_temp_path ${conf}/uwsgi; scgi_temp_path ${conf}/scgi;
  server {
    listen 127.0.0.1:${port};
${nginxSnippet(publicDir, upstream)}
  }
}
`,
  );
  const nginx = spawn(NGINX, ['-p', conf, '-c', path.join(conf, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  nginx.stderr!.on('data', (d) => (output += d));
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (nginx.exitCode !== null) throw new Error(`nginx exited: ${output}`);
    const ok = await fetch(origin + '/').then(
      () => true,
      () => false,
    );
    if (ok) break;
    if (i > 100) throw new Error(`nginx did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { origin, stop: () => void nginx.kill('SIGQUIT') };
}
