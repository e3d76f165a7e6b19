// When the last `next build` ran and which token it made, kept in the build folder's cache/ (which
// Next.js keeps between builds), so that a build whose "mtime" token changed can tell when files of
// public/ written by that build (a feed, a search index) are the cause: each build then writes them
// again, and every URL changes at every build.
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FILE = 'last-build.json';
// A postbuild script (`npm run build` runs it right after `next build`) writes in this time too.
const AFTER_MS = 10_000;

export interface LastBuild {
  /** The command's start and end, in ms since the epoch. */
  start: number;
  end: number;
  token: string;
}

/** The folder of the record: `<distDir>/cache/next-static-bust`. */
function recordDir(appDir: string, distDir = '.next'): string {
  return path.join(path.resolve(appDir, distDir), 'cache', 'next-static-bust');
}

const pending = new Map<string, { appDir: string; token: string }>();

/**
 * Writes the record of this build when the process ends (its start is the process's). Once per
 * folder however many times the config runs; nothing when the app's folder is gone by then, or the
 * record's folder is a link (it would write elsewhere).
 */
export function recordBuild(appDir: string, distDir: string | undefined, token: string): void {
  if (pending.size === 0) process.once('exit', writeRecords);
  pending.set(recordDir(appDir, distDir), { appDir, token });
}

function writeRecords(): void {
  const end = Date.now();
  for (const [dir, { appDir, token }] of pending) {
    try {
      if (!existsSync(appDir)) continue;
      mkdirSync(dir, { recursive: true });
      if (lstatSync(dir).isSymbolicLink()) continue;
      const record: LastBuild & { generator: string } = { generator: 'next-static-bust', start: performance.timeOrigin, end, token };
      // A new file renamed over the old one: a link in its place is replaced, never written through.
      const temp = path.join(dir, `.${FILE}.${process.pid}`);
      rmSync(temp, { force: true }); // a leftover of a killed build, or a link: removed, not followed
      writeFileSync(temp, JSON.stringify(record), { flag: 'wx', mode: 0o644 });
      renameSync(temp, path.join(dir, FILE));
    } catch {
      // A record is advice for the next build, never a reason to fail this one.
    }
  }
  pending.clear();
}

/** The record of the last build, or undefined when there is none or it is not one of ours. */
export function readLastBuild(appDir: string, distDir: string | undefined): LastBuild | undefined {
  const file = path.join(recordDir(appDir, distDir), FILE);
  try {
    const stat = lstatSync(file);
    if (!stat.isFile() || stat.size > 4096) return undefined;
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<LastBuild> & { generator?: unknown };
    const { start, end, token } = data;
    if (data.generator !== 'next-static-bust' || typeof token !== 'string') return undefined;
    if (typeof start !== 'number' || typeof end !== 'number' || !(start <= end)) return undefined;
    return { start, end, token };
  } catch {
    return undefined;
  }
}

/**
 * The files of `files` (relative to `publicDir`) last modified by a build: this one (since its process
 * started, as a generator in next.config writes), or the last one while it ran or right after it (a
 * step after the token, a postbuild script). Only when the token changed since the last build, whose
 * record says when it ran: otherwise nothing is said and no file is looked at, nor when the newest
 * time (`token`, of "mtime", in seconds) is older than both builds.
 */
export function writtenByBuilds(
  last: LastBuild | undefined,
  token: string,
  publicDir: string,
  files: readonly string[],
  thisStart = performance.timeOrigin,
  now = Date.now(),
): string[] {
  if (!last || last.token === token || (Number(token) + 1) * 1000 <= Math.min(last.start, thisStart)) return [];
  const written: string[] = [];
  for (const file of files) {
    const mtime = lstatSync(path.join(publicDir, file), { throwIfNoEntry: false })?.mtimeMs;
    if (mtime === undefined) continue;
    // A time in the future was set by hand (touch -d), not written by a build.
    if ((mtime >= thisStart && mtime <= now) || (mtime >= last.start && mtime <= last.end + AFTER_MS)) written.push(file);
  }
  return written;
}
