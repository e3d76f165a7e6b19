import type { NextConfig } from 'next';
import { MANIFEST } from './rotate.js';

/** The header on busted URLs: the path changes whenever a file does, so it may be kept forever. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

type Headers = Awaited<ReturnType<NonNullable<NextConfig['headers']>>>;
type Redirects = Awaited<ReturnType<NonNullable<NextConfig['redirects']>>>;
type Rewrite = { source: string; destination: string };

export interface BustRoutes {
  headers: Headers;
  redirects: Redirects;
  /** `beforeFiles` rewrites. */
  rewrites: Rewrite[];
}

/**
 * The next.config routes for busted URLs: immutable caching on the served tokens' paths, a `307`
 * from any other well-formed token to the current file, and, where no token folder exists in
 * `public/` (`rewrite`), a rewrite of the served tokens' paths to the plain file.
 */
export function bustRoutes(
  namespace: string,
  current: string,
  served: string[],
  rewrite: { files: string[]; folders: string[] } | undefined,
): BustRoutes {
  const tokens = served.join('|');
  const alternatives = (names: string[]) => names.map(escapeRegex).join('|');
  return {
    headers: [
      { source: `/${namespace}/:token(${tokens})/:path+`, headers: [{ key: 'Cache-Control', value: IMMUTABLE }] },
    ],
    redirects: [
      // A token that is no longer served (an old page in a cache, a rolling deploy): send the
      // browser to the current file instead of a 404. Temporary, so nothing caches the redirect.
      {
        // "Any token but the served ones": the lookahead fails only where a served token fills the
        // whole segment (it is not followed by another token character).
        source: `/${namespace}/:token((?!(?:${tokens})(?![A-Za-z0-9_-]))[A-Za-z0-9_-]{1,64})/:path+`,
        destination: `/${namespace}/${current}/:path+`,
        permanent: false,
      },
    ],
    // Before the file system, so that the plain file answers; Next.js applies the headers of the
    // path that was asked for, and a missing file is its usual uncached 404. Only the top-level
    // entries of public/ are rewritten (`/_bust/<token>/about` must not become the page /about with
    // a year of caching), folders and files each by a rule of their own, so that no destination
    // ends in a slash (Vercel would look for `/robots.txt/`).
    rewrites: [
      // The package's bookkeeping in public/<namespace>/ is no business of the site's. Next.js would
      // answer it with a 500 (its file server refuses dot files): this sends it to a path that
      // cannot exist, a plain 404.
      { source: `/${namespace}/${MANIFEST}`, destination: `/${namespace}/${current}/${MANIFEST}` },
      ...(rewrite?.folders.length
        ? [{ source: `/${namespace}/:token(${tokens})/:entry(${alternatives(rewrite.folders)})/:path+`, destination: '/:entry/:path+' }]
        : []),
      ...(rewrite?.files.length
        ? [{ source: `/${namespace}/:token(${tokens})/:entry(${alternatives(rewrite.files)})`, destination: '/:entry' }]
        : []),
    ],
  };
}

/** Chains the user's `rewrites()` (any of its three shapes) after `beforeFiles` rules of ours. */
export function withBeforeFiles(
  user: NextConfig['rewrites'],
  ours: Rewrite[],
): NonNullable<NextConfig['rewrites']> {
  return async () => {
    const theirs = (await user?.()) ?? [];
    if (Array.isArray(theirs)) return { beforeFiles: ours, afterFiles: theirs, fallback: [] };
    return { ...theirs, beforeFiles: [...ours, ...(theirs.beforeFiles ?? [])] };
  };
}

/** `name` as a literal inside a path-to-regexp custom pattern. */
function escapeRegex(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
