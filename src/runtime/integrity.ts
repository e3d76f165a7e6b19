// Subresource integrity for the scripts and stylesheets of public/: the build computes the SHA-384
// of the exact bytes each busted URL serves (the rewritten copy, with `granularity: 'file'`) for the
// files that the app's sources name with `<BustedAsset integrity>` or `integrity('/…')`, and inlines
// them here through next.config's `env`. Runtime code: no Node imports.
//
// The map is one string: items separated by `|`, each a path relative to public/ (`%` and `|`
// written as %25 and %7C) followed by its value, `sha384-` and 64 base64 characters.

import { describe, publicPathOf } from './bust.js';
import { byPath, escape, unescape } from './fingerprint-map.js';

/** Characters of an integrity value: `sha384-` and the base64 of 48 bytes. */
export const SRI_LENGTH = 7 + 64;

/** Encodes `values` (a path relative to public/ to its `sha384-…`), sorted so every machine makes the same string. */
export function encodeIntegrity(values: Map<string, string>): string {
  return [...values.keys()]
    .sort()
    .map((rel) => escape(rel) + values.get(rel)!)
    .join('|');
}

/** The inverse of encodeIntegrity(). */
export function decodeIntegrity(encoded: string): Map<string, string> {
  const map = new Map<string, string>();
  if (encoded === '') return map;
  for (const item of encoded.split('|')) map.set(unescape(item.slice(0, -SRI_LENGTH)), item.slice(-SRI_LENGTH));
  return map;
}

let decodedFrom: string | undefined;
let decoded: Map<string, string> | undefined;

/**
 * The `integrity` value of a script or stylesheet of `public/` (`sha384-…`), computed at build from
 * the exact bytes that its busted URL serves, for a `<script>` or `<link>` of your own (with
 * `crossOrigin="anonymous"`). Undefined for a path whose value the build did not compute: `next
 * dev`, a file that is not a `.css`, `.js` or `.mjs`, and a path that no source names with a
 * literal in `integrity('/…')` or `<BustedAsset integrity>` (one made at run time).
 *
 * @example
 * ```tsx
 * import { bust, integrity } from 'next-static-bust';
 *
 * <script src={bust('/js/app.js')} integrity={integrity('/js/app.js')} crossOrigin="anonymous" async />
 * ```
 *
 * @param path - A path of a file in `public/`, such as `/js/app.js`, or the URL bust() made of it.
 * @throws {TypeError} When `path` is not a string.
 */
export function integrity(path: string): string | undefined {
  if (typeof path !== 'string') {
    throw new TypeError(
      `[next-static-bust] Expected \`path\` to be a string, got \`${describe(path)}\`. ` +
        'Pass the path of a file in public/, such as integrity("/js/app.js").',
    );
  }
  // Written out in full, so that Next.js inlines it (see bust.ts).
  const encoded = process.env.NEXT_STATIC_BUST_INTEGRITY || '';
  if (encoded === '') return undefined;
  const pathname = publicPathOf(path);
  if (pathname === undefined) return undefined;
  if (decodedFrom !== encoded) {
    decoded = decodeIntegrity(encoded);
    decodedFrom = encoded;
  }
  return byPath(decoded!, pathname.slice(1));
}
