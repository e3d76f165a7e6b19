// The namespace folder of links in public/, the seed's way of serving. rotate() makes a build's
// token folder the newest and expires the folders of tokens past `keep`; restoreLinks() makes sure
// the folder of a build's token is there (next start, the CLI) and never removes anything, so that
// starting an older build while a newer one is made is safe.
//
// Layout, inside public/:
//
//   _bust/                         the namespace (one folder, reserved for this package)
//     .next-static-bust.json       the manifest: the tokens made here, oldest first
//     1732530000/                  one real folder per token…
//       css -> ../../css           …holding one relative link per top-level entry of public/
//       logo.png -> ../../logo.png
//
// No link points at public/ itself or a parent, so scanners that follow links (next start's
// public/ listing, output: 'export') see a finite tree. Everything is created under a temporary
// name and renamed into place, so a reader sees either nothing or a complete folder.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errno, LinkError, StaticBustError } from '../shared/errors.js';
import { isToken } from '../shared/safe-names.js';
import { cleanLeftovers, expireTokens, removeOwnFolder } from './expiry.js';
import { ensureTokenFolder, topLevelEntries } from './link-folders.js';
import { emptyManifest, linksReady, MANIFEST, readManifest, writeManifest } from './manifest.js';
import { TEMP } from './temp-names.js';

export interface LinkFolder {
  /** The `public/` folder. */
  publicDir: string;
  /** The folder inside `public/` that holds the token folders. */
  namespace: string;
  /** The token whose folder must exist. */
  token: string;
}

export interface RotateOptions extends LinkFolder {
  /** How many previous tokens' folders a build keeps. */
  keep: number;
}

export interface RotateResult {
  /** `'missing-public'` when there is no `public/`; nothing was written then. */
  status: 'ok' | 'missing-public';
  /** The folder of the token, such as `public/_bust/1732530000`. */
  dir: string;
  /** Tokens whose folders this call removed. */
  removed: string[];
  /** The tokens whose folders are served now, oldest first (the manifest's list). */
  tokens: string[];
}

/**
 * At `next build`: makes `public/<namespace>/<token>/` mirror the top-level entries of `public/`
 * with relative links, makes `token` the newest and removes the folders of tokens older than the
 * `keep` previous ones. Idempotent, atomic and safe to run from several processes at once. It only
 * ever removes links and temporary folders it made; anything else it finds is left alone or refused.
 */
export async function rotate(opts: RotateOptions): Promise<RotateResult> {
  const made = await makeLinkFolder(opts);
  if (made.status !== 'ok') return made;
  return { ...made, ...(await expireTokens(path.dirname(made.dir), opts.token, opts.keep)) };
}

/**
 * At `next start` and from the CLI: makes sure the folder of the build's `token` is there and
 * complete (a few synchronous reads when it is, as nearly always). Removes nothing.
 */
export async function restoreLinks(folder: LinkFolder): Promise<RotateResult> {
  const dir = path.join(folder.publicDir, folder.namespace, folder.token);
  assertNames(folder.namespace, [folder.token]);
  const tokens = linksReady(folder.publicDir, folder.namespace, folder.token);
  if (tokens) return { status: 'ok', dir, removed: [], tokens };
  const made = await makeLinkFolder(folder);
  if (made.status !== 'ok') return made;
  return { ...made, tokens: (await readManifest(path.dirname(dir)))?.tokens ?? [folder.token] };
}

async function makeLinkFolder({ publicDir, namespace, token }: LinkFolder): Promise<RotateResult> {
  assertNames(namespace, [token]);
  const nsDir = path.join(publicDir, namespace);
  const dir = path.join(nsDir, token);
  if (!(await isDirectory(publicDir))) return { status: 'missing-public', dir, removed: [], tokens: [] };
  try {
    await claimNamespace(publicDir, namespace);
    await cleanLeftovers(nsDir);
    const entries = await topLevelEntries(publicDir, namespace);
    // Listed before its folder is made: a process killed in between leaves a folder that the
    // manifest knows, so a later build expires it (an unlisted folder would stay forever).
    await recordToken(nsDir, token);
    await ensureTokenFolder(nsDir, token, entries);
    return { status: 'ok', dir, removed: [], tokens: [] };
  } catch (error) {
    throw asLinkError(error, publicDir);
  }
}

/**
 * Removes what the package made in `public/<namespace>`: the token folders (our links only), the
 * manifest and the folder itself. For builds served without token folders, whose host would
 * otherwise collect the links of an earlier local build. A namespace folder that is not ours, or a
 * token folder that holds something else, is left in place (returns false).
 */
export async function clearNamespace(publicDir: string, namespace: string): Promise<boolean> {
  const nsDir = path.join(publicDir, namespace);
  const stat = await fs.lstat(nsDir).catch(() => undefined);
  if (!stat) return true;
  if (!stat.isDirectory()) return false;
  const manifest = await readManifest(nsDir);
  if (!manifest) return false;
  try {
    await cleanLeftovers(nsDir);
    let clean = true;
    for (const token of manifest.tokens) {
      clean = (await removeOwnFolder(path.join(nsDir, token), manifest.files?.[token])) && clean;
    }
    const left = (await fs.readdir(nsDir)).filter((name) => name !== MANIFEST);
    if (!clean || left.length > 0) return false;
    await fs.rm(path.join(nsDir, MANIFEST), { force: true });
    await fs.rmdir(nsDir);
    return true;
  } catch (error) {
    throw asLinkError(error, publicDir);
  }
}

/**
 * Creates the namespace folder, or checks that an existing one is ours. A folder of the user's
 * with the same name is refused, never emptied.
 */
async function claimNamespace(publicDir: string, namespace: string): Promise<void> {
  const nsDir = path.join(publicDir, namespace);
  try {
    await fs.mkdir(nsDir);
    await writeManifest(nsDir, emptyManifest());
    return;
  } catch (error) {
    if (errno(error) !== 'EEXIST') throw error;
  }
  const stat = await fs.lstat(nsDir);
  const notOurs = () =>
    new StaticBustError(
      `public/${namespace} exists but was not made by next-static-bust, so it is left untouched. ` +
        `Rename or move it, or choose another folder name with the \`namespace\` option of withStaticBust().`,
    );
  if (!stat.isDirectory()) throw notOurs();
  if (await readManifest(nsDir)) return;
  // A folder without a manifest is ours only while it is empty (or holds our temporary files, as
  // when another process created it a moment ago and is writing the manifest).
  const names = await fs.readdir(nsDir);
  if (names.some((name) => !name.startsWith(TEMP))) {
    // …or once that process has finished its manifest, between our two looks.
    if (await readManifest(nsDir)) return;
    throw notOurs();
  }
  await writeManifest(nsDir, emptyManifest());
}

/**
 * Adds `token` to the end of the manifest's list unless it is there already. A folder of files that
 * an earlier version made for the token (the manifest lists its files) is removed first (our files
 * only), so that the token's folder is made again as links.
 */
async function recordToken(nsDir: string, token: string): Promise<void> {
  const manifest = (await readManifest(nsDir)) ?? emptyManifest();
  const recorded = manifest.files?.[token];
  if (manifest.tokens.includes(token) && !recorded) return;
  if (recorded && !(await removeOwnFolder(path.join(nsDir, token), recorded))) {
    throw new StaticBustError(
      `${path.join(nsDir, token)} holds files that next-static-bust did not make, so it is left untouched. ` +
        'Move them out of the namespace folder.',
    );
  }
  const all = { ...manifest.files };
  delete all[token];
  await writeManifest(nsDir, {
    generator: 'next-static-bust',
    tokens: manifest.tokens.includes(token) ? manifest.tokens : [...manifest.tokens, token],
    ...(Object.keys(all).length > 0 && { files: all }),
  });
}

async function isDirectory(dir: string): Promise<boolean> {
  const stat = await fs.stat(dir).catch(() => undefined);
  return stat?.isDirectory() ?? false;
}

// Errors that mean "this file system will not take our links here", as opposed to a bug.
const REFUSED = new Set(['EPERM', 'EACCES', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV']);

function asLinkError(error: unknown, publicDir: string): unknown {
  const code = errno(error);
  if (error instanceof StaticBustError || !code || !REFUSED.has(code)) return error;
  const why = (error as Error).message;
  return new LinkError(
    `could not create the links in ${publicDir} (${why}). ` +
      (code === 'ENOSPC' || code === 'EDQUOT'
        ? 'Free some disk space and build again.'
        : code === 'EPERM' && process.platform === 'win32'
          ? 'Enable Developer Mode in Windows (it allows symlinks), or build in WSL or a container.'
          : 'Make public/ writable during `next build` and `next start`, or run ' +
            '`npx next-static-bust rotate` where it is writable (for example while building a Docker image).'),
    code,
  );
}

/** Refuses a namespace, token or fingerprint that is not one plain folder name, before anything is written. */
function assertNames(namespace: string, tokens: string[]): void {
  const bad = [namespace, ...tokens].find((name) => !isToken(name));
  if (bad !== undefined) {
    throw new StaticBustError(
      `${JSON.stringify(bad)} cannot be a token, fingerprint or namespace folder (1 to 64 characters of ` +
        'A-Z, a-z, 0-9, "_" and "-"), so nothing was written. If it came from .next/, build again.',
    );
  }
}
