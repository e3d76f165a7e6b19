// The "hash" strategy: a digest of public/'s files, and the SHA-256 of one file (per-file
// fingerprints use it too).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { listFiles, type ScanOptions } from './token.js';

/**
 * A digest of the relative paths and contents of the regular files under `public/`: the same on
 * every machine and clone for the same files. 16 hex characters (64 bits).
 */
export async function hashToken(opts: ScanOptions): Promise<string> {
  const total = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK);
  for (const file of [...(opts.files ?? (await listFiles(opts)))].sort()) {
    const digest = hashFile(path.join(opts.publicDir, file), buffer);
    if (digest === undefined) continue; // it went away between the listing and now
    total.update(file).update('\0').update(digest).update('\n');
  }
  return total.digest('hex').slice(0, 16);
}

const CHUNK = 1 << 20;

/** The SHA-256 of a file, read in chunks into `buffer` so that large files need no large memory. */
export function hashFile(file: string, buffer: Buffer): string | undefined {
  const hash = createHash('sha256');
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
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
