// Serving from the build's own static folder: after Next.js compiles, the busted files are copied
// into `<distDir>/static/media/<namespace>/<token or fingerprint>/`, which Next.js and every host
// serve at `<basePath>/_next/static/media/…` the way they serve Next.js's own files: a file is
// immutable, anything else there is the server's uncached 404. No rewrite or header rule of ours
// sends a page, a route handler or a redirect under that path, and the proxy matchers of the usual
// guides leave `_next/static` out. Measured on every host in docs/static-serving-evaluation.md.
//
// `.next/` is new at every build, so nothing there is reused, recorded or expired: each build's
// copies are its own, as its chunks are.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { warnOnce } from './errors.js';
import { copyTree, unlike } from './file-copies.js';
import { decodeFingerprints } from './fingerprint-map.js';
import type { Fingerprinted } from './fingerprints.js';
import { NO_ENTRIES } from './next-routes.js';
import type { ResolvedOptions } from './options.js';
import { clearNamespace } from './rotate.js';
import { isToken } from './safe-names.js';
import type { Served } from './serving.js';

/** Where the copies are, under `<distDir>/static/` and so under `<basePath>/_next/static/` in URLs. */
export const STATIC_FOLDER = 'media';

// The fingerprints of a build, for its copies: computed where next.config ran, read by the hook in
// the same process (other processes compute them again).
const FINGERPRINTED = Symbol.for('next-static-bust.fingerprinted');
type Store = { [FINGERPRINTED]?: Map<string, Fingerprinted> };

/**
 * At the evaluation of next.config: what the build will serve from its static folder. Nothing is
 * written there yet (Next.js empties the folder after this); a namespace folder that an earlier
 * build left in `public/` is removed, or a host would upload it.
 */
export async function serveStatic(
  opts: ResolvedOptions,
  publicDir: string,
  token: string,
  fingerprinted?: Fingerprinted,
): Promise<Served> {
  if (!(await clearNamespace(publicDir, opts.namespace).catch(() => false))) {
    warnOnce(
      'namespace-left',
      `public/${opts.namespace} could not be removed (it holds files that next-static-bust did not ` +
        'make, or public/ is read-only); a host that collects public/ will upload it. Move it out of public/.',
    );
  }
  if (fingerprinted) {
    ((globalThis as Store)[FINGERPRINTED] ??= new Map()).set(publicDir, fingerprinted);
    const served = [...new Set(fingerprinted.fingerprints.values())].sort();
    return { serving: 'static', current: '', served, entries: NO_ENTRIES, fingerprints: fingerprinted.encoded };
  }
  return { serving: 'static', current: token, served: [token], entries: NO_ENTRIES };
}

/**
 * After compiling (`compiler.runAfterProductionCompile`): copies what `served` names into
 * `<distDir>/static/media/<namespace>/`. A per-file copy is checked against the digest its
 * fingerprint was made from: a file that changed since (a generator writing into public/ during the
 * build) is left out with a warning, so its URL answers 404, never bytes that are not its own.
 */
export async function writeStaticCopies(distDir: string, publicDir: string, namespace: string, served: Served): Promise<void> {
  if (!isToken(namespace) || !served.served.every(isToken)) return; // never joined to a path
  const media = path.join(distDir, 'static', STATIC_FOLDER);
  const root = path.join(media, namespace);
  await fs.mkdir(media, { recursive: true });
  // Next.js makes these folders anew at each build; one that leads elsewhere through a link is not
  // what it made, and nothing is removed or written through it.
  const real = await fs.realpath(media);
  if (real !== path.join(await fs.realpath(distDir), 'static', STATIC_FOLDER)) {
    warnOnce(
      'static-folder',
      `${media} leads to ${real} through a link, so busted files were not copied there and their URLs ` +
        'answer 404. Remove the link (Next.js makes the folder) and build again.',
    );
    return;
  }
  // Next.js names its own media files `<name>.<hash>.<ext>`: a folder of this name is ours, from an
  // earlier build into a distDir that was not emptied (a link there is removed, never followed).
  await fs.rm(root, { recursive: true, force: true });
  await fs.mkdir(root);
  const { listFiles } = await import('./token.js');
  const files = await listFiles({ publicDir, namespace });
  if (served.fingerprints === undefined) {
    await fs.mkdir(path.join(root, served.current));
    await copyTree(publicDir, files, path.join(root, served.current));
    return;
  }
  const stored = (globalThis as Store)[FINGERPRINTED]?.get(publicDir);
  const fingerprinted = stored?.encoded === served.fingerprints ? stored : await fingerprintAgain(publicDir, files, served.fingerprints);
  const changed: string[] = [];
  for (const fp of served.served) {
    const held = fingerprinted.folders[fp];
    if (!held) continue; // fingerprinted again: the file changed since (reported below)
    const dir = path.join(root, fp);
    await fs.mkdir(dir);
    await copyTree(publicDir, held, dir, (rel) => fingerprinted.rewritten.get(`${fp}/${rel}`));
    const unlikeFiles = unlike(dir, held, (rel) => fingerprinted.digests.get(`${fp}/${rel}`));
    for (const rel of unlikeFiles) await fs.rm(path.join(dir, rel), { force: true });
    changed.push(...unlikeFiles);
  }
  // Fingerprints made again that differ: the files (or folders) whose build fingerprint is gone.
  const lost = [...decodeFingerprints(served.fingerprints)].filter(([, fp]) => !fingerprinted.folders[fp]).map(([key]) => key);
  if (changed.length > 0 || lost.length > 0) {
    const shown = [...new Set([...changed, ...lost])].sort();
    warnOnce(
      'changed-during-build',
      `${shown.length} file${shown.length === 1 ? '' : 's'} of public/ changed during the build ` +
        `(${shown.slice(0, 3).join(', ')}${shown.length > 3 ? ', …' : ''}), so their busted URLs answer 404 ` +
        "rather than serve bytes that are not their fingerprint's. Write generated files into public/ " +
        'before `next build` starts (a prebuild script), then build again.',
    );
  }
}

/** The build's fingerprints, made again from public/ in a process where next.config did not run. */
async function fingerprintAgain(publicDir: string, files: string[], encoded: string): Promise<Fingerprinted> {
  const { fingerprint } = await import('./fingerprints.js');
  const granularity = [...decodeFingerprints(encoded).keys()].some((key) => key.endsWith('/')) ? 'folder' : 'file';
  return fingerprint(publicDir, files, granularity)!;
}
