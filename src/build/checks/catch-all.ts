import { readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The first catch-all route that can answer a path of any length from the root of the App Router
 * (`app/[...slug]`, `app/[[...slug]]`, also inside route groups, under dynamic segments such as
 * next-intl's `app/[locale]/[...rest]`, and under `src/app`), or undefined. Such a route answers
 * requests for missing files under the busted prefix, and its answer gets the prefix's header.
 */
export function rootCatchAll(dir: string): string | undefined {
  for (const appDir of [path.join(dir, 'app'), path.join(dir, 'src', 'app')]) {
    const found = search(appDir, 0);
    if (found) return path.relative(dir, found);
  }
  return undefined;
}

function search(folder: string, depth: number): string | undefined {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const full = path.join(folder, entry.name);
    if (/^\[\[?\.\.\./.test(entry.name)) return full;
    // Route groups `(name)` add no URL segment, and a dynamic segment `[name]` matches the namespace
    // or a token as well as anything: a catch-all under them still answers busted paths.
    if (depth < 4 && /^(?:\(.+\)|\[[^.[\]][^\]]*\])$/.test(entry.name)) {
      const found = search(full, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}
