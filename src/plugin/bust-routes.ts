import type { NextConfig } from 'next';
import { MANIFEST } from '../namespace/manifest.js';

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

/** No entries: at start the routes (which use them) come from the build. */
export const NO_ENTRIES: TopLevel = { files: [], folders: [] };

export interface BustRoutes {
  headers: Headers;
  redirects: Redirects;
  /** `beforeFiles` rewrites. */
  rewrites: Rewrite[];
}

/**
 * The next.config routes for busted URLs. Token folders in `public/` (`links`): immutable caching
 * on the served tokens' paths, and a `307` from any other well-formed token to the current file.
 * The build's static folder (`static`): none. Next.js sends its files immutable itself, and answers
 * any other path there (an old token's) with its uncached 404 before redirects apply.
 */
export function bustRoutes({
  namespace,
  serving,
  current,
  served,
  entries,
}: {
  namespace: string;
  serving: 'links' | 'static';
  /** The token of the build; empty for per-file fingerprints (`served` are then fingerprints). */
  current: string;
  served: string[];
  /** The top-level files and folders of `public/`. */
  entries: TopLevel;
}): BustRoutes {
  if (serving === 'static') return { headers: [], redirects: [], rewrites: [] };
  const prefix = `/${namespace}`;
  // Where a busted path goes when its token is not served: the current token's path, or, for
  // per-file fingerprints (whose current one a route cannot know), the plain file.
  const to = (rest: string) => (current ? `${prefix}/${current}/${rest}` : `/${rest}`);
  // "Any token but the served ones": the lookahead fails only where a served token fills the whole
  // segment (it is not followed by another token character). An old page in a cache, a rolling
  // deploy: the browser goes to the current file instead of a 404. Temporary, so nothing caches it.
  const unknown = redirectsUnknown(served)
    ? [
        {
          source: `${prefix}/:token((?!(?:${served.join('|')})(?![A-Za-z0-9_-]))[A-Za-z0-9_-]{1,64})/:path+`,
          destination: to(':path+'),
          permanent: false,
        },
      ]
    : [];
  // A top-level name of public/ right after the namespace is a busted URL with its token left out
  // (`/_bust/css/site.css`), not a token: it goes to the current file. Served tokens that happen to
  // share a name with an entry stay tokens.
  const folders = entries.folders.filter((name) => !served.includes(name)).map(escapeRegex);
  const files = entries.files.filter((name) => !served.includes(name)).map(escapeRegex);
  // Kept tokens and top-level entries may be many: the rules that list them are split so that each
  // stays within Next.js's limit (a rule whose regular expression passes 4096 characters fails the build).
  const toEntry = (names: string[], rest: string, destination: string) =>
    split(names).map((list) => ({ source: `/${namespace}/:entry(${list})${rest}`, destination, permanent: false }));
  return {
    headers: split(served).map((tokens) => ({
      source: `/${namespace}/:token(${tokens})/:path+`,
      headers: [{ key: 'Cache-Control', value: IMMUTABLE }],
    })),
    redirects: [...toEntry(folders, '/:path+', to(':entry/:path+')), ...toEntry(files, '', to(':entry')), ...unknown],
    rewrites: [
      // The package's bookkeeping in public/<namespace>/ is no business of the site's. Next.js would
      // answer it with a 500 (its file server refuses dot files): this sends it to a path that
      // cannot exist, a plain 404.
      { source: `/${namespace}/${MANIFEST}`, destination: `/${namespace}/${current}/${MANIFEST}` },
      // …and so is any spelling of it (`%2e` for the dot): no token starts with one.
      { source: `/${namespace}/:dot(%2[eE].*)`, destination: `/${namespace}/${current}/${MANIFEST}` },
    ],
  };
}

/**
 * Whether "any token but the served ones" fits in one rule, which it must (it is one negative
 * lookahead). Past the limit an unknown token is not redirected: its URL answers 404, as any
 * missing file does.
 */
export function redirectsUnknown(served: string[]): boolean {
  return served.join('|').length <= ALTERNATIVES_PER_RULE;
}

/**
 * Characters of alternatives (`a|b|c`) one rule may list: Next.js refuses a rule whose regular
 * expression is longer than 4096 characters, and the rest of ours takes less than 300.
 */
const ALTERNATIVES_PER_RULE = 3700;

/** `items` as `a|b|c` strings, each short enough for one rule. */
function split(items: string[]): string[] {
  const out: string[] = [];
  let group = '';
  for (const item of items) {
    if (group && group.length + 1 + item.length > ALTERNATIVES_PER_RULE) {
      out.push(group);
      group = '';
    }
    group = group ? `${group}|${item}` : item;
  }
  if (group) out.push(group);
  return out;
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
