// Whether the build's folder of links in public/<namespace> is there at `next start`: a few
// synchronous reads, so that a start whose folder is ready (nearly every start) neither loads the
// code that makes folders (rotate.ts and what it imports) nor starts libuv's thread pool.
import { readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { readManifestSync } from './manifest.js';

/** A link inside `public/<namespace>/<token>/` to the top-level entry `name` of `public/`. */
export function linkTarget(name: string): string {
  return path.join('..', '..', name);
}

/**
 * At start, the build's folder is usually complete: a few synchronous reads say so, and the
 * asynchronous path of restoreLinks() (its first file-system calls start libuv's thread pool) is left
 * for when something must be made. The manifest's tokens when the folder of `token` links every
 * top-level entry of public/; undefined otherwise.
 */
export function linksReady(publicDir: string, namespace: string, token: string): string[] | undefined {
  try {
    const nsDir = path.join(publicDir, namespace);
    const manifest = readManifestSync(nsDir);
    if (!manifest?.tokens.includes(token)) return undefined;
    const dir = path.join(nsDir, token);
    const present = new Set(readdirSync(dir));
    for (const name of readdirSync(publicDir)) {
      if (name === namespace) continue;
      if (!present.has(name) || readlinkSync(path.join(dir, name)) !== linkTarget(name)) return undefined;
    }
    return manifest.tokens;
  } catch {
    return undefined; // a folder or link that cannot be read: made again
  }
}
