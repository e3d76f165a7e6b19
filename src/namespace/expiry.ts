// What a build removes from the namespace: the folders of tokens past `keep`, folders the manifest
// lost, and leftovers of killed processes.
// Only the package's own links and copies are removed; a folder that holds anything else stays.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errno } from '../shared/errors.js';
import { isToken } from '../shared/safe-names.js';
import { copiesOf, removeFiles } from './file-copies.js';
import { linkTarget, readManifest, writeManifest, type Manifest } from './manifest.js';
import { inUse, TEMP } from './temp-names.js';

/**
 * Makes `token` the newest in the manifest and removes the folders of tokens older than the `keep`
 * previous ones. Returns the tokens removed and the tokens still served, oldest first.
 */
export async function expireTokens(
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

/** Removes temporary folders and files that a killed process left in the namespace. */
export async function cleanLeftovers(nsDir: string): Promise<void> {
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
export async function removeOwnFolder(dir: string, files?: string[]): Promise<boolean> {
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
    if (errno(error) === 'ENOENT') return true;
    if (errno(error) === 'ENOTEMPTY' || errno(error) === 'EEXIST') return false;
    throw error;
  }
}

export async function unlinkIfLink(file: string): Promise<void> {
  await fs.unlink(file).catch((error: unknown) => {
    if (errno(error) !== 'ENOENT') throw error;
  });
}

