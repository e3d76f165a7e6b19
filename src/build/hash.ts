// The "hash" strategy: a digest of public/'s files, and the SHA-256 of one file (per-file
// fingerprints use it too).
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { warnOnce } from '../shared/errors.js';
import { digestState } from './file-state.js';
import { listFiles, type ScanOptions } from './public-files.js';

/**
 * A digest of the relative paths and contents of the regular files under `public/`: the same on
 * every machine and clone for the same files. 16 hex characters (64 bits).
 */
export async function hashToken(opts: ScanOptions): Promise<string> {
  const total = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK);
  const unreadable: string[] = [];
  for (const file of [...(opts.files ?? (await listFiles(opts)))].sort()) {
    const digest = hashFile(path.join(opts.publicDir, file), buffer);
    if (digest === undefined) {
      // Gone between the listing and now, or unreadable: left out of the digest.
      if (existsSync(path.join(opts.publicDir, file))) unreadable.push(file);
      continue;
    }
    total.update(file).update('\0').update(digest).update('\n');
    opts.states?.set(file, digestState(digest));
  }
  if (unreadable.length > 0) warnUnreadable(unreadable);
  return total.digest('hex').slice(0, 16);
}

const CHUNK = 1 << 20;

// A file that went away (ENOENT) or that this user may not read: the scan goes on without it.
const UNREADABLE = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ELOOP']);

/** Warns once about files of public/ that could not be read, and what that means for them. */
export function warnUnreadable(files: string[]): void {
  warnOnce(
    'unreadable',
    `${files.length} file${files.length === 1 ? '' : 's'} of public/ could not be read (${files.slice(0, 3).join(', ')}` +
      `${files.length > 3 ? ', …' : ''}), so ${files.length === 1 ? 'it is' : 'they are'} left out of the token and ` +
      'the busted folders. Make them readable by the user that runs next build, or move them out of public/.',
  );
}

/** The SHA-256 of a file, read in chunks into `buffer` so that large files need no large memory; undefined when it cannot be read. */
export function hashFile(file: string, buffer: Buffer): string | undefined {
  const hash = createHash('sha256');
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if (UNREADABLE.has((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
  try {
    let read: number;
    while ((read = readSync(fd, buffer, 0, CHUNK, null)) > 0) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
