import type { NextConfig } from 'next';
import { ENV_ASSET_HOST, ENV_BASE_PATH, ENV_FILES, ENV_INTEGRITY, ENV_NAMESPACE, ENV_SERVING, ENV_TOKEN } from '../start/build-info.js';
import { describe, StaticBustError } from '../shared/errors.js';
import type { Served } from '../serving/served.js';
import { bustRoutes, withBeforeFiles } from './bust-routes.js';
import { PHASE_INFO, recordBasePath, recordOptions } from './app-record.js';
import { resolveOptions, type ResolvedOptions, type StaticBustOptions } from './options.js';

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
 * to the files of `public/` with relative links (on Vercel, Netlify and Cloudflare, with
 * `granularity: 'file'`, or where links are refused: copies in the build's static folder, served at
 * `/_next/static/media/<namespace>/<token>/`), inlines the token for `bust()` and `<BustedAsset>`,
 * and serves busted URLs with `Cache-Control: public, max-age=31536000, immutable`. At `next start`
 * it re-creates the links of the build's token. In `next dev` it changes nothing and `bust()`
 * returns plain paths.
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
        `[next-static-bust] Expected the Next.js config to be an object, got \`${describe(user)}\`. ` +
          'Pass withStaticBust() your config object, or a function that returns one.',
      );
    }
    if (phase === PHASE_INFO) recordBasePath(user.basePath ?? '');
    const served =
      phase === PHASE_BUILD
        ? await (await import('../build/build.js')).build(opts, user) // loaded by builds only
        : phase === PHASE_START
          ? await (await import('../start/restore.js')).serveAtStart(opts, user.distDir) // loaded by starts only
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
  // Not enumerable: a plugin's `{ ...config }` does not copy it.
  Object.defineProperty(config, 'then', { get: awaitedAsConfig, enumerable: false });
  return Object.assign(config, own, { headers: lost, redirects: lost, rewrites: lost });
}

/**
 * Next.js calls the function that next.config exports, then awaits what it returns. A function config
 * that returns withStaticBust()'s function (`module.exports = () => plugins.reduce((c, p) => p(c),
 * config)` with withStaticBust in the list) is awaited there, never called: Next.js would go on with
 * a function for a config and fail with "Expected object, received function" and "object is not
 * extensible". That await looks up `then` here, from Next.js's normalizeConfig(), and gets the fix.
 * Any other lookup (a module's export returned from an async function) finds no `then`, as before.
 */
function awaitedAsConfig(): undefined {
  if (!/\bnormalizeConfig\b/.test(new Error().stack ?? '')) return undefined;
  throw new StaticBustError(
    'next.config exports a function that returns the function withStaticBust() made, which Next.js ' +
      'does not call there, so the config would be lost. Wrap the whole function with withStaticBust() ' +
      'instead, and take it out of the list: ' +
      '`module.exports = withStaticBust((phase) => plugins.reduce((config, plugin) => plugin(config), nextConfig))`.',
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
      [ENV_INTEGRITY]: served?.integrity ?? '',
    },
  };
  if (!served) return config;

  const localPatterns = user.images?.localPatterns;
  if (localPatterns) {
    config.images = {
      ...user.images,
      localPatterns: [
        ...localPatterns,
        { pathname: `${basePath}${served.serving === 'static' ? '/_next/static/media' : ''}/${namespace}/**` },
      ],
    };
  }

  const exported = user.output === 'export';
  config.compiler = {
    ...user.compiler,
    // After compiling, before pages are generated: Next.js has emptied the build folder by now (so
    // copies made earlier would be lost), and the compiled proxy's matchers are there to read.
    runAfterProductionCompile: async (metadata) => {
      await user.compiler?.runAfterProductionCompile?.(metadata);
      await (await import('../build/after-compile.js')).afterCompile({ metadata, opts, served, exported, basePath });
    },
  };
  // A static export has no server to send headers or redirects (Next.js warns about them).
  if (exported) return config;

  const routes = bustRoutes({ ...served, namespace });
  config.headers = async () => [...((await user.headers?.()) ?? []), ...routes.headers];
  config.redirects = async () => [...routes.redirects, ...((await user.redirects?.()) ?? [])];
  config.rewrites = withBeforeFiles(user.rewrites, routes.rewrites);
  return config;
}
