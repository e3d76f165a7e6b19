import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TopLevel } from '../plugin/bust-routes.js';

/** The top-level files and folders of `public/`, without the namespace, sorted. */
export function topLevel(publicDir: string, namespace: string): TopLevel {
  const files: string[] = [];
  const folders: string[] = [];
  for (const name of readdirSync(publicDir).sort()) {
    if (name === namespace) continue;
    // Links are followed, as Next.js follows them when it serves public/; a link that loops or
    // cannot be read is neither (nothing can be served through it).
    let stat;
    try {
      stat = statSync(path.join(publicDir, name), { throwIfNoEntry: false });
    } catch {
      continue;
    }
    if (stat?.isDirectory()) folders.push(name);
    else if (stat?.isFile()) files.push(name);
  }
  return { files, folders };
}
