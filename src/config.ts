import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NextConfig } from 'next';
import { ENV_ASSET_HOST, ENV_BASE_PATH, ENV_FILES, ENV_NAMESPACE, ENV_SERVING, ENV_TOKEN, readBuildInfo } from './build-info.js';
import { sayOnce, StaticBustError, warnOnce } from './errors.js';
import { bustRoutes, redirectsUnknown, withBeforeFiles } from './next-routes.js';
import { kind, NEXT_CONFIG_FILES, resolveOptions, TOKEN_ENV, type ResolvedOptions, type StaticBustOptions } from './options.js';
import { recordOptions } from './app-options.js';
import type { Fingerprinted } from './fingerprints.js';
import { choosePlan, serveBuild, serveStart, type Served } from './serving.js';

export type { StaticBustOptions } from './options.js';
export type { Strategy, TokenSource } from './options.js';
export type { Platform } from './platform.js';
export { IMMUTABLE } from './next-routes.js';

/** The second argument Next.js passes to a function config. */
export interface ConfigContext {
  defaultConfig: NextConfig;
  [key: string]: unknown;
}

/** What `next.config` may export: an object, a promise of one, or a function of the phase. */
export type NextConfigInput =
  | NextConfig
  | Promise<NextConfig>
  | ((phase: string, context: ConfigContext) => NextConfig | Promise<NextConfig>);

/**
 * The function config that `withStaticBust()` returns, for Next.js to call. It also carries your
 * config's keys, so that a plugin that copies it as an object (`{ ...config }`) keeps them, and is
 * typed as a `NextConfig` for such plugins' parameters (see "Plugin order" in the README).
 */
export type StaticBustConfig = ((phase: string, context: ConfigContext) => Promise<NextConfig>) & NextConfig;

// The values of next/constants' PHASE_* (not imported: this file must load before Next.js does).
const PHASE_BUILD = 'phase-production-build';
const PHASE_START = 'phase-production-server';

/**
 * Adds path-based cache busting for `public/` to a Next.js config.
 *
 * At `next build` it picks a token (see `strategy`), makes `public/<namespace>/<token>/` resolve
 * to the files of `public/` with relative links, inlines the token for `bust()` and
 * `<BustedAsset>`, and serves busted URLs with `Cache-Control: public, max-age=31536000,
 * immutable`. At `next start` it re-creates the links of the build's token. In `next dev` it
 * changes nothing and `bust()` returns plain paths.
 *
 * The config may be an object, a promise, or a function `(phase, context)`, sync or async. It is
 * never mutated; your `env`, `headers()`, `redirects()` and `images.localPatterns` are kept.
 *
 * @example
 * ```js
 * // next.config.js
 * const { withStaticBust } = require('next-static-bust/config');
 *
 * module.exports = withStaticBust({ reactStrictMode: true }, { strategy: 'hash' });
 * ```
 *
 * @example
 * ```ts
 * // next.config.ts
 * import type { NextConfig } from 'next';
 * import { withStaticBust } from 'next-static-bust/config';
 *
 * const nextConfig: NextConfig = { basePath: '/docs' };
 * export default withStaticBust(nextConfig);
 * ```
 *
 * @param nextConfig - Your Next.js config (object, promise or function).
 * @param options - See {@link StaticBustOptions}.
 * @returns A function config for Next.js.
 * @throws {StaticBustError} At once, for invalid options; when Next.js loads the config, for an
 * invalid token or a `public/<namespace>` folder that the package did not make.
 */
export function withStaticBust(
  nextConfig: NextConfigInput = {},
  options: StaticBustOptions = {},
): StaticBustConfig {
  const opts = resolveOptions(options);
  recordOptions(options); // for the CLI, which reads next.config to agree with the build
  const config = async function staticBustConfig(phase: string, context: ConfigContext): Promise<NextConfig> {
    const user =
      typeof nextConfig === 'function' ? await nextConfig(phase, context) : await nextConfig;
    if (typeof user !== 'object' || user === null || Array.isArray(user)) {
      throw new TypeError(
        `[next-static-bust] Expected the Next.js config to be an object, got \`${kind(user)}\`. ` +
          'Pass withStaticBust() your config object, or a function that returns one.',
      );
    }
    const served =
      phase === PHASE_BUILD
        ? await build(opts, user)
        : phase === PHASE_START
          ? await start(opts, user.distDir)
          : undefined;
    return materialize(user, opts, served);
  };
  return spreadSafe(config, nextConfig);
}

/**
 * Plugins such as next-intl, @next/mdx and @next/bundle-analyzer copy the config they are given as
 * an object (`{ ...config }`, `Object.assign({}, config, …)`). A copy of a function is its own
 * properties, so the returned function carries the user's keys (the copy keeps the user's config)
 * and, in place of headers, redirects and rewrites, functions that stop the build with the fix:
 * what withStaticBust() adds is computed when Next.js calls the function, which a copy never is.
 */
function spreadSafe(config: (phase: string, context: ConfigContext) => Promise<NextConfig>, nextConfig: NextConfigInput): StaticBustConfig {
  const lost = async (): Promise<never> => {
    throw new StaticBustError(
      'the config that withStaticBust() returned was copied as an object by another plugin (such as ' +
        "next-intl's, @next/mdx's or @next/bundle-analyzer's), so what it adds (the token, the headers) " +
        'is lost and URLs would not be busted. Make withStaticBust() the outermost call: ' +
        '`export default withStaticBust(withNextIntl(nextConfig))`.',
    );
  };
  const own = typeof nextConfig === 'object' && nextConfig !== null && !(nextConfig instanceof Promise) ? nextConfig : {};
  return Object.assign(config, own, { headers: lost, redirects: lost, rewrites: lost });
}

// Several evaluations of next.config within one command (and its worker processes, which inherit
// the environment) must agree on the token, even when it comes from a function that returns
// something new on every call. The first one computes it and leaves it here for the others.
const MEMO = '__NEXT_STATIC_BUST_BUILD';

async function build(opts: ResolvedOptions, user: NextConfig): Promise<Served | undefined> {
  const memo = readMemo(opts);
  if (memo) return memo.served;
  const publicDir = findPublicDir(opts);
  if (!publicDir) return remember(opts, undefined);
  // The scan (and node:crypto) is loaded by the build only: `next start` should not pay for it.
  const { listFiles, resolveToken } = await import('./token.js');
  // One listing of public/ serves the token, the checks and a folder of files.
  const files = await listFiles({ publicDir, namespace: opts.namespace });
  const fingerprinted = opts.granularity === 'file' ? await fingerprintFiles(publicDir, files) : undefined;
  // Resolved (and validated) before anything is written.
  const token = fingerprinted ? '' : await resolveToken({ ...opts, publicDir, files });
  await checkBeforeBuild(opts, publicDir, files, user.distDir, fingerprinted !== undefined);
  const plan = choosePlan(opts, user);
  const served = await serveBuild(plan, opts, publicDir, token, user.basePath ?? '', files, fingerprinted);
  if (served) {
    const where = `${served.serving} for ${plan.exported ? 'a static export' : `${plan.platform}, ${plan.reason}`}`;
    const count = `${files.length} file${files.length === 1 ? '' : 's'}`;
    sayOnce(
      'build',
      fingerprinted
        ? `busting ${count} of public/ under ${user.basePath ?? ''}/${opts.namespace}/<fingerprint>/ ` +
            `(${fingerprinted.fingerprints.size} fingerprints, one per ${fingerprinted.granularity}; ` +
            `${fingerprinted.gzipBytes} bytes gzip of them in the client JavaScript; ${where})`
        : `busting ${count} of public/ under ${user.basePath ?? ''}/${opts.namespace}/${token}/ ` +
            `(token from ${tokenSource(opts)}; ${where})`,
    );
    if (fingerprinted && !plan.exported && !redirectsUnknown(served.served)) {
      warnOnce(
        'unknown-fingerprints',
        `${served.served.length} fingerprints are served (this build's and the kept builds'), too many to list in ` +
          'one redirect rule (Next.js takes 4096 characters), so a busted URL with a fingerprint that is no longer ' +
          'served (a page older than `keep` builds) answers 404 instead of redirecting to the plain file. To have ' +
          'them redirected, keep public/ under about 400 files (move files that pages do not use out of it).',
      );
    }
  }
  return remember(opts, served);
}

/**
 * `granularity: 'file'`: the fingerprints, with what their map weighs gzipped, or undefined (one
 * token) when public/ is too large for their map in the browser, or empty. Loaded by the build only:
 * `next start` should not pay for the module or zlib.
 */
async function fingerprintFiles(
  publicDir: string,
  files: string[],
): Promise<(Fingerprinted & { gzipBytes: number }) | undefined> {
  if (files.length === 0) return undefined;
  const { fingerprint, MAX_ENTRIES } = await import('./fingerprints.js');
  const { gzipSync } = await import('node:zlib');
  const fingerprinted = fingerprint(publicDir, files);
  if (!fingerprinted) {
    warnOnce(
      'granularity',
      `granularity "file": public/ has ${files.length} files in more than ${MAX_ENTRIES} folders, too many ` +
        'fingerprints to send to the browser, so one token covers them all (any change gives every ' +
        'file a new URL). Move files that pages do not use (downloads, archives) out of public/.',
    );
    return undefined;
  }
  const gzipBytes = gzipSync(fingerprinted.encoded).length;
  if (fingerprinted.granularity === 'folder') {
    warnOnce(
      'granularity',
      `granularity "file": public/ has ${files.length} files, more than ${MAX_ENTRIES}, so fingerprints ` +
        `are per folder (${fingerprinted.fingerprints.size} of them, ${gzipBytes} bytes ` +
        'gzip in the client JavaScript): a change gives the files of its folder new URLs. Move files ' +
        'that pages do not use out of public/ to get one per file.',
    );
  }
  return { ...fingerprinted, gzipBytes };
}

/** Where the token came from, for the build line. */
function tokenSource(opts: ResolvedOptions): string {
  if (process.env[TOKEN_ENV]) return TOKEN_ENV;
  if (opts.token !== undefined) return 'the token option';
  return `the "${opts.strategy}" strategy`;
}

/**
 * What a build can tell before it writes anything: references to files that do not exist, a root
 * catch-all route, stylesheets whose root-absolute url() escapes busting, and a token that changes
 * at every fresh clone in CI.
 */
async function checkBeforeBuild(
  opts: ResolvedOptions,
  publicDir: string,
  files: string[],
  distDir: string | undefined,
  perFile: boolean,
): Promise<void> {
  // The checks' modules are loaded by the build only: `next start` should not parse them.
  const [{ findMissingReferences }, { rootCatchAll }, { findRootAbsoluteUrls }] = await Promise.all([
    import('./missing-files.js'),
    import('./routes.js'),
    import('./css-urls.js'),
  ]);
  const missing = await findMissingReferences(opts.dir, files, opts.namespace, distDir);
  if (missing.length > 0) {
    const list = missing
      .map((m) => `  ${m.where}: ${m.path}${m.suggestion ? ` (did you mean ${m.suggestion}?)` : ''}`)
      .join('\n');
    const message =
      `${missing.length === 1 ? 'a path' : `${missing.length} paths`} given to bust() or <BustedAsset> ` +
      `name${missing.length === 1 ? 's' : ''} no file in public/:\n${list}\n` +
      'Their busted URLs answer 404. Fix the path, or add the file to public/.';
    if (opts.missing === 'error') {
      throw new StaticBustError(`${message} (The build stops because of \`missing: 'error'\`.)`);
    }
    warnOnce('missing', `${message} Set \`missing: 'error'\` to stop the build instead.`);
  }
  const catchAll = rootCatchAll(opts.dir);
  if (catchAll) {
    warnOnce(
      'catch-all',
      `${catchAll} also answers requests for files that do not exist under /${opts.namespace}/<token>/, ` +
        'and Next.js sends its answer (even a notFound() 404) with the immutable Cache-Control of ' +
        'that prefix. Only a URL of a file that does not exist gets there (a typo; the build reports ' +
        'the ones it can see); to rule it out, move the catch-all one level down (app/docs/[...slug]).',
    );
  }
  const urls = findRootAbsoluteUrls(publicDir, files);
  if (urls.length > 0) {
    warnOnce(
      'css-urls',
      `${urls.length === 1 ? 'a stylesheet refers' : 'stylesheets refer'} to files of public/ by a ` +
        'root-absolute url(), which escapes busting (the file is asked for again on every visit, and a ' +
        `change to it does not reach browsers that keep the stylesheet):\n` +
        urls.map((u) => `  public/${u.stylesheet}: ${u.url} → make it ${u.relative}`).join('\n') +
        '\nA relative url() resolves under the same token, so it is busted with the stylesheet.',
    );
  }
  if (!perFile && process.env.CI && opts.strategy === 'mtime' && opts.token === undefined && !process.env[TOKEN_ENV]) {
    warnOnce(
      'ci-mtime',
      'CI is set and the token comes from modification times ("mtime", the default): a fresh clone ' +
        'gives every file the time of the clone, so every deploy changes every URL and returning ' +
        'visitors download every file again. Pin it with `strategy: "hash"` (or "git"), or set ' +
        `${TOKEN_ENV} to a commit or release id; or fingerprint each file with \`granularity: "file"\`.`,
    );
  }
}

async function start(opts: ResolvedOptions, distDir: string | undefined): Promise<Served | undefined> {
  const publicDir = findPublicDir(opts);
  if (!publicDir) return undefined;
  const build = readBuildInfo(opts.dir, distDir);
  if (!build) return undefined; // built without busting: the HTML has plain URLs
  if (build.namespace !== opts.namespace) {
    warnOnce(
      'namespace-changed',
      `this build was made with namespace "${build.namespace}" but the config now says ` +
        `"${opts.namespace}"; serving the build's. Run \`next build\` again to use the new one.`,
    );
  }
  const served = await serveStart(
    { ...opts, namespace: build.namespace },
    publicDir,
    build.token,
    build.serving,
    build.fingerprints,
  );
  sayOnce(
    'start',
    build.fingerprints
      ? `serving the build's fingerprints under /${build.namespace}/<fingerprint>/ (${build.serving})`
      : `serving the build's token under /${build.namespace}/${build.token}/ (${build.serving})`,
  );
  return served;
}

function findPublicDir(opts: ResolvedOptions): string | undefined {
  const publicDir = path.join(opts.dir, 'public');
  if (existsSync(publicDir)) return publicDir;
  if (!hasNextConfig(opts.dir)) {
    throw new StaticBustError(
      `${opts.dir} has neither public/ nor a next.config file, so it is not the app's folder ` +
        '(Next.js was probably given a directory argument). Pass the app folder: ' +
        'withStaticBust(config, { dir: __dirname }), or `dir: import.meta.dirname` in an ES module.',
    );
  }
  warnOnce('no-public', `${publicDir} does not exist, so there is nothing to bust; URLs stay plain.`);
  return undefined;
}

function hasNextConfig(dir: string): boolean {
  return NEXT_CONFIG_FILES.some((name) => existsSync(path.join(dir, name)));
}

function readMemo(opts: ResolvedOptions): { served: Served | undefined } | undefined {
  const raw = process.env[MEMO];
  if (!raw) return undefined;
  try {
    const memo = JSON.parse(raw) as { dir: string; namespace: string; served: Served | null };
    if (memo.dir === opts.dir && memo.namespace === opts.namespace) return { served: memo.served ?? undefined };
  } catch {
    // Not ours, or damaged: compute again.
  }
  return undefined;
}

function remember(opts: ResolvedOptions, served: Served | undefined): Served | undefined {
  process.env[MEMO] = JSON.stringify({ dir: opts.dir, namespace: opts.namespace, served: served ?? null });
  return served;
}

// Busted paths of the kinds of files public/ holds, asked of the proxy's matchers (some skip
// files by extension, and not all).
const PROBES = ['css/a.css', 'js/a.js', 'img/a.png', 'img/a.svg', 'fonts/a.woff2', 'docs/a.pdf', 'media/a.mp4', 'a.txt', 'a.json'];

async function warnIfProxyCovers(projectDir: string, served: Served, namespace: string): Promise<void> {
  const { coveringMatchers } = await import('./proxy-check.js');
  const token = served.current || served.served[0] || 'x';
  const probes = PROBES.map((file) => `/${namespace}/${token}/${file}`);
  const covering = coveringMatchers(projectDir, probes, namespace);
  if (covering.length === 0) return;
  warnOnce(
    'proxy',
    `the proxy (middleware) also runs for busted URLs: its matcher ${covering.map((m) => JSON.stringify(m.source)).join(', ')} ` +
      `covers ${[...new Set(covering.flatMap((m) => m.covers))].map((p) => p.replace(`/${token}/`, '/<token>/')).join(', ')}. Whatever it answers there, such as a redirect to a login page, gets the ` +
      'immutable Cache-Control of busted files, and a browser or CDN may keep it for a year. Leave the prefix out ' +
      'of its matcher' +
      (covering.every((m) => m.fix)
        ? `: ${covering.map((m) => JSON.stringify(m.fix)).join(', ')}.`
        : ` (see "Proxies" in the README of next-static-bust).`),
  );
}

/** Returns a new config with the env, headers, redirects, rewrites and image patterns for `served`. */
function materialize(user: NextConfig, opts: ResolvedOptions, served: Served | undefined): NextConfig {
  const { namespace } = opts;
  const basePath = user.basePath ?? '';
  const config: NextConfig = {
    ...user,
    env: {
      ...user.env,
      [ENV_TOKEN]: served?.current ?? '',
      [ENV_NAMESPACE]: namespace,
      [ENV_BASE_PATH]: basePath,
      [ENV_ASSET_HOST]: served ? opts.assetHost : '',
      [ENV_SERVING]: served?.serving ?? '',
      [ENV_FILES]: served?.fingerprints ?? '',
    },
  };
  if (!served) return config;

  const localPatterns = user.images?.localPatterns;
  if (localPatterns) {
    config.images = {
      ...user.images,
      localPatterns: [...localPatterns, { pathname: `${basePath}/${namespace}/**` }],
    };
  }

  // A static export has no server to send headers or redirects (Next.js warns about them).
  if (user.output === 'export') return config;

  const routes = bustRoutes({ ...served, namespace, rewrite: served.serving === 'rewrite' });
  config.compiler = {
    ...user.compiler,
    // After compiling, before pages are generated: the compiled proxy's matchers are there to read.
    runAfterProductionCompile: async (metadata) => {
      await user.compiler?.runAfterProductionCompile?.(metadata);
      await warnIfProxyCovers(metadata.projectDir, served, namespace);
    },
  };
  config.headers = async () => [...((await user.headers?.()) ?? []), ...routes.headers];
  config.redirects = async () => [...routes.redirects, ...((await user.redirects?.()) ?? [])];
  config.rewrites = withBeforeFiles(user.rewrites, routes.rewrites);
  return config;
}
