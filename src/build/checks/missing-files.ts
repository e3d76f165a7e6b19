import path from 'node:path';
import type { NamedPath } from '../app-sources.js';

// Rails' asset helpers raise for an asset that does not exist; bust() cannot (it runs in the
// browser too, without the list of files), so the build reads the app's sources for the paths
// written out in full (app-sources.ts) and checks them against public/.

export interface MissingReference {
  /** The path as written, such as `/css/tpyo.css`. */
  path: string;
  /** Where: `app/page.tsx:12`. */
  where: string;
  /** A file of public/ with the same name elsewhere, if there is one. */
  suggestion?: string | undefined;
}

/**
 * The paths of `named` that name no file of `files` (the listing of public/). `namespace` is the
 * package's own prefix: a path already busted is not checked.
 */
export function findMissingReferences(named: NamedPath[], files: string[], namespace: string): MissingReference[] {
  const existing = new Set(files);
  const missing: MissingReference[] = [];
  for (const { written, rel, where } of named) {
    if (rel === undefined || rel.startsWith(`${namespace}/`) || existing.has(rel)) continue;
    const near = nearest(rel, files);
    missing.push({ path: written, where, suggestion: near && `/${near}` });
  }
  return missing;
}

/**
 * A file that `rel` probably meant: the same name in another folder, else a name in the same folder
 * at most two letters away (a typo).
 */
function nearest(rel: string, files: string[]): string | undefined {
  const name = path.posix.basename(rel);
  const folder = path.posix.dirname(rel);
  const twin = files.find((file) => path.posix.basename(file) === name);
  if (twin) return twin;
  let best: { file: string; distance: number } | undefined;
  for (const file of files) {
    if (path.posix.dirname(file) !== folder) continue;
    const distance = editDistance(name, path.posix.basename(file));
    if (distance <= 2 && (!best || distance < best.distance)) best = { file, distance };
  }
  return best?.file;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, d[i - 2]![j - 2]! + 1);
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}
