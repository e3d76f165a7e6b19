import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, StaticBustError, warnOnce } from '../shared/errors.js';

// The token's types and names live here, not in token.ts: next.config loads this module at
// every start, and token.ts (the scan, node:crypto) only at a build.
/**
 * Where the app is deployed, which decides how busted URLs are served:
 *
 * | platform     | serving | why                                                                        |
 * | ------------ | ------- | -------------------------------------------------------------------------- |
 * | `node`       | links   | `next start`, standalone `server.js`, nginx: a server reads `public/` from disk and follows relative links |
 * | `vercel`     | static  | its builder recreates directory links where they dangle (the build fails); it uploads the build's static folder and marks `/_next/static/media/` immutable |
 * | `netlify`    | static  | links would be copied as absolute links to the build machine; its plugin copies the static folder to the CDN and marks `/_next/static/*` immutable |
 * | `cloudflare` | static  | OpenNext copies links as absolute links too; the static folder becomes assets, immutable by a `_headers` rule |
 *
 * A static export gets links (Next.js copies what they point at into `out/` as real files) plus
 * the header file that Netlify and Cloudflare Pages read.
 */
export type Platform = 'node' | 'vercel' | 'netlify' | 'cloudflare';

export const PLATFORMS: readonly Platform[] = ['node', 'vercel', 'netlify', 'cloudflare'];

export type Strategy = 'mtime' | 'hash' | 'git';

export const STRATEGIES: readonly Strategy[] = ['mtime', 'hash', 'git'];

/** A token explicitly given: a string, or a function returning one (sync or async). */
export type TokenSource = string | (() => string | Promise<string>);

/** The variable that, set at build time, overrides every other way of choosing the token. */
export const TOKEN_ENV = 'STATIC_BUST_TOKEN';

/** Options of `withStaticBust()`. Every one is optional. */
export interface StaticBustOptions {
  /**
   * How the token is derived from the files in `public/`:
   * - `'mtime'` (default on your machine): the newest modification time of a file, in whole seconds.
   * - `'hash'` (default in CI and on Vercel, Netlify and Cloudflare Pages, where a fresh clone gives
   *   every file the time of the clone): a digest of the files' paths and contents, the same on
   *   every machine.
   * - `'git'`: the last commit that touched `public/` (falls back to `'mtime'` with a warning when
   *   `public/` has uncommitted changes or there is no git).
   */
  strategy?: Strategy;
  /**
   * Sets the token yourself: a string, or a function that returns one (it may be async). The
   * environment variable `STATIC_BUST_TOKEN`, set at build time, wins over this.
   * A token is 1 to 64 characters of `A-Z a-z 0-9 _ -`.
   */
  token?: TokenSource;
  /**
   * The folder inside `public/` that holds the token folders, and the first segment of every busted
   * URL. Reserved for this package: git-ignore it. Default `'_bust'`.
   */
  namespace?: string;
  /**
   * How many previous tokens' folders of links stay in `public/` after a new build, for pages cached
   * before it. Builds served from the static folder (the hosts, `granularity: 'file'`) have only
   * their own, as Next.js's chunks. Default 1.
   */
  keep?: number;
  /**
   * The app's root folder (the one with `public/`). Default: the folder given to `next build <dir>`
   * (as in a monorepo built from its root), else the current folder.
   */
  dir?: string;
  /**
   * Where the app is deployed, which decides how busted URLs are served (see the README's
   * "Deploying"): `'node'` (`next start`, standalone, Docker, nginx), `'vercel'`, `'netlify'` or
   * `'cloudflare'` (OpenNext). Default: detected at build from the host's environment variables
   * (`VERCEL`, `NETLIFY`, `CF_PAGES`) and files (`open-next.config.ts` with a wrangler config),
   * else `'node'`.
   */
  platform?: Platform | 'auto';
  /**
   * An origin (`https://cdn.example.com`) that busted URLs point at, for a CDN or asset host in
   * front of the app. It must serve the app's busted paths (a pull CDN whose origin is the app
   * does). Next.js's own `assetPrefix` is not applied to `public/` files; pass the same value here
   * to put them on it too. Default: none (URLs are root-relative).
   */
  assetHost?: string;
  /**
   * What the build does with a path written out in `bust('/…')` or `<BustedAsset src="/…">` that
   * names no file in `public/`: `'warn'` (default) prints each with where it was used; `'error'`
   * stops the build. Paths made at run time are not checked.
   */
  missing?: 'warn' | 'error';
  /**
   * What one fingerprint covers:
   * - `'global'` (default): one token for all of `public/`; any change gives every file a new URL.
   * - `'file'`: each file gets a URL of its own, `/<namespace>/<fingerprint>/<path>`, that changes
   *   only when its content (or a file it refers to by a relative URL) does, so that after a
   *   deploy returning visitors download only what changed. `bust()` then needs a map of the
   *   fingerprints in the browser (about 9 to 10 bytes gzip per file). Past 1,000 files the
   *   fingerprints are per folder, past 1,000 folders one token, with a message at build.
   */
  granularity?: 'global' | 'file';
  /**
   * What the build does when the app's proxy (middleware) runs for busted URLs, so that its answer
   * there (a redirect to a login page) would go out with the immutable header of busted files:
   * `'error'` (default) stops the build with the matcher that leaves them out; `'warn'` builds
   * anyway and prints the same, for a proxy that you know answers busted URLs with the file.
   */
  proxy?: 'warn' | 'error';
}

export interface ResolvedOptions {
  strategy: Strategy;
  /** `CI=true` (cloneBuild()) when that made "hash" the default strategy. */
  ci?: string;
  token: TokenSource | undefined;
  namespace: string;
  keep: number;
  dir: string;
  platform: Platform | 'auto';
  assetHost: string;
  missing: 'warn' | 'error';
  granularity: 'global' | 'file';
  proxy: 'warn' | 'error';
}

const KNOWN = ['strategy', 'token', 'namespace', 'keep', 'dir', 'platform', 'assetHost', 'missing', 'granularity', 'proxy'];
const NAMESPACE = /^[A-Za-z0-9_-]{1,64}$/;
// An origin: http(s)://host[:port], or protocol-relative //host.
const ORIGIN = /^(?:https?:)?\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$/;

/** Checks the options and fills in the defaults; throws a `StaticBustError` that names the fix. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `[next-static-bust] Expected \`options\` to be an object, got \`${describe(options)}\`. ` +
        'Call withStaticBust(nextConfig, { strategy: "hash" }) or leave the options out.',
    );
  }
  const o = options as Record<string, unknown>;
  const unknown = Object.keys(o).filter((key) => !KNOWN.includes(key));
  if (unknown.length > 0) {
    throw new StaticBustError(
      `withStaticBust() got the unknown option${unknown.length > 1 ? 's' : ''} ` +
        `${unknown.map((k) => `\`${k}\``).join(', ')}. The options are ${KNOWN.map((k) => `\`${k}\``).join(', ')}.`,
    );
  }

  const ci = o.strategy === undefined ? cloneBuild() : undefined;
  const strategy = o.strategy ?? (ci ? 'hash' : 'mtime');
  if (!STRATEGIES.includes(strategy as Strategy)) {
    throw new StaticBustError(
      `The \`strategy\` option is ${JSON.stringify(strategy)}, which is not a strategy. ` +
        `Use one of ${STRATEGIES.map((s) => `"${s}"`).join(', ')}, or set \`token\` yourself.`,
    );
  }

  const token = o.token;
  if (token !== undefined && typeof token !== 'string' && typeof token !== 'function') {
    throw new TypeError(
      `[next-static-bust] Expected \`token\` to be a string or a function, got \`${describe(token)}\`. ` +
        'Pass the token, or a function that returns it.',
    );
  }

  const namespace = o.namespace ?? '_bust';
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace) || namespace === '_next') {
    throw new StaticBustError(
      `The \`namespace\` option is ${JSON.stringify(namespace)}, which cannot be a folder of public/. ` +
        'Use one URL segment of A-Z, a-z, 0-9, "_" and "-" that no page or file of yours uses ' +
        '(not "_next"), such as "_bust".',
    );
  }

  const keep = o.keep ?? 1;
  if (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 0 || keep > 100) {
    throw new StaticBustError(
      `The \`keep\` option is ${JSON.stringify(keep)}; it must be a whole number from 0 to 100 ` +
        '(how many previous tokens stay served after a build). The default is 1.',
    );
  }

  const dir = o.dir ?? appDirFromArgv() ?? process.cwd();
  if (typeof dir !== 'string' || dir === '') {
    throw new TypeError(
      `[next-static-bust] Expected \`dir\` to be a string, got \`${describe(dir)}\`. ` +
        'Pass the folder of your app, such as `dir: __dirname`.',
    );
  }

  const platform = o.platform ?? 'auto';
  if (platform !== 'auto' && !PLATFORMS.includes(platform as Platform)) {
    throw new StaticBustError(
      `The \`platform\` option is ${JSON.stringify(platform)}, which is not a platform. ` +
        `Use one of ${PLATFORMS.map((p) => `"${p}"`).join(', ')}, or leave it out to detect it at build.`,
    );
  }

  const assetHost = o.assetHost ?? '';
  if (typeof assetHost !== 'string' || (assetHost !== '' && !ORIGIN.test(assetHost))) {
    throw new StaticBustError(
      `The \`assetHost\` option is ${JSON.stringify(assetHost)}, which is not an origin. ` +
        'Give the scheme and host only, such as "https://cdn.example.com" (no path, no trailing slash).',
    );
  }

  const missing = o.missing ?? 'warn';
  if (missing !== 'warn' && missing !== 'error') {
    throw new StaticBustError(
      `The \`missing\` option is ${JSON.stringify(missing)}; use "warn" (the default) to print paths of ` +
        'bust() and <BustedAsset> that name no file in public/, or "error" to stop the build.',
    );
  }

  const granularity = o.granularity ?? 'global';
  if (granularity !== 'global' && granularity !== 'file') {
    throw new StaticBustError(
      `The \`granularity\` option is ${JSON.stringify(granularity)}; use "global" (the default: one token ` +
        'for all of public/) or "file" (a fingerprint per file, so that a deploy changes only the URLs of ' +
        'the files that changed).',
    );
  }

  const proxy = o.proxy ?? 'error';
  if (proxy !== 'warn' && proxy !== 'error') {
    throw new StaticBustError(
      `The \`proxy\` option is ${JSON.stringify(proxy)}; use "error" (the default: a proxy that runs for busted ` +
        'URLs stops the build) or "warn" (build anyway, with the same message).',
    );
  }

  return {
    proxy,
    granularity,
    strategy: strategy as Strategy,
    ...(ci && { ci }),
    token: token as TokenSource | undefined,
    namespace,
    keep,
    dir: path.resolve(dir),
    platform: platform as Platform | 'auto',
    assetHost,
    missing,
  };
}

/**
 * `CI=true`, `VERCEL=1`, …: the variable that says the build runs in a fresh clone, whose files all
 * have the time of the clone. Undefined on a developer's machine; `CI=false` and `CI=0` do not count.
 */
export function cloneBuild(env: Record<string, string | undefined> = process.env): string | undefined {
  const set = (value = '') => value !== '' && value !== '0' && value.toLowerCase() !== 'false';
  const name = ['CI', 'VERCEL', 'NETLIFY', 'CF_PAGES'].find((n) => set(env[n]));
  return name && `${name}=${env[name]}`;
}

/** The names a Next.js config file may have. */
export const NEXT_CONFIG_FILES = ['next.config.js', 'next.config.mjs', 'next.config.cjs', 'next.config.ts', 'next.config.mts'];

/**
 * The folder given to `next build <dir>` (`next start <dir>`, `next dev <dir>`), as in a monorepo
 * built from its root: the argument that is a folder with a next.config. Undefined when Next.js
 * was not given one (the app is the current folder).
 */
function appDirFromArgv(argv = process.argv): string | undefined {
  if (!/[\\/]next(?:\.js)?$/.test(argv[1] ?? '')) return undefined;
  for (const arg of argv.slice(3)) {
    if (arg.startsWith('-')) continue;
    const dir = path.resolve(arg);
    if (NEXT_CONFIG_FILES.some((name) => existsSync(path.join(dir, name)))) return dir;
  }
  return undefined;
}

/** The app's public/ folder; undefined (with a warning) when the app has none. */
export function findPublicDir(opts: ResolvedOptions): string | undefined {
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
