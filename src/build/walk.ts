// The walk of public/ behind listFiles() and mtimeToken() (build time and the CLI only: Node imports).
import { lstatSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Past this many entries still to walk (estimated), worker threads take shares of the rest of an
 * mtime walk: below it, starting a worker costs more than its share of the walk saves (where it
 * breaks even: bench/ANALYSIS.md, "Measurements behind constants of src/").
 */
export const WORKER_THRESHOLD = 30_000;

export interface WalkOptions {
  publicDir: string;
  /** Names skipped at the top of public/ only (the namespace and the hosts' rule files). */
  skipTop: readonly string[];
  /** Estimated entries left past which worker threads take the rest (tests lower it). */
  threshold?: number;
  /** How many threads walk, this one included (default: one per core, at most 4); 1 means no worker. */
  workers?: number;
  /** Tests: wait until the workers are ready, so that each one walks a share whatever the tree's size. */
  waitForWorkers?: boolean;
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
// worker file to locate next to them. It says when it is ready, then walks the share it is sent.
// It stays until the main thread closes the channel, so that its exit never comes before its
// answer (the two travel on different channels).
const WORKER_SOURCE = `'use strict';
const { workerData } = require('node:worker_threads');
const walkDirs = ${walkDirs.toString()};
const { port } = workerData;
port.on('message', (share) => {
  const walk = { ...share, head: 0, seen: 0, read: 0, newest: 0, files: undefined, stat: true, skipTop: [] };
  walkDirs(walk, require('node:fs'));
  port.postMessage(walk.newest);
});
port.postMessage('ready');
`;

function start(opts: WalkOptions, list: boolean, stat: boolean): Walk {
  return {
    dirs: [shortest(opts.publicDir)],
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

/**
 * `dir` relative to the current folder when that is shorter (`public` for the CLI run in the app's
 * folder): the kernel resolves every component of every path the walk reads, once per file, so
 * fewer components make a walk faster (bench/ANALYSIS.md). Workers share this process's current
 * folder, and nothing that runs a walk (next.config, the CLI) changes it while a walk lasts.
 */
function shortest(dir: string): string {
  let rel: string;
  try {
    rel = path.relative(process.cwd(), dir);
  } catch {
    return dir; // the current folder was removed
  }
  return rel !== '' && rel.length < dir.length && !path.isAbsolute(rel) ? rel : dir;
}

/** The regular files under public/, as `/`-separated relative paths, in no particular order. */
export function walkFiles(opts: WalkOptions): string[] {
  // Synchronous only: without an lstat per file, a listing is too quick to pay for starting workers
  // and copying the paths back.
  const walk = start(opts, true, false);
  walkDirs(walk, FS);
  return walk.files as string[];
}

/**
 * The newest modification time (ms) of the regular files under public/, 0 when there is none.
 * Starts synchronously; once what is left looks large enough to pay for threads, worker threads
 * are started and the walk goes on here while they start; each worker, once ready,
 * takes a share of the folders not yet read.
 */
export async function walkNewest(opts: WalkOptions): Promise<number> {
  const threshold = opts.threshold ?? WORKER_THRESHOLD;
  // Threads in all, this one included. At most 4: each worker costs a V8 heap and time to start,
  // and threads' lstat calls slow each other down (more than 4 is unmeasured).
  const threads = Math.max(1, opts.workers ?? Math.min(4, os.availableParallelism()));
  const walk = start(opts, false, true);
  const large = (w: Walk) => {
    const left = w.dirs.length - w.head;
    // Entries left, estimated from those of the folders read so far.
    return left >= 2 && w.read > 0 && (left * w.seen) / w.read >= threshold;
  };
  walkDirs(walk, FS, threads > 1 ? large : undefined);
  if (walk.head >= walk.dirs.length) return walk.newest;

  const { MessageChannel, Worker, receiveMessageOnPort } = await import('node:worker_threads');
  const helpers: Helper[] = [];
  for (let i = 1; i < threads; i++) {
    try {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { port: port2 }, transferList: [port2] });
      // A worker that fails before it has a share (out of memory, say) is simply not used; one
      // with a share has it walked here (walkShare). Without a listener, its error would be thrown.
      worker.on('error', () => {});
      helpers.push({ worker, port: port1, ready: false, result: undefined });
    } catch {
      // Threads not allowed here: this thread walks it all.
    }
  }
  if (opts.waitForWorkers) {
    await Promise.all(
      helpers.map(
        (h) =>
          new Promise<void>((resolve) => {
            h.port.once('message', () => resolve(void (h.ready = true)));
            h.worker.once('exit', () => resolve());
          }),
      ),
    );
  }

  // Between two folders, a helper that has said it is ready gets its share: of the folders not yet
  // read, every n-th, where n counts this thread and the helpers without a share yet.
  const handOff = (w: Walk): boolean => {
    for (const helper of helpers) {
      if (helper.result || w.dirs.length - w.head < 2) continue;
      if (!helper.ready && receiveMessageOnPort(helper.port) === undefined) continue;
      helper.ready = true;
      const n = 1 + helpers.filter((h) => !h.result).length;
      const left = w.dirs.splice(w.head);
      const rels = w.rels.splice(w.head);
      const share: Share = { dirs: [], rels: [], sep: w.sep };
      left.forEach((dir, j) => {
        if (j % n === 0) {
          share.dirs.push(dir);
          share.rels.push(rels[j]!);
        } else {
          w.dirs.push(dir);
          w.rels.push(rels[j]!);
        }
      });
      helper.result = walkShare(helper, share);
    }
    return false;
  };
  walkDirs(walk, FS, handOff);
  for (const helper of helpers) {
    if (helper.result) continue;
    // Not ready before this thread was done: never used.
    helper.port.close();
    void helper.worker.terminate();
  }
  const results = await Promise.all(helpers.map((h) => h.result ?? 0));
  return Math.max(walk.newest, ...results);
}

interface Share {
  dirs: string[];
  rels: string[];
  sep: string;
}

interface Helper {
  worker: import('node:worker_threads').Worker;
  port: import('node:worker_threads').MessagePort;
  ready: boolean;
  result: Promise<number> | undefined;
}

/** The newest mtime of `share`, walked by `helper`; or here, whatever stops the worker. */
function walkShare(helper: Helper, share: Share): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    // Whatever stops a worker (out of memory, an error of the file system), its share is walked
    // here instead: the result is the same, and a real error is thrown here as the synchronous
    // walk throws it.
    // A worker ends only when the channel is closed (after its answer) or when it fails, so its
    // exit before an answer is a failure.
    let settled = false;
    const here = () => {
      if (settled) return;
      settled = true;
      helper.port.close();
      const rest: Walk = { ...share, head: 0, seen: 0, read: 0, newest: 0, files: undefined, stat: true, skipTop: [] };
      try {
        walkDirs(rest, FS);
        resolve(rest.newest);
      } catch (error) {
        reject(error);
      }
    };
    helper.port.once('message', (newest: number) => {
      settled = true;
      // Done: closing the channel ends the worker, and its exit need not hold up the process's.
      helper.port.close();
      helper.worker.unref();
      resolve(newest);
    });
    helper.worker.once('error', here);
    helper.worker.once('exit', here);
    helper.port.postMessage(share);
  });
}
