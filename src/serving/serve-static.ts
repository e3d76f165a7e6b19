// Serving from the build's own static folder: after Next.js compiles, the busted files are copied
// into `<distDir>/static/media/<namespace>/<token or fingerprint>/`, which Next.js and every host
// serve at `<basePath>/_next/static/media/…` the way they serve Next.js's own files: a file is
// immutable, anything else there is the server's uncached 404. No rewrite or header rule of ours
// sends a page, a route handler or a redirect under that path, and the proxy matchers of the usual
// guides leave `_next/static` out. Measured on every host in docs/static-serving-evaluation.md.
//
// `.next/` is new at every build, so nothing there is reused, recorded or expired: each build's
// copies are its own, as its chunks are.
import { lstatSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { warnOnce } from '../shared/errors.js';
import { copyChecked } from '../namespace/file-copies.js';
import { digestState, statState, type FileStates } from '../build/file-state.js';
import { decodeFingerprints, fingerprintOf } from '../runtime/fingerprint-map.js';
import type { Fingerprinted } from '../build/fingerprints.js';
import { NO_ENTRIES } from '../plugin/bust-routes.js';
import type { ResolvedOptions, Strategy, TokenSource } from '../plugin/options.js';
import { clearNamespace } from '../namespace/rotate.js';
import { isToken } from '../shared/safe-names.js';
import type { Content, Served, TokenContent } from './served.js';

/** Where the copies are, under `<distDir>/static/` and so under `<basePath>/_next/static/` in URLs. */
export const STATIC_FOLDER = 'media';

// What next.config made a build's copies from, for the hook in the same process (which is where
// Next.js runs it; another process makes it again from public/).
const DECIDED = Symbol.for('next-static-bust.static-content');
type Store = { [DECIDED]?: Map<string, Content> };
const decided = (): Map<string, Content> => ((globalThis as Store)[DECIDED] ??= new Map());

/**
 * At the evaluation of next.config: what the build will serve from its static folder. Nothing is
 * written there yet (Next.js empties the folder after this); a namespace folder that an earlier
 * build left in `public/` is removed, or a host would upload it.
 */
export async function serveStatic(opts: ResolvedOptions, publicDir: string, content: Content): Promise<Served> {
  if (!(await clearNamespace(publicDir, opts.namespace).catch(() => false))) {
    warnOnce(
      'namespace-left',
      `public/${opts.namespace} could not be removed (it holds files that next-static-bust did not ` +
        'make, or public/ is read-only); a host that collects public/ will upload it. Move it out of public/.',
    );
  }
  if ('fingerprinted' in content) {
    decided().set(publicDir, content);
    const served = [...new Set(content.fingerprinted.fingerprints.values())].sort();
    return { serving: 'static', current: '', served, entries: NO_ENTRIES, fingerprints: content.fingerprinted.encoded };
  }
  // A token that did not read the files (a commit, the environment's): their lstat now.
  if (content.states.size === 0) statFiles(publicDir, content.files, content.states);
  decided().set(publicDir, content);
  return { serving: 'static', current: content.token, served: [content.token], entries: NO_ENTRIES };
}

export interface StaticCopies {
  distDir: string;
  publicDir: string;
  /** What the token is made from, to make it again where next.config did not run. */
  opts: { namespace: string; strategy: Strategy; token?: TokenSource | undefined };
  served: Served;
  /** next.config's `basePath`, which the fingerprints of root-absolute references depend on. */
  basePath?: string;
}

/**
 * After compiling (`compiler.runAfterProductionCompile`): copies what `served` names into
 * `<distDir>/static/media/<namespace>/`. Each copy is checked against what its file was when the
 * token or fingerprint was made from it: a file that changed since (a generator writing into
 * public/ during the build) is left out with a warning, so its URL answers 404, never bytes that
 * are not its own.
 */
export async function writeStaticCopies({ distDir, publicDir, opts, served, basePath = '' }: StaticCopies): Promise<void> {
  const { namespace } = opts;
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
  const changed =
    served.fingerprints === undefined
      ? await copyToken(root, publicDir, opts, served.current)
      : await copyFingerprints(root, publicDir, { namespace, basePath }, served.fingerprints, served.served);
  changed.push(...(await integrityOfCopies(root, served)));
  if (changed.length > 0) {
    const shown = [...new Set(changed)].sort();
    warnOnce(
      'changed-during-build',
      `${shown.length} file${shown.length === 1 ? '' : 's'} of public/ changed during the build ` +
        `(${shown.slice(0, 3).join(', ')}${shown.length > 3 ? ', …' : ''}), so their busted URLs answer 404 ` +
        "rather than serve bytes that are not their token's or fingerprint's. Write generated files into " +
        'public/ before `next build` starts (a prebuild script), then build again.',
    );
  }
}

/** One token's folder of copies; returns the files that changed since the token was made. */
async function copyToken(root: string, publicDir: string, opts: StaticCopies['opts'], token: string): Promise<string[]> {
  const { listFiles } = await import('../build/public-files.js');
  const now = await listFiles({ publicDir, namespace: opts.namespace });
  const stored = decided().get(publicDir);
  const content = stored && !('fingerprinted' in stored) && stored.token === token ? stored : await tokenAgain(publicDir, now, opts, token);
  // The files the token was made from (one it could not read is left out, as warned then).
  const held = content.files.filter((rel) => content.states.has(rel));
  const dir = path.join(root, token);
  await fs.mkdir(dir);
  const changed = await copyChecked(publicDir, held, dir, (rel) => content.states.get(rel));
  // Files added since: not what the token was made from, so not under it.
  const listed = new Set(content.files);
  return [...changed, ...now.filter((rel) => !listed.has(rel))];
}

/**
 * The token's files, made again in a process where next.config did not run: when the token the
 * options give now is not the build's, public/ changed and nothing is known to be the token's.
 */
async function tokenAgain(publicDir: string, files: string[], opts: StaticCopies['opts'], token: string): Promise<TokenContent> {
  const { resolveToken } = await import('../build/token.js');
  const states: FileStates = new Map();
  const again = await resolveToken({ ...opts, publicDir, files, states }).catch(() => undefined);
  if (again !== token) return { token, files: [], states };
  if (states.size === 0) statFiles(publicDir, files, states);
  return { token, files, states };
}

/** Per-file fingerprints' folders of copies; returns the files that changed since fingerprinting. */
async function copyFingerprints(
  root: string,
  publicDir: string,
  app: { namespace: string; basePath: string },
  encoded: string,
  served: string[],
): Promise<string[]> {
  const stored = decided().get(publicDir);
  const fingerprinted =
    stored && 'fingerprinted' in stored && stored.fingerprinted.encoded === encoded
      ? stored.fingerprinted
      : await fingerprintAgain(publicDir, app, encoded);
  const changed: string[] = [];
  for (const fp of served) {
    const held = fingerprinted.folders[fp];
    if (!held) continue; // fingerprinted again: the file changed since (reported below)
    const dir = path.join(root, fp);
    await fs.mkdir(dir);
    const state = (rel: string) => {
      const digest = fingerprinted.digests.get(`${fp}/${rel}`);
      return digest && digestState(digest);
    };
    changed.push(...(await copyChecked(publicDir, held, dir, state, (rel) => fingerprinted.rewritten.get(`${fp}/${rel}`))));
  }
  // Fingerprints made again that differ: the files (or folders) whose build fingerprint is gone.
  const lost = [...decodeFingerprints(encoded)].filter(([, fp]) => !fingerprinted.folders[fp]).map(([key]) => key);
  return [...changed, ...lost];
}

/** The build's fingerprints, made again from public/ in a process where next.config did not run. */
async function fingerprintAgain(publicDir: string, { namespace, basePath }: { namespace: string; basePath: string }, encoded: string): Promise<Fingerprinted> {
  const [{ fingerprint }, { listFiles }] = await Promise.all([import('../build/fingerprints.js'), import('../build/public-files.js')]);
  const files = await listFiles({ publicDir, namespace });
  const granularity = [...decodeFingerprints(encoded).keys()].some((key) => key.endsWith('/')) ? 'folder' : 'file';
  return fingerprint(publicDir, files, { forced: granularity, basePath })!;
}

/**
 * The copies whose bytes do not have the integrity the build inlined (a process that made the token
 * again from a file changed since), removed: their URL answers 404, never bytes a browser refuses.
 */
async function integrityOfCopies(root: string, served: Served): Promise<string[]> {
  if (!served.integrity) return [];
  const [{ integrityLost }, { decodeIntegrity }] = await Promise.all([import('../build/integrity.js'), import('../runtime/integrity.js')]);
  const folderOf = (rel: string) => (served.fingerprints === undefined ? served.current : fingerprintOf(served.fingerprints, '/' + rel));
  // Only a copy inside its folder is looked at or removed, whatever the map names.
  const copyOf = (rel: string) => {
    const folder = folderOf(rel);
    if (!folder || !isToken(folder)) return undefined;
    const copy = path.join(root, folder, rel);
    return copy.startsWith(path.join(root, folder) + path.sep) ? copy : undefined;
  };
  const lost = integrityLost(decodeIntegrity(served.integrity), copyOf);
  for (const rel of lost) {
    const copy = copyOf(rel);
    if (copy) await fs.rm(copy, { force: true });
  }
  return lost;
}

function statFiles(publicDir: string, files: string[], states: FileStates): void {
  for (const rel of files) {
    const stat = lstatSync(path.join(publicDir, rel), { throwIfNoEntry: false });
    if (stat?.isFile()) states.set(rel, statState(stat));
  }
}
