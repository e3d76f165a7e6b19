import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// A proxy (the file Next.js 15 called middleware) whose matcher covers the busted prefix answers
// busted URLs itself when it redirects (to a login page) or rewrites, and that answer carries the
// prefix's immutable header: a browser or CDN may keep a login redirect for a year. The package
// cannot tell a header rule to skip a proxy's answers, so the build reads the proxy's matchers and
// says how to leave the prefix out.

export interface CoveringMatcher {
  /** The matcher as written in the proxy's config, such as `/((?!api|_next/static).*)`. */
  source: string;
  /** The same matcher with the prefix left out, where it can be written for it. */
  fix?: string | undefined;
  /** The busted paths (of those asked about) that it covers. */
  covers: string[];
}

const PROXY_FILES = ['proxy', 'middleware'].flatMap((name) =>
  ['', 'src/'].flatMap((dir) => ['.ts', '.js', '.mjs', '.tsx', '.jsx'].map((ext) => `${dir}${name}${ext}`)),
);

/**
 * The matchers of the app's proxy (`proxy.ts`, or `middleware.ts`, at the root or in `src/`) that
 * cover any of `probes` (busted paths without basePath, such as `/_bust/<token>/css/site.css`).
 * Next.js requires the matchers to be written as literals, so they are read from the source (the
 * compiled manifests are written after the build's last hook for a proxy on the Node.js runtime)
 * and compiled with Next.js's own path parser. Empty when there is no proxy, none covers a probe,
 * or the matchers cannot be read.
 */
export function coveringMatchers(projectDir: string, probes: string[], namespace: string): CoveringMatcher[] {
  const sources = proxyMatchers(projectDir);
  if (sources.length === 0) return [];
  let parse: (source: string) => { regexStr?: string };
  try {
    // The app's Next.js, as the build uses it; then the one beside the current folder.
    const id = 'next/dist/lib/try-to-parse-path';
    const load = (from: string) => (createRequire(path.join(from, 'package.json'))(id) as { tryToParsePath: typeof parse }).tryToParsePath;
    try {
      parse = load(projectDir);
    } catch {
      parse = load(process.cwd());
    }
  } catch {
    return [];
  }
  const found: CoveringMatcher[] = [];
  for (const source of sources) {
    let regexp: RegExp;
    try {
      const { regexStr } = parse(source);
      if (!regexStr) continue;
      regexp = new RegExp(regexStr);
    } catch {
      continue;
    }
    const covers = probes.filter((probe) => regexp.test(probe));
    if (covers.length > 0) found.push({ source, fix: leaveOut(source, namespace), covers });
  }
  return found;
}

/** The matcher sources of the proxy's `export const config = { matcher }`; none without a proxy. */
function proxyMatchers(projectDir: string): string[] {
  for (const file of PROXY_FILES) {
    let text: string;
    try {
      text = readFileSync(path.join(projectDir, file), 'utf8');
    } catch {
      continue;
    }
    const config = /export\s+const\s+config\s*=\s*\{[\s\S]*?\bmatcher\s*:\s*(\[[\s\S]*?\]\s*[,}]|(['"`])(?:\\.|(?!\2).)*\2)/.exec(text);
    if (!config) return []; // a proxy without a matcher runs for every path: Next.js's default
    const value = config[1]!;
    // Objects ({ source, has, missing }) give their `source`; plain entries are the sources.
    const pattern = value.includes('{') ? /\bsource\s*:\s*(['"`])((?:\\.|(?!\1).)*)\1/g : /(['"`])((?:\\.|(?!\1).)*)\1/g;
    return [...value.matchAll(pattern)].map((m) => m[2]!.replace(/\\(.)/g, '$1'));
  }
  return [];
}

/**
 * The usual matcher shape, `/((?!a|b).*)`, with the namespace added to its exclusions; undefined
 * for other shapes (the README shows the ways to write them).
 */
function leaveOut(source: string, namespace: string): string | undefined {
  const at = source.indexOf('(?!');
  return at === -1 ? undefined : `${source.slice(0, at + 3)}${namespace}/|${source.slice(at + 3)}`;
}
