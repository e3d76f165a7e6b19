// The walk of public/ behind listFiles() and mtimeToken() (build time and the CLI only: Node imports).
import { lstatSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Past this many entries still to walk (estimated), the rest of an mtime walk goes to worker
 * threads. Measured on 2 cores, in fresh processes as the CLI runs (trees of 5,000 to 100,000 files;
 * the whole CLI at 100,000: `npm run bench`, section 9): two workers take about 35 ms to start and,
 * as both threads' lstat calls slow each other down, walk only about 1.5 times as fast as one
 * thread, so they lose 20–40 ms up to 40,000 files, win about 40 ms at 60,000 and 120 ms at 100,000.
 */
export const WORKER_THRESHOLD = 50_000;

export interface WalkOptions {
  publicDir: string;
  /** Names skipped at the top of public/ only (the namespace and the hosts' rule files). */
  skipTop: readonly string[];
  /** Estimated entries left past which worker threads take the rest (tests lower it). */
  threshold?: number;
  /** How many worker threads (default: one per core, at most 4); fewer than 2 means none. */
  workers?: number;
}

/**
 * The state of one walk, breadth first: folders are read in the order they were found, so that
 * when the walk is handed to workers, the folders left are many and of similar depth (and size).
 */
interface Walk {
  dirs: string[];
  /** Each folder's path relative to public/, with a trailing `/` (`''` for public/ itself). */
  rels: string[];
  head: number;
  /** Entries seen and folders read, for the estimate of what is left. */
  seen: number;
  read: number;
  newest: number;
  files: string[] | undefined;
  stat: boolean;
  skipTop: readonly string[];
  sep: string;
}

interface WalkFs {
  readdirSync: typeof readdirSync;
  lstatSync: typeof lstatSync;
}

/**
 * Reads folders of `walk` until none is left or `stop()` says so. Self-contained (its text is also
 * the worker's code, see WORKER_SOURCE), hence the file system passed in and no outside names.
 *
 * It lists what fast-glob's `**` (`dot: true`, `onlyFiles`, no symlinks followed) listed before it, so
 * that existing tokens do not change: regular files only; symlinks neither listed nor followed;
 * folders that cannot be read skipped; and no name with a line break, which `**` never matched.
 */
function walkDirs(walk: Walk, fs: WalkFs, stop?: (walk: Walk) => boolean): void {
  const { dirs, rels, files, sep } = walk;
  const lineBreak = /[\n\r\u2028\u2029]/;
  while (walk.head < dirs.length) {
    if (stop !== undefined && stop(walk)) return;
    const dir = dirs[walk.head] as string;
    const rel = rels[walk.head] as string;
    walk.head++;
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    walk.read++;
    walk.seen += entries.length;
    for (const entry of entries) {
      const name = entry.name;
      if ((rel === '' && walk.skipTop.includes(name)) || lineBreak.test(name)) continue;
      if (entry.isDirectory()) {
        dirs.push(dir + sep + name);
        rels.push(rel + name + '/');
      } else if (entry.isFile()) {
        if (files !== undefined) files.push(rel + name);
        if (walk.stat) {
          // undefined: the file went away since its folder was read.
          const stats = fs.lstatSync(dir + sep + name, { throwIfNoEntry: false });
          if (stats !== undefined && stats.mtimeMs > walk.newest) walk.newest = stats.mtimeMs;
        }
      }
    }
  }
}

// A string evaluated as CommonJS (`eval: true`): the same in the CommonJS and ESM builds, with no
// worker file to locate next to them.
const WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const walkDirs = ${walkDirs.toString()};
const walk = { ...workerData, head: 0, seen: 0, read: 0, newest: 0, files: undefined, stat: true, skipTop: [] };
walkDirs(walk, require('node:fs'));
parentPort.postMessage(walk.newest);
`;

function start(opts: WalkOptions, list: boolean, stat: boolean): Walk {
  return {
    dirs: [opts.publicDir],
    rels: [''],
    head: 0,
    seen: 0,
    read: 0,
    newest: 0,
    files: list ? [] : undefined,
    stat,
    skipTop: opts.skipTop,
    sep: path.sep,
  };
}

const FS: WalkFs = { readdirSync, lstatSync };

/** The regular files under public/, as `/`-separated relative paths, in no particular order. */
export function walkFiles(opts: WalkOptions): string[] {
  // Synchronous only: without an lstat per file, listing 100,000 files takes about 80 ms here, too
  // little to pay for starting workers and copying the paths back.
  const walk = start(opts, true, false);
  walkDirs(walk, FS);
  return walk.files as string[];
}

/**
 * The newest modification time (ms) of the regular files under public/, 0 when there is none.
 * Starts synchronously; once what is left looks large enough to pay for worker threads, the
 * folders not yet read are shared among them.
 */
export async function walkNewest(opts: WalkOptions): Promise<number> {
  const threshold = opts.threshold ?? WORKER_THRESHOLD;
  // At most 4: each worker costs ~35 ms and a V8 heap to start, and on 2 cores two threads walked
  // only 1.5 times as fast as one (their lstat calls slow each other down); more is unmeasured.
  const count = Math.max(1, opts.workers ?? Math.min(4, os.availableParallelism()));
  const walk = start(opts, false, true);
  const large = (w: Walk) => {
    const left = w.dirs.length - w.head;
    // Entries left, estimated from those of the folders read so far.
    return left >= 2 && w.read > 0 && (left * w.seen) / w.read >= threshold;
  };
  walkDirs(walk, FS, count > 1 ? large : undefined);
  if (walk.head >= walk.dirs.length) return walk.newest;

  const left = walk.dirs.slice(walk.head);
  const rels = walk.rels.slice(walk.head);
  const shares = Array.from({ length: Math.min(count, left.length) }, (_, i) => ({
    // Round robin: neighbouring folders, often alike in size, go to different workers.
    dirs: left.filter((_, j) => j % count === i),
    rels: rels.filter((_, j) => j % count === i),
    sep: walk.sep,
  }));
  const { Worker } = await import('node:worker_threads');
  const results = await Promise.all(
    shares.map(
      (share) =>
        new Promise<number>((resolve, reject) => {
          // Whatever stops a worker (threads not allowed, out of memory, an error of the file
          // system), its share is walked here instead: the result is the same, and a real error is
          // thrown here as the synchronous walk throws it.
          let settled = false;
          const here = () => {
            if (settled) return;
            settled = true;
            const rest: Walk = { ...share, head: 0, seen: 0, read: 0, newest: 0, files: undefined, stat: true, skipTop: [] };
            try {
              walkDirs(rest, FS);
              resolve(rest.newest);
            } catch (error) {
              reject(error);
            }
          };
          try {
            const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: share });
            worker.once('message', (newest: number) => {
              settled = true;
              resolve(newest);
            });
            worker.once('error', here);
            worker.once('exit', here);
          } catch {
            here();
          }
        }),
    ),
  );
  return Math.max(walk.newest, ...results);
}
