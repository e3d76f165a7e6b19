// The folder of one token in the namespace: one relative link per top-level entry of public/,
// made aside and renamed into place, and brought in line with public/ when it exists already.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errno, StaticBustError } from '../shared/errors.js';
import { removeOwnFolder, unlinkIfLink } from './expiry.js';
import { linkTarget } from './manifest.js';
import { inUse, release, TEMP, tempName } from './temp-names.js';

/** Names in `public/` that get a link: everything at the top level but the namespace. */
export async function topLevelEntries(publicDir: string, namespace: string): Promise<string[]> {
  const names = await fs.readdir(publicDir);
  return names.filter((name) => name !== namespace).sort();
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

/** Makes the folder of `token` hold a link to each of `entries`, or brings it in line. */
export async function ensureTokenFolder(nsDir: string, token: string, entries: string[]): Promise<void> {
  // A concurrent build of another token may expire this folder while it is being brought in line
  // (keep: 0): it is then made again, a few times at most.
  for (let attempt = 1; ; attempt++) {
    try {
      await makeOrReconcile(nsDir, token, entries);
      return;
    } catch (error) {
      if (errno(error) !== 'ENOENT' || attempt === 5) throw error;
    }
  }
}

async function makeOrReconcile(nsDir: string, token: string, entries: string[]): Promise<void> {
  const dir = path.join(nsDir, token);
  const existing = await existingTokenFolder(dir);
  if (!existing) {
    // Build the folder aside, then rename it into place: it appears complete or not at all.
    const name = tempName(token);
    const temp = path.join(nsDir, name);
    try {
      await fs.mkdir(temp);
      for (const entry of entries) await fs.symlink(linkTarget(entry), path.join(temp, entry));
      await fs.rename(temp, dir);
      return;
    } catch (error) {
      await removeOwnFolder(temp);
      // Another process renamed its copy into place first: use theirs.
      if (!['EEXIST', 'ENOTEMPTY'].includes(errno(error) ?? '')) throw error;
    } finally {
      release(name);
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
    const temp = tempName(name);
    try {
      await fs.symlink(linkTarget(name), path.join(dir, temp));
      await fs.rename(path.join(dir, temp), path.join(dir, name));
    } finally {
      release(temp);
    }
  }
}

