// Runtime half of the package: no Node imports, so it runs in Server Components, Client
// Components, route handlers and the edge runtime alike.
//
// The values below are put into next.config's `env` by `withStaticBust()`. Next.js replaces
// each `process.env.NAME` with a string literal at build time, in server and client bundles alike,
// but only when the name is written out in full: `process.env[name]` would stay undefined in the
// browser. Hence the repetition.

import { fingerprintOf } from './fingerprint-map.js';

// Anything with a scheme (`https:`, `data:`, `blob:`, `mailto:` …) or starting with `//` is not a
// file of ours. A scheme is letters, digits, `+`, `-`, `.`, starting with a letter, then `:`.
const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/|\\\\|\/\\)/i;
const TAB_OR_NEWLINE = /[\t\n\r]/;
const TAB_OR_NEWLINE_ALL = /[\t\n\r]/g;

/**
 * Returns the cache-busted URL of a file in `public/`.
 *
 * After `next build` with `withStaticBust()`, `/css/site.css` becomes
 * `/<basePath>/_bust/<token>/css/site.css` (with `granularity: 'file'`, the fingerprint of that
 * file in place of the token; on hosts that serve the build's static folder,
 * `/<basePath>/_next/static/media/_bust/…`), served with `Cache-Control: immutable` (on the
 * `assetHost` origin, when that option is set). In `next dev`, and wherever the wrapper is not
 * active, it returns the plain path (with `basePath`).
 *
 * Query strings and fragments are kept. Absolute URLs, protocol-relative URLs and other schemes
 * (`data:`, `blob:`, `mailto:`) are returned unchanged, and so is a URL that is already busted.
 * `css/site.css` and `/css/site.css` name the same file.
 *
 * @example
 * ```tsx
 * import { bust } from 'next-static-bust';
 *
 * export default function Page() {
 *   return <img src={bust('/images/logo.png')} alt="Logo" />;
 * }
 * // → <img src="/_bust/1732530000/images/logo.png">
 * ```
 *
 * @param path - A path of a file in `public/`, such as `/css/site.css`.
 * @returns The URL to put in `href` or `src`.
 * @throws {TypeError} When `path` is not a string.
 */
export function bust(path: string): string {
  if (typeof path !== 'string') {
    throw new TypeError(
      `[next-static-bust] Expected \`path\` to be a string, got \`${describe(path)}\`. ` +
        'Pass the path of a file in public/, such as bust("/css/site.css").',
    );
  }
  const given = path;
  path = trimStart(path);
  if (path === '' || EXTERNAL.test(path)) return given;

  // Outside a wrapped build these are unset: no token means plain URLs.
  const token = process.env.NEXT_STATIC_BUST_TOKEN || '';
  // With `granularity: 'file'`: each file's own fingerprint (this string is the whole map).
  const files = process.env.NEXT_STATIC_BUST_FILES || '';
  const namespace = bustedPrefix();
  const basePath = process.env.NEXT_STATIC_BUST_BASE_PATH || '';
  const assetHost = process.env.NEXT_STATIC_BUST_ASSET_HOST || '';

  // Split off `?query` and `#fragment` so that only the path is rewritten.
  let end = path.length;
  const q = path.indexOf('?');
  const h = path.indexOf('#');
  if (q !== -1) end = q;
  if (h !== -1 && h < end) end = h;
  if (end === 0) return given; // only a query or a fragment: nothing to bust

  const suffix = path.slice(end);
  // A query or a fragment keeps its bytes; only a path that ends the URL loses its trailing ones.
  let pathname = suffix ? normalize(path.slice(0, end)) : normalizeEnd(path);

  // Already a URL of ours (with or without basePath): return it as it is, so that
  // bust(bust(x)) === bust(x).
  if (basePath && (pathname === basePath || pathname.startsWith(basePath + '/'))) {
    const rest = pathname.slice(basePath.length) || '/';
    if (isBusted(rest, namespace)) return basePath + rest + suffix;
    // A path that merely starts with the basePath is still a public/ path: public/docs/x.css is
    // served at /docs/docs/x.css, so it is not stripped.
  }
  if (isBusted(pathname, namespace)) return basePath + pathname + suffix;

  if (files) {
    // A path the build did not see (made at run time, a typo) stays plain: still the right file.
    const fingerprint = fingerprintOf(files, pathname);
    if (!fingerprint) return basePath + pathname + suffix;
    return assetHost + basePath + '/' + namespace + '/' + fingerprint + pathname + suffix;
  }
  if (!token) return basePath + pathname + suffix;
  return assetHost + basePath + '/' + namespace + '/' + token + pathname + suffix;
}

/**
 * The path of the file of `public/` that `path` names, as bust() reads it (`css/site.css?v=1` →
 * `/css/site.css`), also from a URL that bust() makes in this build; undefined for an external URL,
 * and for a busted URL that this build's bust() would not make (another build's token).
 */
export function publicPathOf(path: string): string | undefined {
  const assetHost = process.env.NEXT_STATIC_BUST_ASSET_HOST || '';
  path = trimStart(path);
  const local = assetHost && path.startsWith(assetHost + '/') ? path.slice(assetHost.length) : path;
  if (local === '' || EXTERNAL.test(local)) return undefined;
  const head = local.split(/[?#]/, 1)[0]!;
  const pathname = head.length < local.length ? normalize(head) : normalizeEnd(head);
  if (pathname === '/') return undefined;
  const namespace = bustedPrefix();
  const basePath = process.env.NEXT_STATIC_BUST_BASE_PATH || '';
  const rest = basePath && pathname.startsWith(basePath + '/') ? pathname.slice(basePath.length) : pathname;
  if (!isBusted(rest, namespace)) return pathname;
  // /<namespace>/<token or fingerprint>/<file>: the file, when bust() makes this very URL of it.
  const file = rest.slice(rest.indexOf('/', namespace.length + 2));
  return file !== rest && bust(file) === assetHost + basePath + rest ? file : undefined;
}

/**
 * What busted URLs start with after the basePath: token folders in public/ right under the
 * namespace; busted files served from the build's own static folder (serve-static.ts) under
 * Next.js's /_next/static/media/.
 */
function bustedPrefix(): string {
  return (process.env.NEXT_STATIC_BUST_SERVING === 'static' ? '_next/static/media/' : '') + (process.env.NEXT_STATIC_BUST_NAMESPACE || '_bust');
}

function isBusted(pathname: string, namespace: string): boolean {
  return pathname.startsWith('/' + namespace + '/');
}

/**
 * URL parsers delete the spaces and control characters (U+0000 to U+0020) at both ends of a URL
 * before anything else: ` //evil.com` is another origin, and `/css/..\0` or `/css/.. ` climbs like
 * `/css/..` once in an `href`. bust() reads a path as they do.
 */
function trimStart(path: string): string {
  return path.charCodeAt(0) > 32 ? path : path.replace(/^[\u0000-\u0020]+/, '');
}

function trimEnd(path: string): string {
  return path.charCodeAt(path.length - 1) > 32 ? path : path.replace(/[\u0000-\u0020]+$/, '');
}

/**
 * normalize() for a path that ends the URL, where the trailing characters a parser deletes may
 * also be those that dropping a segment leaves at the end (`/..\0/.` → `/..\0` → `/..`): trimmed
 * and normalized again until neither changes it. Each round shortens it, so this ends.
 */
function normalizeEnd(path: string): string {
  for (;;) {
    const pathname = normalize(trimEnd(path));
    if (trimEnd(pathname) === pathname) return pathname;
    path = pathname;
  }
}

/**
 * Makes `pathname` start with exactly one `/` and drops `.` and `..` segments, so that no input
 * can produce a URL that climbs out of the busted folder or turns into a protocol-relative URL.
 */
function normalize(pathname: string): string {
  const simple =
    pathname.charCodeAt(0) === 47 /* / */ &&
    pathname.charCodeAt(1) !== 47 &&
    pathname.indexOf('/.') === -1 &&
    pathname.indexOf('\\') === -1 &&
    pathname.indexOf('%') === -1 &&
    pathname.indexOf('//') === -1 &&
    !TAB_OR_NEWLINE.test(pathname);
  if (simple) return pathname;

  // URL parsers delete tabs and newlines anywhere before parsing, so `/\t/evil.com` would load
  // `//evil.com` and `/.\t./` would climb like `/../`: drop them before looking at segments.
  pathname = pathname.replace(TAB_OR_NEWLINE_ALL, '');
  const out: string[] = [];
  for (const segment of pathname.replace(/\\/g, '/').split('/')) {
    // Servers decode %2e before they resolve dot segments, so `%2e%2e` climbs like `..`.
    const plain = segment.replace(/%2e/gi, '.');
    if (plain === '' || plain === '.') continue;
    if (plain === '..') out.pop();
    else out.push(segment);
  }
  const trailing = pathname.endsWith('/') && out.length > 0 ? '/' : '';
  return '/' + out.join('/') + trailing;
}

/** What a bad argument was, for the TypeError: `null`, `array`, or its typeof. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
