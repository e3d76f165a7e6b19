import { readFileSync } from 'node:fs';
import path from 'node:path';

// The paths of public/ that the app's sources write out in full: `bust('/css/site.css')`,
// `<BustedAsset src="/css/site.css">` and `integrity('/js/app.js')`. The build checks them against
// public/ (checks/missing-files.ts) and computes the integrity of those asked for with it
// (integrity.ts). A path made at run time (`bust(`/avatars/${name}.png`)`) is not seen.

export interface NamedPath {
  /** The path as written, such as `/css/site.css?v=1`. */
  written: string;
  /** The file of public/ it names (`css/site.css`), or undefined for an external URL. */
  rel: string | undefined;
  /** Where: `app/page.tsx:12`. */
  where: string;
  /** Named by `integrity('/…')`, or by a `<BustedAsset>` with an `integrity` prop that is not `false` or a string. */
  integrity: boolean;
}

const BUST_CALL = /\bbust\(\s*(['"`])([^'"`\n$]*)\1\s*[,)]/g;
const INTEGRITY_CALL = /\bintegrity\(\s*(['"`])([^'"`\n$]*)\1\s*[,)]/g;
const ASSET_SRC = /<BustedAsset\b[^>]*?\bsrc\s*=\s*(?:"([^"\n]*)"|'([^'\n]*)'|\{\s*(['"`])([^'"`\n$]*)\3\s*\})/g;
// `integrity`, `integrity={true}`, `integrity={isProduction}`; not `={false}` or a value of one's own.
const INTEGRITY_PROP = /\sintegrity(?:(?=[\s/>])|\s*=\s*\{(?!\s*(?:false\s*\}|['"`])))/;
// Not a file of public/: external URLs and schemes, as bust() leaves them alone.
const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/|\\\\|\/\\)/i;

const SOURCES = '**/*.{js,jsx,ts,tsx,mjs,cjs,mdx}';
const NOT_SOURCES = ['**/node_modules/**', '**/.*/**', 'public/**', 'out/**', 'dist/**', 'build/**', 'coverage/**'];

/** The paths written out in full in the sources under `dir` (`distDir`, public/ and the like left out), in order. */
export async function findNamedPaths(dir: string, distDir = '.next'): Promise<NamedPath[]> {
  const named: NamedPath[] = [];
  const ignore = [...NOT_SOURCES, `${path.posix.normalize(distDir.replace(/\\/g, '/'))}/**`];
  const fg = await fastGlob();
  const sources = fg.sync(SOURCES, { cwd: dir, ignore, suppressErrors: true, followSymbolicLinks: false });
  for (const source of sources.sort()) {
    const text = readFileSync(path.join(dir, source), 'utf8');
    const ours = text.includes('next-static-bust');
    if (!text.includes('bust(') && !text.includes('<BustedAsset') && !(ours && text.includes('integrity('))) continue;
    const found = [
      ...[...text.matchAll(BUST_CALL)].map((m) => ({ index: m.index, written: m[2]!, integrity: false })),
      // Another library's integrity() is not ours: only in a file that imports this package.
      ...(ours ? [...text.matchAll(INTEGRITY_CALL)].map((m) => ({ index: m.index, written: m[2]!, integrity: true })) : []),
      ...[...text.matchAll(ASSET_SRC)].map((m) => ({
        index: m.index,
        written: (m[1] ?? m[2] ?? m[4])!,
        integrity: INTEGRITY_PROP.test(text.slice(m.index, tagEnd(text, m.index))),
      })),
    ];
    for (const { index, written, integrity } of found.sort((a, b) => a.index - b.index)) {
      const line = text.slice(0, index).split('\n').length;
      named.push({ written, rel: publicPath(written), where: `${source}:${line}`, integrity });
    }
  }
  return named;
}

/** Where the JSX tag that starts at `start` ends: its `>` outside braces and quotes. */
function tagEnd(text: string, start: number): number {
  let depth = 0;
  let quote = '';
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === '>' && depth === 0) return i + 1;
  }
  return text.length;
}

/** The file of public/ a literal names (`/css/a.css?v=1` → `css/a.css`), or undefined for none. */
function publicPath(written: string): string | undefined {
  if (written === '' || EXTERNAL.test(written)) return undefined;
  const pathname = written.split(/[?#]/, 1)[0]!;
  const rel = path.posix.normalize('/' + pathname).slice(1);
  return rel === '' ? undefined : rel;
}

/** fast-glob, loaded when the search first runs (at `next build` only): `next start` should not pay for it. */
async function fastGlob(): Promise<typeof import('fast-glob')> {
  const mod = (await import('fast-glob')) as typeof import('fast-glob') & { default?: typeof import('fast-glob') };
  return mod.default ?? mod;
}
