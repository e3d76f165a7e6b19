// What a build chose, read back at `next start` and by the CLI from the config that Next.js kept.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { warnOnce } from '../shared/errors.js';
import { isToken } from '../shared/safe-names.js';

// The `env` entries that carry a build's choices from next.config into its bundles (bust() reads them
// as literal `process.env.NEXT_STATIC_BUST_…`, which Next.js inlines) and into `next start`.
/** Names of the `env` entries that carry the settings from next.config into `bust()`. */
export const ENV_TOKEN = 'NEXT_STATIC_BUST_TOKEN';
export const ENV_NAMESPACE = 'NEXT_STATIC_BUST_NAMESPACE';
export const ENV_BASE_PATH = 'NEXT_STATIC_BUST_BASE_PATH';
export const ENV_ASSET_HOST = 'NEXT_STATIC_BUST_ASSET_HOST';
/** Per-file fingerprints (`granularity: 'file'`), encoded by runtime/fingerprint-map.ts; empty for one token. */
export const ENV_FILES = 'NEXT_STATIC_BUST_FILES';
/** How the build serves busted URLs (`links` or `static`), so that `next start` does the same. */
export const ENV_SERVING = 'NEXT_STATIC_BUST_SERVING';
/** The `integrity` of the files the app asks for, encoded by runtime/integrity.ts; empty for none. */
export const ENV_INTEGRITY = 'NEXT_STATIC_BUST_INTEGRITY';

export interface BuildInfo {
  token: string;
  namespace: string;
  /** `links` for builds made before the serving was recorded. */
  serving: 'links' | 'static';
  /** The build's per-file fingerprints, encoded; `token` is empty then. */
  fingerprints?: string;
  /** The build's integrity values, encoded. */
  integrity?: string;
}

/**
 * The token and namespace that the last `next build` in `dir` inlined into its bundles, read from
 * the build output (`<distDir>/required-server-files.json`, which Next.js writes for every build and
 * which holds the resolved config, `env` included). Undefined when there is no build, or the build
 * was made without the wrapper or with links refused.
 *
 * This, and not a token computed again, is what `next start` must serve: files copied to another
 * machine get new modification times, but the HTML and the bundles keep the build's token.
 */
export function readBuildInfo(dir: string, distDir = '.next'): BuildInfo | undefined {
  const file = path.join(path.resolve(dir, distDir), 'required-server-files.json');
  let env: Record<string, unknown> | undefined;
  try {
    env = (JSON.parse(readFileSync(file, 'utf8')) as { config?: { env?: Record<string, unknown> } })
      .config?.env;
  } catch {
    return undefined;
  }
  const token = env?.[ENV_TOKEN];
  const namespace = env?.[ENV_NAMESPACE];
  const fingerprints = env?.[ENV_FILES];
  const perFile = typeof fingerprints === 'string' && fingerprints !== '';
  if (typeof token !== 'string' || (token === '' && !perFile) || typeof namespace !== 'string') return undefined;
  // .next/ may have come from anywhere (a cache, an artifact): a token or namespace that is not one
  // plain folder name is never joined to a path.
  if ((token !== '' && !isToken(token)) || !isToken(namespace)) {
    warnOnce(
      'build-info',
      `the build in ${path.dirname(file)} names the token ${JSON.stringify(token)} and namespace ` +
        `${JSON.stringify(namespace)}, which cannot be folder names, so busted URLs are not served. Run next build again.`,
    );
    return undefined;
  }
  const serving = env?.[ENV_SERVING];
  const integrity = env?.[ENV_INTEGRITY];
  return {
    ...(typeof integrity === 'string' && integrity !== '' && { integrity }),
    token,
    namespace,
    // Per-file fingerprints are always in the static folder.
    serving: serving === 'static' || perFile ? 'static' : 'links',
    ...(perFile && { fingerprints }),
  };
}
