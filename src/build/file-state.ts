// What a file of public/ was when a build's token was made from it, so that a copy made later
// (after compiling) can be checked to hold those bytes: the SHA-256 the "hash" strategy read, or,
// for a token that did not read the bytes, the file's lstat. A write into the file changes its
// ctime (which no program can set back), a replacement its inode. The lstat is as fine as the file
// system's clock: a write in the same tick as the one before the token was made (milliseconds
// apart, both during next.config) could go unseen; a digest sees every change.
import type { Stats } from 'node:fs';

/** `sha256:<hex>` or `stat:<inode>:<size>:<mtime>:<ctime>`, by `/`-separated path under public/. */
export type FileStates = Map<string, string>;

export const digestState = (sha256: string): string => `sha256:${sha256}`;

export const statState = (stat: Stats): string => `stat:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;

/** The SHA-256 that `state` holds, if it is a digest. */
export const digestOf = (state: string | undefined): string | undefined =>
  state?.startsWith('sha256:') ? state.slice('sha256:'.length) : undefined;
