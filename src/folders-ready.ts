// Whether the build's folders in public/<namespace> are there at `next start`: a few synchronous
// reads, so that a start whose folders are ready (nearly every start) neither loads the code that
// makes them (rotate.ts and what it imports) nor starts libuv's thread pool.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { warnOnce } from './errors.js';
import { isSafeRelative, isToken } from './safe-names.js';

/** The file that marks a namespace folder as made by this package and lists its tokens. */
export const MANIFEST = '.next-static-bust.json';

export interface Manifest {
  generator: 'next-static-bust';
  tokens: string[];
  /** For token folders that hold files rather than links: the files made in each. */
  files?: Record<string, string[]>;
  /**
   * Per-file fingerprints (`granularity: 'file'`): the fingerprints of each build, oldest first.
   * A fingerprint's folder stays while a kept build uses it.
   */
  builds?: string[][];
}

/**
 * The manifest in `text`, with only the well-formed parts of its lists; undefined when it is not
 * ours (another generator) or not JSON (torn, or edited by hand). The manifest lies in public/,
 * where anything may write it: a token that is not one plain folder name, or a file path that is
 * absolute or climbs (`..`), is dropped with a warning, so it can never lead a write or a removal
 * out of the namespace.
 */
export function parseManifest(text: string): Manifest | undefined {
  let data: Partial<Manifest>;
  try {
    data = JSON.parse(text) as Partial<Manifest>;
  } catch {
    return undefined;
  }
  if (data?.generator !== 'next-static-bust' || !Array.isArray(data.tokens)) return undefined;
  const dropped: string[] = [];
  const accept = (value: unknown, ok: boolean): boolean => {
    if (!ok) dropped.push(JSON.stringify(value));
    return ok;
  };
  const tokens = data.tokens.filter((t) => accept(t, isToken(t)));
  const files: Record<string, string[]> = {};
  const listed = typeof data.files === 'object' && data.files !== null ? Object.entries(data.files) : [];
  for (const [token, list] of listed) {
    if (accept(token, isToken(token) && Array.isArray(list))) files[token] = (list as unknown[]).filter((f) => accept(f, isSafeRelative(f))) as string[];
  }
  const builds = Array.isArray(data.builds)
    ? data.builds.filter(Array.isArray).map((b) => b.filter((t) => accept(t, isToken(t))))
    : undefined;
  if (dropped.length > 0) {
    warnOnce(
      'manifest-entries',
      `the manifest ${MANIFEST} of next-static-bust in public/ has ${dropped.length} entr${dropped.length === 1 ? 'y' : 'ies'} ` +
        `that name${dropped.length === 1 ? 's' : ''} no folder or file of its own (${dropped.slice(0, 3).join(', ')}` +
        `${dropped.length > 3 ? ', …' : ''}): ignored. The package writes only plain names there; delete the ` +
        'namespace folder and build again if it was edited by hand.',
    );
  }
  return {
    generator: 'next-static-bust',
    tokens,
    ...(Object.keys(files).length > 0 && { files }),
    ...(builds && { builds }),
  };
}

/** The manifest of the namespace folder `nsDir`, read synchronously; undefined when there is none of ours. */
function readManifestSync(nsDir: string): Manifest | undefined {
  try {
    return parseManifest(readFileSync(path.join(nsDir, MANIFEST), 'utf8'));
  } catch {
    return undefined; // no manifest
  }
}

/** A link inside `public/<namespace>/<token>/` to the top-level entry `name` of `public/`. */
export function linkTarget(name: string): string {
  return path.join('..', '..', name);
}

/**
 * At start, the build's folder is usually complete: a few synchronous reads say so, and the
 * asynchronous path of rotate() (its first file-system calls start libuv's thread pool) is left
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
