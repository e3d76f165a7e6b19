import { readFileSync } from 'node:fs';
import path from 'node:path';

// A proxy (the file Next.js 15 called middleware) whose matcher covers the busted prefix answers
// busted URLs itself when it redirects (to a login page) or rewrites, and that answer carries the
// prefix's immutable header: a browser or CDN may keep a login redirect for a year. The package
// cannot tell a header rule to skip a proxy's answers, so after compiling, the build reads the
// compiled matchers and says how to leave the prefix out.

export interface CoveringMatcher {
  /** The matcher as written in the proxy's config, such as `/((?!api|_next/static).*)`. */
  source: string;
  /** The same matcher with the prefix left out, where it can be written for it. */
  fix?: string | undefined;
}

interface Manifest {
  middleware?: Record<string, { matchers?: Array<{ regexp?: string; originalSource?: string }> }>;
}

/**
 * The matchers of the compiled proxy in `distDir` that match a busted URL (`probe`, such as
 * `/_bust/<token>/css/site.css`). Empty when there is no proxy or none covers it.
 */
export function coveringMatchers(distDir: string, probe: string, namespace: string): CoveringMatcher[] {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(distDir, 'server/middleware-manifest.json'), 'utf8')) as Manifest;
  } catch {
    return [];
  }
  const found: CoveringMatcher[] = [];
  for (const entry of Object.values(manifest.middleware ?? {})) {
    for (const matcher of entry.matchers ?? []) {
      if (!matcher.regexp) continue;
      let covers: boolean;
      try {
        covers = new RegExp(matcher.regexp).test(probe);
      } catch {
        continue;
      }
      if (!covers) continue;
      const source = matcher.originalSource ?? matcher.regexp;
      found.push({ source, fix: leaveOut(source, namespace) });
    }
  }
  return found;
}

/**
 * The usual matcher shape, `/((?!a|b).*)`, with the namespace added to its exclusions; undefined
 * for other shapes (the README shows the ways to write them).
 */
function leaveOut(source: string, namespace: string): string | undefined {
  const at = source.indexOf('(?!');
  return at === -1 ? undefined : `${source.slice(0, at + 3)}${namespace}/|${source.slice(at + 3)}`;
}
