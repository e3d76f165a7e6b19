import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NextConfig } from 'next';
import { ENV_BASE_PATH, ENV_NAMESPACE, ENV_TOKEN, readBuildInfo } from './build-info.js';
import { StaticBustError, warnOnce } from './errors.js';
import { kind, resolveOptions, type ResolvedOptions, type StaticBustOptions } from './options.js';
import { LinkError, rotate } from './rotate.js';
import { rootCatchAll } from './routes.js';
import { resolveToken } from './token.js';

export type { StaticBustOptions } from './options.js';
export type { Strategy, TokenSource } from './token.js';

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

/** The function config that `withStaticBust()` returns, for Next.js to call. */
export type StaticBustConfig = (phase: string, context: ConfigContext) => Promise<NextConfig>;

// The values of next/constants' PHASE_* (not imported: this file must load before Next.js does).
const PHASE_BUILD = 'phase-production-build';
const PHASE_START = 'phase-production-server';

/** The header on busted URLs: the path changes whenever a file does, so it may be kept forever. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

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
  return async function staticBustConfig(phase, context) {
    const user =
      typeof nextConfig === 'function' ? await nextConfig(phase, context) : await nextConfig;
    if (typeof user !== 'object' || user === null || Array.isArray(user)) {
      throw new TypeError(
        `[next-static-bust] Expected the Next.js config to be an object, got \`${kind(user)}\`. ` +
          'Pass withStaticBust() your config object, or a function that returns one.',
      );
    }
    const tokens =
      phase === PHASE_BUILD
        ? await buildTokens(opts)
        : phase === PHASE_START
          ? await startTokens(opts, user.distDir)
          : NO_TOKENS;
    return materialize(user, opts.namespace, tokens);
  };
}

/** The current token (empty for plain URLs) and every token whose folder is served. */
interface Tokens {
  current: string;
  served: string[];
}

const NO_TOKENS: Tokens = { current: '', served: [] };

// Several evaluations of next.config within one command (and its worker processes, which inherit
// the environment) must agree on the token, even when it comes from a function that returns
// something new on every call. The first one computes it and leaves it here for the others.
const MEMO = '__NEXT_STATIC_BUST_BUILD';

async function buildTokens(opts: ResolvedOptions): Promise<Tokens> {
  const memo = readMemo(opts);
  if (memo) return memo;
  const publicDir = findPublicDir(opts);
  if (!publicDir) return remember(opts, NO_TOKENS);
  // Resolved (and validated) before anything is written.
  const token = await resolveToken({ ...opts, publicDir });
  const catchAll = rootCatchAll(opts.dir);
  if (catchAll) {
    warnOnce(
      'catch-all',
      `${catchAll} also answers requests for files that do not exist under /${opts.namespace}/<token>/, ` +
        'and Next.js sends its answer (even a notFound() 404) with the immutable Cache-Control of ' +
        'that prefix. URLs from bust() always name files that exist, so only a wrong URL gets there; ' +
        'to rule it out, move the catch-all one level down (app/docs/[...slug]).',
    );
  }
  return remember(opts, await link(opts, publicDir, token, 'build'));
}

async function startTokens(opts: ResolvedOptions, distDir: string | undefined): Promise<Tokens> {
  const publicDir = findPublicDir(opts);
  if (!publicDir) return NO_TOKENS;
  const build = readBuildInfo(opts.dir, distDir);
  if (!build) return NO_TOKENS; // built without links: the HTML has plain URLs
  if (build.namespace !== opts.namespace) {
    warnOnce(
      'namespace-changed',
      `this build was made with namespace "${build.namespace}" but the config now says ` +
        `"${opts.namespace}"; serving the build's. Run \`next build\` again to use the new one.`,
    );
  }
  return link({ ...opts, namespace: build.namespace }, publicDir, build.token, 'start');
}

async function link(
  opts: ResolvedOptions,
  publicDir: string,
  token: string,
  mode: 'build' | 'start',
): Promise<Tokens> {
  try {
    const { tokens } = await rotate({ publicDir, namespace: opts.namespace, token, keep: opts.keep, mode });
    return { current: token, served: tokens };
  } catch (error) {
    if (!(error instanceof LinkError)) throw error;
    if (mode === 'build') {
      warnOnce('links-build', `${error.detail} Until then, URLs are not busted.`);
      return NO_TOKENS;
    }
    // The build's links may well be there already (a read-only image built with them). The headers
    // of `next start` come from the build, so the list of served tokens does not matter here.
    warnOnce('links-start', error.detail);
    return { current: token, served: [token] };
  }
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
  return ['next.config.js', 'next.config.mjs', 'next.config.cjs', 'next.config.ts', 'next.config.mts'].some(
    (name) => existsSync(path.join(dir, name)),
  );
}

function readMemo(opts: ResolvedOptions): Tokens | undefined {
  const raw = process.env[MEMO];
  if (!raw) return undefined;
  try {
    const memo = JSON.parse(raw) as { dir: string; namespace: string; tokens: Tokens };
    if (memo.dir === opts.dir && memo.namespace === opts.namespace) return memo.tokens;
  } catch {
    // Not ours, or damaged: compute again.
  }
  return undefined;
}

function remember(opts: ResolvedOptions, tokens: Tokens): Tokens {
  process.env[MEMO] = JSON.stringify({ dir: opts.dir, namespace: opts.namespace, tokens });
  return tokens;
}

/** Returns a new config with the env, headers, redirects and image patterns for `tokens`. */
function materialize(user: NextConfig, namespace: string, tokens: Tokens): NextConfig {
  const basePath = user.basePath ?? '';
  const config: NextConfig = {
    ...user,
    env: {
      ...user.env,
      [ENV_TOKEN]: tokens.current,
      [ENV_NAMESPACE]: namespace,
      [ENV_BASE_PATH]: basePath,
    },
  };
  if (!tokens.current) return config;

  const localPatterns = user.images?.localPatterns;
  if (localPatterns) {
    config.images = {
      ...user.images,
      localPatterns: [...localPatterns, { pathname: `${basePath}/${namespace}/**` }],
    };
  }

  // A static export has no server to send headers or redirects (Next.js warns about them).
  if (user.output === 'export') return config;

  const served = tokens.served.join('|');
  config.headers = async () => [
    ...((await user.headers?.()) ?? []),
    {
      source: `/${namespace}/:token(${served})/:path+`,
      headers: [{ key: 'Cache-Control', value: IMMUTABLE }],
    },
  ];
  config.redirects = async () => [
    // A token that is no longer served (an old page in a cache, a rolling deploy): send the
    // browser to the current file instead of a 404. Temporary, so nothing caches the redirect.
    {
      // "Any token but the served ones": the lookahead fails only where a served token fills the
      // whole segment (it is not followed by another token character).
      source: `/${namespace}/:token((?!(?:${served})(?![A-Za-z0-9_-]))[A-Za-z0-9_-]{1,64})/:path+`,
      destination: `/${namespace}/${tokens.current}/:path+`,
      permanent: false,
    },
    ...((await user.redirects?.()) ?? []),
  ];
  return config;
}
