import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LinkError, StaticBustError } from './errors.js';
import { linkTarget, linksReady, MANIFEST, parseManifest, type Manifest } from './folders-ready.js';
import { copiesOf, removeFiles } from './file-copies.js';
import { isToken } from './safe-names.js';

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

// Temporary names start with this; leftovers of a killed process are recognised by it.
const TEMP = '.nsb-tmp-';

export interface RotateOptions {
  /** The `public/` folder. */
  publicDir: string;
  /** The folder inside `public/` that holds the token folders. */
  namespace: string;
  /** The token whose folder must exist. */
  token: string;
  /**
   * `'build'` makes `token` the newest and removes the folders of tokens older than the `keep`
   * previous ones; `'start'` only makes sure the folder exists and is complete, so that starting an
   * older build while a newer one is being made never removes anything.
   */
  mode: 'build' | 'start';
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
 * Makes `public/<namespace>/<token>/` mirror the top-level entries of `public/` with relative
 * links. Idempotent, atomic and safe to run from several processes at once. It only ever removes
 * links and temporary folders it made; anything else it finds is left alone or refused.
 */
export async function rotate(opts: RotateOptions): Promise<RotateResult> {
  const { publicDir, namespace, token } = opts;
  assertNames(namespace, [token]);
  const nsDir = path.join(publicDir, namespace);
  const dir = path.join(nsDir, token);
  if (opts.mode === 'start') {
    const tokens = linksReady(publicDir, namespace, token);
    if (tokens) return { status: 'ok', dir, removed: [], tokens };
  }
  if (!(await isDirectory(publicDir))) return { status: 'missing-public', dir, removed: [], tokens: [] };

  try {
    await claimNamespace(publicDir, namespace);
    await cleanLeftovers(nsDir);
    const entries = await topLevelEntries(publicDir, namespace);
    // Listed before its folder is made: a process killed in between leaves a folder that the
    // manifest knows, so a later build expires it (an unlisted folder would stay forever).
    await recordToken(nsDir, token);
    await ensureTokenFolder(nsDir, token, entries);
    if (opts.mode === 'start') {
      return { status: 'ok', dir, removed: [], tokens: (await readManifest(nsDir))?.tokens ?? [token] };
    }
    return { status: 'ok', dir, ...(await expireTokens(nsDir, token, opts.keep)) };
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

/** Names in `public/` that get a link: everything at the top level but the namespace. */
async function topLevelEntries(publicDir: string, namespace: string): Promise<string[]> {
  const names = await fs.readdir(publicDir);
  return names.filter((name) => name !== namespace).sort();
}

/**
 * Creates the namespace folder, or checks that an existing one is ours. A folder of the user's
 * with the same name is refused, never emptied.
 */
async function claimNamespace(publicDir: string, namespace: string): Promise<void> {
  const nsDir = path.join(publicDir, namespace);
  try {
    await fs.mkdir(nsDir);
    await writeManifest(nsDir, { generator: 'next-static-bust', tokens: [] });
    return;
  } catch (error) {
    if (code(error) !== 'EEXIST') throw error;
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
  await writeManifest(nsDir, { generator: 'next-static-bust', tokens: [] });
}

/** The token folder's stat, if it exists; a token path that is not a folder is refused. */
async function existingTokenFolder(dir: string) {
  const existing = await fs.lstat(dir).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new StaticBustError(
      `${dir} exists and is not a folder made by next-static-bust, so it is left untouched. ` +
        'Move it out of the namespace folder.',
    );
  }
  return existing;
}

async function ensureTokenFolder(nsDir: string, token: string, entries: string[]): Promise<void> {
  // A concurrent build of another token may expire this folder while it is being brought in line
  // (keep: 0): it is then made again, a few times at most.
  for (let attempt = 1; ; attempt++) {
    try {
      await makeOrReconcile(nsDir, token, entries);
      return;
    } catch (error) {
      if (code(error) !== 'ENOENT' || attempt === 5) throw error;
    }
  }
}

async function makeOrReconcile(nsDir: string, token: string, entries: string[]): Promise<void> {
  const dir = path.join(nsDir, token);
  const existing = await existingTokenFolder(dir);
  if (!existing) {
    // Build the folder aside, then rename it into place: it appears complete or not at all.
    const temp = path.join(nsDir, tempName(token));
    try {
      await fs.mkdir(temp);
      for (const name of entries) await fs.symlink(linkTarget(name), path.join(temp, name));
      await fs.rename(temp, dir);
      return;
    } catch (error) {
      await removeOwnFolder(temp);
      // Another process renamed its copy into place first: use theirs.
      if (!['EEXIST', 'ENOTEMPTY'].includes(code(error) ?? '')) throw error;
    } finally {
      inFlight.delete(path.basename(temp));
    }
  }
  await reconcile(dir, entries);
}

/**
 * Brings an existing token folder in line with `public/`: adds links for new top-level entries and
 * removes our links whose entry is gone. Each change is one atomic rename or unlink, so the links
 * that stay never stop resolving.
 */
async function reconcile(dir: string, entries: string[]): Promise<void> {
  const wanted = new Set(entries);
  const present = new Set<string>();
  for (const name of await fs.readdir(dir)) {
    const full = path.join(dir, name);
    const target = await fs.readlink(full).catch(() => undefined);
    if (name.startsWith(TEMP) && target !== undefined) {
      // A half-made link of a killed process. One of a running call is about to be renamed into
      // place: removing it would make that call fail.
      if (!inUse(name)) await unlinkIfLink(full);
    } else if (target === linkTarget(name) && !wanted.has(name)) {
      await unlinkIfLink(full);
    } else {
      present.add(name);
    }
  }
  for (const name of entries) {
    if (present.has(name)) continue;
    const temp = path.join(dir, tempName(name));
    try {
      await fs.symlink(linkTarget(name), temp);
      await fs.rename(temp, path.join(dir, name));
    } finally {
      inFlight.delete(path.basename(temp));
    }
  }
}

/**
 * Adds `token` to the end of the manifest's list unless it is there already. A folder of files that
 * an earlier version made for the token (the manifest lists its files) is removed first (our files
 * only), so that the token's folder is made again as links.
 */
async function recordToken(nsDir: string, token: string): Promise<void> {
  const manifest = (await readManifest(nsDir)) ?? { generator: 'next-static-bust', tokens: [] };
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

/**
 * Makes `token` the newest in the manifest and removes the folders of tokens older than the `keep`
 * previous ones. Returns the tokens removed and the tokens still served, oldest first.
 */
async function expireTokens(
  nsDir: string,
  token: string,
  keep: number,
): Promise<{ removed: string[]; tokens: string[] }> {
  const manifest = await readManifest(nsDir);
  const listed = manifest?.tokens ?? [];
  const files = { ...manifest?.files };
  // Folders the manifest lost (torn, or another build's write crossed ours) count as newer than
  // the listed ones (a concurrent build's folder must not go first), older than this one.
  const orphans = manifest ? await unlistedFolders(nsDir, manifest) : [];
  for (const orphan of orphans) files[orphan.token] = orphan.files;
  let tokens = [...listed, ...orphans.map((o) => o.token)].filter((t) => t !== token);
  const expired = tokens.slice(0, Math.max(0, tokens.length - keep));
  tokens = tokens.slice(expired.length);
  const removed: string[] = [];
  for (const old of expired) {
    if (await removeOwnFolder(path.join(nsDir, old), files[old])) {
      removed.push(old);
      delete files[old];
    } else {
      tokens.unshift(old); // it holds something not ours: keep it listed, retry next time
    }
  }
  tokens.push(token);
  // Building the same token again changes nothing, so the file is left as it is (idempotent: no
  // write, so no new inode or mtime for watchers and sync tools to pick up).
  if (orphans.length > 0 || tokens.length !== listed.length || tokens.some((t, i) => t !== listed[i])) {
    await writeManifest(nsDir, {
      generator: 'next-static-bust',
      tokens,
      ...(Object.keys(files).length > 0 && { files }),
    });
  }
  return { removed, tokens };
}

/** Removes temporary folders and files that a killed process left in the namespace. */
async function cleanLeftovers(nsDir: string): Promise<void> {
  for (const name of await fs.readdir(nsDir)) {
    if (!name.startsWith(TEMP) || inUse(name)) continue;
    const full = path.join(nsDir, name);
    const stat = await fs.lstat(full).catch(() => undefined);
    // A folder of files has no record yet: the copies of public/'s files in it are ours (removing
    // them loses nothing); anything else stays, and so does the folder then.
    if (stat?.isDirectory()) await removeOwnFolder(full, await copiesOf(path.dirname(nsDir), full));
    else if (stat?.isFile()) await fs.rm(full, { force: true });
  }
}

/**
 * Removes a folder made by this package: its links of our form and the `files` it made, then the
 * folder itself. A folder that also holds anything else is left in place (returns false), so
 * nothing of the user's is lost.
 */
async function removeOwnFolder(dir: string, files?: string[]): Promise<boolean> {
  // A link in place of the folder would lead the removals elsewhere (the namespace above it is
  // never a link: claimNamespace() refuses one).
  const stat = await fs.lstat(dir).catch(() => undefined);
  if (!stat) return true;
  if (!stat.isDirectory()) return false;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const full = path.join(dir, name);
    const target = await fs.readlink(full).catch(() => undefined);
    const ours = target === linkTarget(name) || (name.startsWith(TEMP) && target !== undefined);
    if (ours) await unlinkIfLink(full);
  }
  if (files && files.length > 0) await removeFiles(dir, files);
  try {
    await fs.rmdir(dir);
    return true;
  } catch (error) {
    if (code(error) === 'ENOENT') return true;
    if (code(error) === 'ENOTEMPTY' || code(error) === 'EEXIST') return false;
    throw error;
  }
}

async function unlinkIfLink(file: string): Promise<void> {
  await fs.unlink(file).catch((error: unknown) => {
    if (code(error) !== 'ENOENT') throw error;
  });
}

// The temporary names this process is using right now: rotate() calls running at once in one
// process (next.config evaluated twice in parallel) must not clean up each other's work.
const inFlight = new Set<string>();

function tempName(label: string): string {
  const name = `${TEMP}${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
  inFlight.add(name);
  return name;
}

/** The manifest of `nsDir`: undefined when there is none, a new empty one when it is torn or not ours. */
export async function readManifest(nsDir: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(nsDir, MANIFEST), 'utf8');
  } catch {
    return undefined;
  }
  // A torn or hand-edited manifest: start a new list, the folders on disk are still checked.
  return parseManifest(text) ?? { generator: 'next-static-bust', tokens: [] };
}

async function writeManifest(nsDir: string, manifest: Manifest): Promise<void> {
  const temp = path.join(nsDir, tempName('manifest'));
  try {
    await fs.writeFile(temp, JSON.stringify(manifest, null, 2) + '\n');
    await fs.rename(temp, path.join(nsDir, MANIFEST));
  } finally {
    inFlight.delete(path.basename(temp));
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  const stat = await fs.stat(dir).catch(() => undefined);
  return stat?.isDirectory() ?? false;
}

/** Whether a process (this one included) is still working on the temporary `name`. */
function inUse(name: string): boolean {
  const parts = name.split('-'); // .nsb-tmp-<label>-<pid>-<random>
  const pid = Number(parts[parts.length - 2]);
  return pid === process.pid ? inFlight.has(name) : isAlive(pid);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return code(error) === 'EPERM';
  }
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

// Errors that mean "this file system will not take our links here", as opposed to a bug.
const REFUSED = new Set(['EPERM', 'EACCES', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV']);

function asLinkError(error: unknown, publicDir: string): unknown {
  const errno = code(error);
  if (error instanceof StaticBustError || !errno || !REFUSED.has(errno)) return error;
  const why = (error as Error).message;
  return new LinkError(
    `could not create the links in ${publicDir} (${why}). ` +
      (errno === 'ENOSPC' || errno === 'EDQUOT'
        ? 'Free some disk space and build again.'
        : errno === 'EPERM' && process.platform === 'win32'
          ? 'Enable Developer Mode in Windows (it allows symlinks), or build in WSL or a container.'
          : 'Make public/ writable during `next build` and `next start`, or run ' +
            '`npx next-static-bust rotate` where it is writable (for example while building a Docker image).'),
    errno,
  );
}

/**
 * The token folders in the namespace that the manifest does not list, oldest first, with the
 * copies of public/'s files each holds (an earlier version made folders of copies; anything else
 * found there is kept): the manifest was torn (a new list was started) or two builds wrote it at once.
 */
async function unlistedFolders(nsDir: string, manifest: Manifest): Promise<Array<{ token: string; files: string[] }>> {
  const listed = new Set(manifest.tokens);
  const found: Array<{ token: string; files: string[]; time: number }> = [];
  for (const name of await fs.readdir(nsDir).catch(() => [] as string[])) {
    if (listed.has(name) || !isToken(name)) continue;
    const stat = await fs.lstat(path.join(nsDir, name)).catch(() => undefined);
    if (!stat?.isDirectory()) continue;
    found.push({ token: name, files: await copiesOf(path.dirname(nsDir), path.join(nsDir, name)), time: stat.mtimeMs });
  }
  return found.sort((a, b) => a.time - b.time).map(({ token, files }) => ({ token, files }));
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
