// Subresource integrity at build: the `sha384-…` of the exact bytes each busted URL of a script or
// stylesheet serves, for the files the app's sources ask for it (app-sources.ts), inlined for
// integrity() and <BustedAsset integrity> (runtime/integrity.ts). Only these files: the values go
// into the client JavaScript (the path and 72 characters each), and no other element than a
// script, a stylesheet or a preload checks them.
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { NamedPath } from './app-sources.js';

/** The files whose integrity a browser checks where <BustedAsset> renders them. */
const CHECKED = /\.(?:css|js|mjs)$/i;

/** The `integrity` value of `bytes`. */
export function sriOf(bytes: Buffer): string {
  return 'sha384-' + createHash('sha384').update(bytes).digest('base64');
}

/** The files of `files` (the listing of public/) that `named` asks integrity for. */
export function integrityWanted(named: NamedPath[], files: string[]): Set<string> {
  const listed = new Set(files);
  return new Set(named.filter((n) => n.integrity && n.rel !== undefined && listed.has(n.rel) && CHECKED.test(n.rel)).map((n) => n.rel!));
}

/** The `integrity` of each file of `wanted` as it is in `publicDir` now (one token serves public/'s bytes). */
export function integrityOf(publicDir: string, wanted: Set<string>): Map<string, string> {
  const values = new Map<string, string>();
  for (const rel of [...wanted].sort()) {
    const bytes = readOrUndefined(path.join(publicDir, rel));
    if (bytes) values.set(rel, sriOf(bytes));
  }
  return values;
}

/**
 * The files of `values` whose bytes at `fileOf(rel)` no longer have that integrity (changed, or
 * gone): a browser would refuse them.
 */
export function integrityLost(values: Map<string, string>, fileOf: (rel: string) => string | undefined): string[] {
  return [...values].filter(([rel, value]) => {
    const file = fileOf(rel);
    const bytes = file === undefined ? undefined : readOrUndefined(file);
    return bytes === undefined || sriOf(bytes) !== value;
  }).map(([rel]) => rel);
}

/**
 * A regular file's bytes; undefined when it is gone, cannot be read (left out, as the token leaves
 * it), or is no longer a regular file (reading a FIFO put in its place would hang the build).
 */
export function readOrUndefined(file: string): Buffer | undefined {
  try {
    return lstatSync(file).isFile() ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}
