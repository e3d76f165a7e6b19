// The fingerprints of a `granularity: 'file'` build, as one string that next.config's `env` inlines
// into the bundles for bust(). Runtime code: no Node imports (it runs in the browser and on the edge).
//
// The string is what the browser downloads, so it is compact rather than JSON (no quotes to escape
// inside the inlined string literal, no repeated folder paths):
//
//   items separated by `|`, read in order, starting in the root folder of public/:
//     `css/`          ends with `/`: the folder the next file items are in (from the root)
//     `site.cssab12cd34`   no `/`: a file of that folder, its name then its fingerprint
//     `img/ab12cd34`  has a `/` but does not end with one: the fingerprint of the files directly in
//                     that folder (per-folder fingerprints; the root folder is `/ab12cd34`)
//
// Fingerprints are FINGERPRINT_LENGTH characters, so a name needs no separator from its
// fingerprint. A name holding `%` or `|` has them written as %25 and %7C (and only then holds a `%`).

/** Characters of a fingerprint: lowercase, so that case-insensitive file systems keep them apart. */
export const FINGERPRINT_LENGTH = 8;

/** Encodes `fingerprints` (a file path relative to public/, or a folder path ending in `/`, to its fingerprint). */
export function encodeFingerprints(fingerprints: Map<string, string>): string {
  const items: string[] = [];
  let folder = '';
  // Sorted so that each folder's items are together and the string is the same on every machine.
  for (const key of [...fingerprints.keys()].sort()) {
    const fingerprint = fingerprints.get(key)!;
    if (key.endsWith('/')) {
      items.push(escape(key === '/' ? '' : key) + (key === '/' ? '/' : '') + fingerprint);
      continue;
    }
    const slash = key.lastIndexOf('/');
    const parent = key.slice(0, slash + 1);
    if (parent !== folder) {
      // The root folder again after others (only when sort puts it there) is named `/`.
      items.push(parent === '' ? '/' : escape(parent));
      folder = parent;
    }
    items.push(escape(key.slice(slash + 1)) + fingerprint);
  }
  return items.join('|');
}

let decodedFrom: string | undefined;
let decoded: Map<string, string> | undefined;

/**
 * The fingerprint of the file at `pathname` (`/css/site.css`), from the encoded map: its own, else
 * its folder's. Undefined for a path the build did not see. The map is decoded once per process or
 * page, on the first call.
 */
export function fingerprintOf(encoded: string, pathname: string): string | undefined {
  if (decodedFrom !== encoded) {
    decoded = decodeFingerprints(encoded);
    decodedFrom = encoded;
  }
  const map = decoded!;
  const rel = pathname.slice(1);
  return byPath(map, rel) ?? map.get(rel.slice(0, rel.lastIndexOf('/') + 1) || '/');
}

/** The entry of `map` for the file `rel` (relative to public/), written as is or percent-encoded. */
export function byPath<T>(map: Map<string, T>, rel: string): T | undefined {
  const found = map.get(rel);
  if (found !== undefined || !rel.includes('%')) return found;
  // bust('/img/my%20logo.png') names the file `my logo.png`.
  try {
    return map.get(decodeURIComponent(rel));
  } catch {
    return undefined; // not valid percent-encoding: not a file we know
  }
}

/** The inverse of encodeFingerprints(). */
export function decodeFingerprints(encoded: string): Map<string, string> {
  const map = new Map<string, string>();
  let folder = '';
  if (encoded === '') return map;
  for (const item of encoded.split('|')) {
    if (item.endsWith('/')) {
      folder = item === '/' ? '' : unescape(item);
    } else if (item.includes('/')) {
      const name = item.slice(0, -FINGERPRINT_LENGTH);
      map.set(name === '/' ? '/' : unescape(name), item.slice(-FINGERPRINT_LENGTH));
    } else {
      map.set(folder + unescape(item.slice(0, -FINGERPRINT_LENGTH)), item.slice(-FINGERPRINT_LENGTH));
    }
  }
  return map;
}

/** A name with `%` and `|` written as %25 and %7C, so that it holds no `|`. */
export function escape(name: string): string {
  return name.replace(/[%|]/g, (c) => (c === '%' ? '%25' : '%7C'));
}

/** The inverse of escape(). */
export function unescape(name: string): string {
  return name.includes('%') ? name.replace(/%25|%7C/g, (c) => (c === '%25' ? '%' : '|')) : name;
}
