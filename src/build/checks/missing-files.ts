import { readFileSync } from 'node:fs';
import path from 'node:path';

// Rails' asset helpers raise for an asset that does not exist; bust() cannot (it runs in the
// browser too, without the list of files), so the build reads the app's sources for the paths
// written out in full, `bust('/css/site.css')` and `<BustedAsset src="/css/site.css">`, and checks
// them against public/. A path made at run time (`bust(`/avatars/${name}.png`)`) is not seen.

export interface MissingReference {
  /** The path as written, such as `/css/tpyo.css`. */
  path: string;
  /** Where: `app/page.tsx:12`. */
  where: string;
  /** A file of public/ with the same name elsewhere, if there is one. */
  suggestion?: string | undefined;
}

const BUST_CALL = /\bbust\(\s*(['"`])([^'"`\n$]*)\1\s*[,)]/g;
const ASSET_SRC = /<BustedAsset\b[^>]*?\bsrc\s*=\s*(?:"([^"\n]*)"|'([^'\n]*)'|\{\s*(['"`])([^'"`\n$]*)\3\s*\})/g;
// Not a file of public/: external URLs and schemes, as bust() leaves them alone.
const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/|\\\\|\/\\)/i;

const SOURCES = '**/*.{js,jsx,ts,tsx,mjs,cjs,mdx}';
const NOT_SOURCES = ['**/node_modules/**', '**/.*/**', 'public/**', 'out/**', 'dist/**', 'build/**', 'coverage/**'];

/**
 * The paths given to `bust()` or `<BustedAsset src>` as literals in the sources under `dir` that
 * name no file of `files` (the listing of public/). `namespace` is the package's own prefix: a path
 * already busted is not checked.
 */
export async function findMissingReferences(
  dir: string,
  files: string[],
  namespace: string,
  distDir = '.next',
): Promise<MissingReference[]> {
  const existing = new Set(files);
  const missing: MissingReference[] = [];
  const ignore = [...NOT_SOURCES, `${path.posix.normalize(distDir.replace(/\\/g, '/'))}/**`];
  const fg = await fastGlob();
  const sources = fg.sync(SOURCES, { cwd: dir, ignore, suppressErrors: true, followSymbolicLinks: false });
  for (const source of sources.sort()) {
    const text = readFileSync(path.join(dir, source), 'utf8');
    if (!text.includes('bust(') && !text.includes('<BustedAsset')) continue;
    const found = [
      ...[...text.matchAll(BUST_CALL)].map((m) => ({ index: m.index, written: m[2]! })),
      ...[...text.matchAll(ASSET_SRC)].map((m) => ({ index: m.index, written: (m[1] ?? m[2] ?? m[4])! })),
    ];
    for (const { index, written } of found.sort((a, b) => a.index - b.index)) {
      const rel = publicPath(written);
      if (rel === undefined || rel.startsWith(`${namespace}/`) || existing.has(rel)) continue;
      const line = text.slice(0, index).split('\n').length;
      const near = nearest(rel, files);
      missing.push({ path: written, where: `${source}:${line}`, suggestion: near && `/${near}` });
    }
  }
  return missing;
}

/** The file of public/ a literal names (`/css/a.css?v=1` → `css/a.css`), or undefined for none. */
function publicPath(written: string): string | undefined {
  if (written === '' || EXTERNAL.test(written)) return undefined;
  const pathname = written.split(/[?#]/, 1)[0]!;
  const rel = path.posix.normalize('/' + pathname).slice(1);
  return rel === '' ? undefined : rel;
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

/** fast-glob, loaded when the search below first runs (at `next build` only): `next start` should not pay for it. */
async function fastGlob(): Promise<typeof import('fast-glob')> {
  const mod = (await import('fast-glob')) as typeof import('fast-glob') & { default?: typeof import('fast-glob') };
  return mod.default ?? mod;
}
