import { lstatSync, promises as fs } from 'node:fs';
import path from 'node:path';

// The files of a token folder when it holds files rather than links (for hosts that copy public/
// and would turn links into absolute links to the build machine). Each is a hard link to the file
// in public/: a regular file to every tool, no extra disk, and where an editor replaces the file
// in public/, the old token keeps the old bytes. Where hard links are refused, a copy.

// Errors that mean "no hard link here" (another device, a file system without them, too many).
const NO_HARD_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS']);

/**
 * Fills the new, empty folder `dir` with a hard link (or a copy) of each of `files` of `publicDir`,
 * or with the bytes that `contents` gives for a file (a rewritten copy).
 */
export async function copyTree(
  publicDir: string,
  files: string[],
  dir: string,
  contents?: (rel: string) => Buffer | undefined,
): Promise<void> {
  const made = new Set<string>();
  for (const rel of files) {
    const parent = path.dirname(rel);
    if (parent !== '.' && !made.has(parent)) {
      await fs.mkdir(path.join(dir, parent), { recursive: true });
      made.add(parent);
    }
    const source = path.join(publicDir, rel);
    const target = path.join(dir, rel);
    const bytes = contents?.(rel);
    if (bytes) {
      await fs.writeFile(target, bytes);
      continue;
    }
    try {
      await fs.link(source, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'ENOENT') continue; // it went away since the listing
      if (!NO_HARD_LINK.has(code)) throw error;
      await fs.copyFile(source, target);
    }
  }
}

/**
 * Whether `dir` holds exactly a hard link of each of `files` to the file in `publicDir` now.
 * Synchronous on purpose: two lstat calls per file, and per-file promises would cost more than the
 * calls themselves (as in the token scan).
 */
export function treeIsCurrent(publicDir: string, files: string[], dir: string): boolean {
  for (const rel of files) {
    const source = lstatSync(path.join(publicDir, rel), NO_THROW);
    const copy = lstatSync(path.join(dir, rel), NO_THROW);
    if (!source || !copy || !copy.isFile() || source.ino !== copy.ino || source.dev !== copy.dev) return false;
  }
  return true;
}

const NO_THROW = { throwIfNoEntry: false } as const;

/**
 * The files under `dir` that are hard links of the file at the same path in `publicDir`: the
 * package's, by construction (their bytes stay in public/), even where no record says so.
 */
export async function hardLinksOf(publicDir: string, dir: string): Promise<string[]> {
  const found: string[] = [];
  const names = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
  for (const rel of names.map(String)) {
    const [copy, source] = await Promise.all([
      fs.lstat(path.join(dir, rel)).catch(() => undefined),
      fs.lstat(path.join(publicDir, rel)).catch(() => undefined),
    ]);
    if (copy?.isFile() && source?.isFile() && copy.ino === source.ino && copy.dev === source.dev) found.push(rel);
  }
  return found;
}

/** Removes `files` (regular files only) from `dir`, then the folders among them that became empty. */
export async function removeFiles(dir: string, files: string[]): Promise<void> {
  const parents = new Set<string>();
  for (const rel of files) {
    const full = path.join(dir, rel);
    const stat = await fs.lstat(full).catch(() => undefined);
    if (stat?.isFile()) await fs.unlink(full);
    for (let parent = path.dirname(rel); parent !== '.'; parent = path.dirname(parent)) parents.add(parent);
  }
  // Deepest first, so that a folder is empty by the time it is tried; one that is not stays.
  for (const parent of [...parents].sort((a, b) => b.length - a.length)) {
    await fs.rmdir(path.join(dir, parent)).catch(() => undefined);
  }
}
