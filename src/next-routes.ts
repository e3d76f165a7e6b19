import type { NextConfig } from 'next';
import { MANIFEST } from './rotate.js';

/** The header on busted URLs: the path changes whenever a file does, so it may be kept forever. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

type Headers = Awaited<ReturnType<NonNullable<NextConfig['headers']>>>;
type Redirects = Awaited<ReturnType<NonNullable<NextConfig['redirects']>>>;
type Rewrite = { source: string; destination: string };

/** The top-level entries of `public/` (without the namespace), folders apart from files. */
export interface TopLevel {
  files: string[];
  folders: string[];
}

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
export function bustRoutes({
  namespace,
  current,
  served,
  entries,
  rewrite,
}: {
  namespace: string;
  current: string;
  served: string[];
  /** The top-level files and folders of `public/`. */
  entries: TopLevel;
  rewrite: boolean;
}): BustRoutes {
  const tokens = served.join('|');
  const alternatives = (names: string[]) => names.map(escapeRegex).join('|');
  // A top-level name of public/ right after the namespace is a busted URL with its token left out
  // (`/_bust/css/site.css`), not a token: it goes to the current file. Served tokens that happen to
  // share a name with an entry stay tokens.
  const folders = entries.folders.filter((name) => !served.includes(name));
  const files = entries.files.filter((name) => !served.includes(name));
  return {
    headers: [
      { source: `/${namespace}/:token(${tokens})/:path+`, headers: [{ key: 'Cache-Control', value: IMMUTABLE }] },
    ],
    redirects: [
      ...(folders.length > 0
        ? [{ source: `/${namespace}/:entry(${alternatives(folders)})/:path+`, destination: `/${namespace}/${current}/:entry/:path+`, permanent: false }]
        : []),
      ...(files.length > 0
        ? [{ source: `/${namespace}/:entry(${alternatives(files)})`, destination: `/${namespace}/${current}/:entry`, permanent: false }]
        : []),
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
      ...(rewrite && entries.folders.length > 0
        ? [{ source: `/${namespace}/:token(${tokens})/:entry(${alternatives(entries.folders)})/:path+`, destination: '/:entry/:path+' }]
        : []),
      ...(rewrite && entries.files.length > 0
        ? [{ source: `/${namespace}/:token(${tokens})/:entry(${alternatives(entries.files)})`, destination: '/:entry' }]
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
