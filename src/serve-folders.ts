import path from 'node:path';
import { warnOnce } from './errors.js';
import { decodeFingerprints } from './fingerprint-map.js';
import type { Fingerprinted } from './fingerprints.js';
import type { ResolvedOptions } from './options.js';
import { fingerprintFoldersReady } from './folders-ready.js';
import { rotate, rotateFingerprints } from './rotate.js';
import { listFiles } from './token.js';
import { NO_ENTRIES } from './next-routes.js';
import { topLevel } from './top-level.js';
import type { Served } from './serving.js';

/**
 * Serving by token folders in `public/<namespace>/<token>/`, which any server reading `public/`
 * from disk (`next start`, standalone `server.js`, nginx) finds under the busted path, and which a
 * host that collects `public/` (or `output: 'export'`) copies:
 *
 * - `'links'`, the seed's way: one relative link per top-level entry of `public/`;
 * - `'files'`: a hard link (or a copy) of every file, for hosts that would turn links into
 *   absolute links to the build machine (Netlify, OpenNext), and where links are refused.
 *
 * A build makes the token newest and expires old ones; a start only makes sure the build's token
 * folder is there. Throws a `LinkError` when the file system refuses.
 */
export async function serveByFolders(
  kind: 'links' | 'files',
  opts: ResolvedOptions,
  publicDir: string,
  token: string,
  mode: 'build' | 'start',
  files?: string[],
): Promise<Served> {
  const { tokens } = await rotate({ publicDir, namespace: opts.namespace, token, keep: opts.keep, mode, kind, files });
  // The entries go into the routes of a build; at start the routes are the build's.
  const entries = mode === 'build' ? topLevel(publicDir, opts.namespace) : NO_ENTRIES;
  return { serving: kind, current: token, served: tokens, entries };
}

/**
 * Per-file fingerprints (`granularity: 'file'`) served by folders of files: one folder per
 * fingerprint, `public/<namespace>/<fingerprint>/`, holding its file and the files it refers to.
 * At start, `fingerprinted` is the build's encoded map: the folders are usually there already; if
 * not (public/ copied without the namespace), they are made again from the files, and a file that
 * changed since the build is reported (its busted URL redirects to the plain file).
 */
export async function serveFingerprintFolders(
  opts: ResolvedOptions,
  publicDir: string,
  mode: 'build' | 'start',
  fingerprinted: Fingerprinted | string,
): Promise<Served> {
  const encoded = typeof fingerprinted === 'string' ? fingerprinted : fingerprinted.encoded;
  if (typeof fingerprinted === 'string') {
    // Usually the build's folders are all there: a few synchronous looks say so.
    const wanted = [...new Set(decodeFingerprints(encoded).values())];
    const tokens = fingerprintFoldersReady(path.join(publicDir, opts.namespace), wanted);
    if (tokens) return { serving: 'files', current: '', served: tokens, entries: NO_ENTRIES, fingerprints: encoded };
  }
  const { folders, rewritten, digests } =
    typeof fingerprinted === 'string' ? await foldersAtStart(publicDir, opts.namespace, encoded) : fingerprinted;
  const { tokens } = await rotateFingerprints({ publicDir, namespace: opts.namespace, folders, rewritten, digests, mode, keep: opts.keep });
  const entries = mode === 'build' ? topLevel(publicDir, opts.namespace) : NO_ENTRIES;
  return { serving: 'files', current: '', served: tokens, entries, fingerprints: encoded };
}

/**
 * The folders of the build's fingerprints, made again from public/ (for a start that finds them
 * missing). A file whose fingerprint is not the build's changed since: it is reported, and its
 * busted URLs redirect to the plain file.
 */
async function foldersAtStart(
  publicDir: string,
  namespace: string,
  encoded: string,
): Promise<Pick<Fingerprinted, 'folders' | 'rewritten' | 'digests'>> {
  // Only here, at a start that finds folders missing, does a start need the fingerprinting code.
  const { fingerprint } = await import('./fingerprints.js');
  const map = decodeFingerprints(encoded);
  const files = await listFiles({ publicDir, namespace });
  const granularity = [...map.keys()].some((key) => key.endsWith('/')) ? 'folder' : 'file';
  const now = fingerprint(publicDir, files, granularity);
  const folders: Record<string, string[]> = {};
  const changed: string[] = [];
  for (const [key, fp] of map) {
    if (now?.fingerprints.get(key) === fp) folders[fp] = now.folders[fp]!;
    else changed.push(key);
  }
  if (changed.length > 0) {
    warnOnce(
      'changed-since-build',
      `${changed.length} file${changed.length === 1 ? '' : 's'} of public/ changed since the build ` +
        `(${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ', …' : ''}), so their busted URLs are ` +
        'redirected to the plain files. Build again after changing public/.',
    );
  }
  return { folders, rewritten: now?.rewritten ?? new Map(), digests: now?.digests ?? new Map() };
}
