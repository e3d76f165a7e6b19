import { constants, closeSync, lstatSync, openSync, readSync, realpathSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { warnOnce } from '../shared/errors.js';
import { digestOf, statState } from '../build/file-state.js';
import { hashFile } from '../build/hash.js';
import { isSafeRelative } from '../shared/safe-names.js';

// The files of a token or fingerprint folder in the build's static folder. Each is a copy of the
// file in public/ (a copy-on-write clone where the file system has them, so no extra disk there):
// never a hard link, whose bytes change whenever anything writes into the file in place (`cp` onto
// it, editors, build-time generators), which would change what an immutable URL serves. Also which
// files of a folder of copies in public/ (made by earlier versions) are the package's to remove.

/**
 * Fills the new, empty folder `dir` with a copy of each of `files` of `publicDir`, or with the bytes
 * that `contents` gives for a file (a rewritten copy). A file that went away since the listing is
 * left out; one that cannot be read is left out with a warning (its busted URL answers 404), and
 * returned.
 */
export async function copyTree(
  publicDir: string,
  files: string[],
  dir: string,
  contents?: (rel: string) => Buffer | undefined,
): Promise<string[]> {
  const made = new Set<string>();
  const unreadable: string[] = [];
  for (const rel of files) {
    if (!isSafeRelative(rel)) continue;
    const parent = path.dirname(rel);
    if (parent !== '.' && !made.has(parent)) {
      await fs.mkdir(path.join(dir, parent), { recursive: true });
      made.add(parent);
    }
    const target = path.join(dir, rel);
    const bytes = contents?.(rel);
    if (bytes) {
      await fs.writeFile(target, bytes, { flag: 'wx' });
      continue;
    }
    try {
      // COPYFILE_EXCL: the folder is new, so an existing file there is not ours to overwrite.
      await fs.copyFile(path.join(publicDir, rel), target, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'ENOENT') continue; // it went away since the listing
      // A file this user may not read is left out; a refused write (the folder's file system) is
      // the caller's to report, as for links.
      if (!['EACCES', 'EPERM', 'EISDIR'].includes(code) || (await readable(path.join(publicDir, rel)))) throw error;
      unreadable.push(rel);
    }
  }
  if (unreadable.length > 0) {
    warnOnce(
      'unreadable-copy',
      `${unreadable.length} file${unreadable.length === 1 ? '' : 's'} of public/ could not be read ` +
        `(${unreadable.slice(0, 3).join(', ')}${unreadable.length > 3 ? ', …' : ''}), so their busted URLs answer 404. ` +
        'Make them readable by the user that runs next build.',
    );
  }
  return unreadable;
}

async function readable(file: string): Promise<boolean> {
  try {
    await (await fs.open(file, 'r')).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `dir` holds, for each of `files`, a regular file with exactly the bytes of that file in
 * `publicDir` now: a copy the package made, which removing loses nothing.
 */
function holdsCopiesOf(publicDir: string, files: string[], dir: string): boolean {
  const a = Buffer.allocUnsafe(CHUNK);
  const b = Buffer.allocUnsafe(CHUNK);
  return files.every((rel) => isSafeRelative(rel) && sameBytes(path.join(dir, rel), path.join(publicDir, rel), a, b));
}

const CHUNK = 1 << 16;

/** Whether the regular file `copy` (not a link) holds the bytes of the file `source`. */
function sameBytes(copy: string, source: string, a: Buffer, b: Buffer): boolean {
  let fd: number | undefined;
  let other: number | undefined;
  try {
    // O_NOFOLLOW: a link in place of a copy is not a copy.
    fd = openSync(copy, constants.O_RDONLY | constants.O_NOFOLLOW);
    other = openSync(source, constants.O_RDONLY);
    for (;;) {
      const read = readSync(fd, a, 0, CHUNK, null);
      const readOther = readSync(other, b, 0, CHUNK, null);
      if (read !== readOther || !a.subarray(0, read).equals(b.subarray(0, read))) return false;
      if (read === 0) return true;
    }
  } catch {
    return false; // missing, a folder, a link, unreadable: not the bytes it should be
  } finally {
    if (fd !== undefined) closeSync(fd);
    if (other !== undefined) closeSync(other);
  }
}

/**
 * Whether `target` lies inside the folder `root` once the links of its parent folders are
 * resolved (its last component is not followed: removing a link removes the link). False when
 * either cannot be resolved.
 */
function liesInside(root: string, target: string): boolean {
  try {
    const realRoot = realpathSync(root);
    const realParent = realpathSync(path.dirname(target));
    return realParent === realRoot || realParent.startsWith(realRoot + path.sep);
  } catch {
    return false;
  }
}

/**
 * Removes `files` (regular files only) from `dir`, then the folders among them that became empty.
 * A path that is not a plain relative one, or that leads out of `dir` through a link, is skipped:
 * whatever a record says, nothing outside `dir` is touched.
 */
export async function removeFiles(dir: string, files: string[]): Promise<void> {
  const parents = new Set<string>();
  for (const rel of files) {
    if (!isSafeRelative(rel)) continue;
    for (let parent = path.dirname(rel); parent !== '.'; parent = path.dirname(parent)) parents.add(parent);
    const full = path.join(dir, rel);
    if (!liesInside(dir, full)) continue;
    const stat = await fs.lstat(full).catch(() => undefined);
    // ENOENT: another build removed it a moment ago.
    if (stat?.isFile()) await fs.unlink(full).catch(ignoreMissing);
  }
  // Deepest first, so that a folder is empty by the time it is tried; one that is not stays.
  for (const parent of [...parents].sort((a, b) => b.length - a.length)) {
    const full = path.join(dir, parent);
    if (liesInside(dir, full)) await fs.rmdir(full).catch(() => undefined);
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}

/**
 * The files under `dir` that are copies of the file at the same path in `publicDir` (the same
 * bytes): the package's, for a folder that no record names (a killed build's), since removing them
 * loses nothing. Anything else found there is kept.
 */
export async function copiesOf(publicDir: string, dir: string): Promise<string[]> {
  return (await filesUnder(dir)).filter((rel) => holdsCopiesOf(publicDir, [rel], dir));
}

/** The regular files under `dir`, as `/`-separated relative paths (links are neither listed nor followed). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter(isSafeRelative);
}

/**
 * Fills the new, empty folder `dir` as copyTree() does, then takes out each copy that may not hold
 * what `state(rel)` says its file was when its token or fingerprint was made (file-state.ts): a
 * copy whose SHA-256 is not the recorded one, or, for a recorded lstat, a file of public/ written,
 * replaced or removed since. Checked after copying, so that a write during the copy is seen too.
 * Returns the files taken out (their URLs answer 404); unreadable ones are warned about by copyTree().
 */
export async function copyChecked(
  publicDir: string,
  files: string[],
  dir: string,
  state: (rel: string) => string | undefined,
  contents?: (rel: string) => Buffer | undefined,
): Promise<string[]> {
  const unreadable = new Set(await copyTree(publicDir, files, dir, contents));
  const buffer = Buffer.allocUnsafe(1 << 20);
  const changed = files.filter((rel) => {
    if (unreadable.has(rel)) return false;
    const recorded = state(rel);
    const copy = path.join(dir, rel);
    if (!recorded || !lstatSync(copy, NO_THROW)?.isFile()) return true;
    const digest = digestOf(recorded);
    if (digest) return hashFile(copy, buffer) !== digest;
    const now = lstatSync(path.join(publicDir, rel), NO_THROW);
    return !now?.isFile() || statState(now) !== recorded;
  });
  for (const rel of changed) await fs.rm(path.join(dir, rel), { force: true });
  return changed;
}

const NO_THROW = { throwIfNoEntry: false } as const;
