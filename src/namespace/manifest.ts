// The manifest of the namespace folder, `public/<namespace>/.next-static-bust.json`: the one module
// that reads and writes it. It marks the folder as the package's and lists the tokens made there,
// oldest first. It lies in public/, where anything may write it, so what is read is checked.
//
// Also whether the build's folder of links is there at `next start` (linksReady()): a few
// synchronous reads of the manifest and the links, so that a start whose folder is ready (nearly
// every start) loads this module alone of the namespace's, and starts no libuv thread pool.
import { promises as fs, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { warnOnce } from '../shared/errors.js';
import { isSafeRelative, isToken } from '../shared/safe-names.js';

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
export function readManifestSync(nsDir: string): Manifest | undefined {
  try {
    return parseManifest(readFileSync(path.join(nsDir, MANIFEST), 'utf8'));
  } catch {
    return undefined; // no manifest
  }
}

/**
 * The manifest of `nsDir`: undefined when there is none or another tool wrote it (JSON that is not
 * ours), a new empty one when it is torn or its lists are damaged.
 */
export async function readManifest(nsDir: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(nsDir, MANIFEST), 'utf8');
  } catch {
    return undefined;
  }
  // A torn manifest (a killed write) or ours edited by hand: start a new list, the folders on disk
  // are still checked. Only this package writes the name, but a file of another tool is left alone.
  return parseManifest(text) ?? (foreign(text) ? undefined : emptyManifest());
}

/** Whether `text` is whole JSON that another tool wrote (not a torn or damaged manifest of ours). */
function foreign(text: string): boolean {
  try {
    return (JSON.parse(text) as { generator?: unknown } | null)?.generator !== 'next-static-bust';
  } catch {
    return false;
  }
}

export const emptyManifest = (): Manifest => ({ generator: 'next-static-bust', tokens: [] });

/** Writes the manifest under a temporary name and renames it into place: a reader sees the old or the new one. */
export async function writeManifest(nsDir: string, manifest: Manifest): Promise<void> {
  // Loaded by writers only: a start whose folder is ready reads the manifest and writes nothing.
  const { release, tempName } = await import('./temp-names.js');
  const temp = tempName('manifest');
  try {
    await fs.writeFile(path.join(nsDir, temp), JSON.stringify(manifest, null, 2) + '\n');
    await fs.rename(path.join(nsDir, temp), path.join(nsDir, MANIFEST));
  } finally {
    release(temp);
  }
}

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
