// The walk of public/ (src/build/walk.ts) against what it replaced: fast-glob's listing, with the options
// listFiles() gave it, and an lstat of each listed file. Same files, same newest mtime and the same
// tokens, in one thread and in worker threads.
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { hashToken } from '../../src/build/hash.js';
import { listFiles } from '../../src/build/public-files.js';
import { RULE_FILES } from '../../src/shared/rule-files.js';
import { mtimeToken } from '../../src/build/token.js';
import { walkFiles, walkNewest, WORKER_THRESHOLD } from '../../src/build/walk.js';
import { nodePath, setMtime, useCjsBuild, useTmp, writeTree } from '../helpers/tmp.js';

// Counts the workers started, and the errors that would make their shares fall back to the main
// thread (which gives the same result, so only this tells that the workers really walked).
// Shares counts the shares of folders sent to workers.
// broken: workers fail as they start (their code throws).
// slowAnswers: what workers send reaches the walk 50 ms late, after anything else they do.
const started = vi.hoisted(() => ({ workers: 0, shares: 0, errors: [] as unknown[], broken: false, slowAnswers: false }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class Worker extends real.Worker {
    constructor(...[source, options]: ConstructorParameters<typeof real.Worker>) {
      super(started.broken ? "throw new Error('broken worker')" : source, options);
      started.workers++;
      this.on('error', (error) => started.errors.push(error));
    }
  }
  class MessageChannel extends real.MessageChannel {
    constructor() {
      super();
      const post = this.port1.postMessage.bind(this.port1);
      this.port1.postMessage = (message: unknown, transfer?: never) => {
        started.shares++;
        post(message, transfer);
      };
      const once = this.port1.once.bind(this.port1);
      this.port1.once = ((event: string, listener: (...args: unknown[]) => void) =>
        once(event, (...args: unknown[]) =>
          started.slowAnswers ? setTimeout(() => listener(...args), 50) : listener(...args),
        )) as typeof this.port1.once;
    }
  }
  return { ...real, Worker, MessageChannel, default: { ...real, Worker, MessageChannel } };
});

// The file system as the walk sees it in the main thread: a path in `vanish` is removed just
// before the walk reads (folder) or lstats (file) it, as if another process deleted it meanwhile.
const vanish = vi.hoisted(() => new Set<string>());
// The folders read in the main thread (workers use the real file system).
const reads = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const { resolve } = await import('node:path');
  // Resolved: the walk reads by the path relative to the current folder when that is shorter.
  const gone = (target: unknown) => {
    if (vanish.has(resolve(String(target)))) real.rmSync(String(target), { recursive: true, force: true });
  };
  const readdirSync = ((dir: string, options: never) => (reads.count++, gone(dir), real.readdirSync(dir, options))) as typeof real.readdirSync;
  const lstatSync = ((file: string, options: never) => (gone(file), real.lstatSync(file, options))) as typeof real.lstatSync;
  return { ...real, readdirSync, lstatSync, default: { ...real, readdirSync, lstatSync } };
});

const tmp = useTmp();
const cjs = useCjsBuild();
const NS = '_bust';
const OLD = 1_600_000_000;

beforeEach(() => {
  started.workers = 0;
  started.shares = 0;
  started.errors = [];
  started.broken = false;
  started.slowAnswers = false;
  vanish.clear();
});

/** The listing as listFiles() made it before walk.ts: fast-glob. */
function fastGlobListing(publicDir: string): string[] {
  return fg.sync('**', {
    cwd: publicDir,
    onlyFiles: true,
    dot: true,
    followSymbolicLinks: false,
    suppressErrors: true,
    unique: false,
    ignore: [`${NS}/**`, ...RULE_FILES],
  });
}

const skipTop = [NS, ...RULE_FILES];
const sorted = (list: string[]) => [...list].sort();

/**
 * A public/ folder of `folders` × 25 files, all at OLD, and the cases the rules are about, each
 * newer than the file that should be newest ('x/_bust/kept.txt', 1,700,000,000) if it is wrongly
 * counted.
 */
async function edgeTree(folders: number): Promise<string> {
  const root = await tmp('nsb-walk-');
  const dir = path.join(root, 'public');
  const tree: Record<string, string> = {};
  for (let d = 0; d < folders; d++) for (let f = 0; f < 25; f++) tree[`d${d}/sub/f${f}.txt`] = `${d}.${f}`;
  Object.assign(tree, {
    '.hidden': 'dot file',
    '.well-known/security.txt': 'dot folder',
    'x/_bust/kept.txt': 'a folder named like the namespace, below the top: kept',
    'x/_headers': 'a rule file below the top: kept',
    '[id]/page (1).txt': 'glob characters',
    'a*b?.txt': 'glob characters',
    '{a,b}.txt': 'glob characters',
    '!important #1.txt': 'glob characters',
    'css/site.css': 'body{}',
  });
  await writeTree(dir, tree);
  for (const rel of Object.keys(tree)) await setMtime(path.join(dir, rel), OLD);
  await setMtime(path.join(dir, 'x/_bust/kept.txt'), 1_700_000_000);

  const newer = async (rel: string, content = 'must not count') => {
    await writeTree(dir, { [rel]: content });
    await setMtime(path.join(dir, rel), 1_900_000_000);
  };
  await newer(`${NS}/token/stale.txt`);
  for (const rule of RULE_FILES) await newer(rule);
  // A top-level folder named like a rule file was skipped whole by fast-glob's ignore pattern.
  await fs.rm(path.join(dir, '_redirects'));
  await newer('_redirects/inside.txt');
  if (process.platform !== 'win32') {
    // fast-glob's `**` never matched a name with a line break; keeping them out keeps the tokens.
    await newer('line\nbreak.txt');
    await newer('folder\rname/inside.txt');
    await newer('x/deeper\u2028line.txt');
  }
  // Links: to a newer file (the link itself newer too) and to a folder of newer files outside.
  await newer('../outside/new.txt');
  await fs.symlink('css/site.css', path.join(dir, 'alias.css'));
  await fs.lutimes(path.join(dir, 'alias.css'), 1_900_000_000, 1_900_000_000);
  await fs.symlink(path.join(root, 'outside'), path.join(dir, 'vendor'));
  await fs.symlink(path.join(root, 'outside/new.txt'), path.join(dir, 'd0/sub/link.txt'));
  return dir;
}

describe('the walk of public/', () => {
  it('lists exactly the files fast-glob listed: dot files, no links, the namespace and rule files skipped only at the top', async () => {
    const dir = await edgeTree(4);
    const listed = await listFiles({ publicDir: dir, namespace: NS });
    expect(sorted(listed)).toEqual(sorted(fastGlobListing(dir)));
    expect(listed).toEqual(expect.arrayContaining(['.hidden', '.well-known/security.txt', 'x/_bust/kept.txt', 'x/_headers']));
    expect(listed.some((file) => file.startsWith(`${NS}/`) || file.startsWith('_redirects'))).toBe(false);
    expect(listed).not.toContain('alias.css');
    expect(listed.length).toBe(4 * 25 + 9);
  });

  it('finds the same newest mtime in worker threads as in one thread and as lstat of the old listing', async () => {
    const dir = await edgeTree(40);
    const opts = { publicDir: dir, skipTop };
    const oneThread = await walkNewest({ ...opts, threshold: Infinity });
    expect(started.workers).toBe(0);
    // Three threads: this one and two workers, each of which walks a share.
    const inWorkers = await walkNewest({ ...opts, threshold: 0, workers: 3, waitForWorkers: true });
    expect(started.workers).toBe(2);
    expect(started.shares).toBe(2);
    expect(started.errors).toEqual([]);

    expect(Math.floor(oneThread / 1000)).toBe(1_700_000_000);
    expect(inWorkers).toBe(oneThread);
    expect(await mtimeToken({ publicDir: dir, namespace: NS, files: fastGlobListing(dir) })).toBe('1700000000');
  });

  it('gives the same mtime and hash tokens as the listing of fast-glob did', async () => {
    const dir = await edgeTree(40);
    const old = { publicDir: dir, namespace: NS, files: fastGlobListing(dir) };
    expect(await mtimeToken({ publicDir: dir, namespace: NS })).toBe(await mtimeToken(old));
    expect(await hashToken({ publicDir: dir, namespace: NS })).toBe(await hashToken(old));
  });

  it('walks a small tree in one thread, and hands a tree estimated above the threshold to workers', async () => {
    const dir = await edgeTree(40); // about 1,000 files
    expect(WORKER_THRESHOLD).toBeGreaterThan(10_000);
    await mtimeToken({ publicDir: dir, namespace: NS });
    expect(started.workers).toBe(0);
    await walkNewest({ publicDir: dir, skipTop, threshold: 500, workers: 2, waitForWorkers: true });
    expect(started.workers).toBe(1);
    expect(started.shares).toBe(1);
    expect(started.errors).toEqual([]);
  });

  it("waits for a worker's answer however late it comes, and does not walk its share again", async () => {
    const dir = await edgeTree(40);
    reads.count = 0;
    const oneThread = await walkNewest({ publicDir: dir, skipTop, threshold: Infinity });
    const folders = reads.count;
    // The answer comes on the walk's own channel, the worker's exit on another: an exit seen
    // first must not count as a failure.
    started.slowAnswers = true;
    reads.count = 0;
    expect(await walkNewest({ publicDir: dir, skipTop, threshold: 0, workers: 2, waitForWorkers: true })).toBe(oneThread);
    expect(started.shares).toBe(1);
    expect(reads.count).toBeLessThan(folders);
  });

  it('keeps walking while its workers start, and stops the ones not ready when it is done', async () => {
    const dir = await edgeTree(40);
    const oneThread = await walkNewest({ publicDir: dir, skipTop, threshold: Infinity });
    // About 1,000 files: walked here long before a worker is ready (about 35 ms).
    expect(await walkNewest({ publicDir: dir, skipTop, threshold: 0, workers: 4 })).toBe(oneThread);
    expect(started.workers).toBe(3);
    expect(started.errors).toEqual([]);
  });

  it('walks the whole tree itself when its workers fail as they start', async () => {
    const dir = await edgeTree(40);
    const oneThread = await walkNewest({ publicDir: dir, skipTop, threshold: Infinity });
    started.broken = true;
    expect(await walkNewest({ publicDir: dir, skipTop, threshold: 0, workers: 3, waitForWorkers: true })).toBe(oneThread);
    expect(await walkNewest({ publicDir: dir, skipTop, threshold: 0, workers: 3 })).toBe(oneThread);
    expect(started.workers).toBe(4);
    expect(started.shares).toBe(0);
  });

  it('is not stopped by the error of a worker that fails before it has a share (no listener of ours in between)', async () => {
    const dir = await edgeTree(4);
    const script = `
      const threads = require('node:worker_threads');
      threads.Worker = class extends threads.Worker {
        constructor(source, options) { super("throw new Error('broken worker')", options); }
      };
      const { walkNewest } = require(${JSON.stringify(path.join(cjs(), 'build/walk.js'))});
      walkNewest({ publicDir: process.argv[1], skipTop: ${JSON.stringify(skipTop)}, threshold: 0, workers: 3, waitForWorkers: true })
        .then((newest) => console.log(Math.floor(newest / 1000)));`;
    const out = execFileSync(process.execPath, ['-e', script, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out.trim()).toBe('1700000000');
  });

  it('reads public/ by its shorter path from the current folder, with the same results in one thread and in workers', async () => {
    const dir = await edgeTree(40);
    // In the app's folder (as the CLI runs), the walk reads `public/...` rather than absolute
    // paths: the same files and the same newest mtime as from anywhere else.
    const script = `
      const fs = require('node:fs');
      const read = fs.readdirSync;
      const paths = [];
      fs.readdirSync = (dir, options) => (paths.push(dir), read(dir, options));
      const { walkFiles, walkNewest } = require(${JSON.stringify(path.join(cjs(), 'build/walk.js'))});
      const publicDir = process.argv[1];
      const skipTop = ${JSON.stringify(skipTop)};
      (async () => {
        const result = {
          files: walkFiles({ publicDir, skipTop }).sort(),
          oneThread: await walkNewest({ publicDir, skipTop, threshold: Infinity }),
          inWorkers: await walkNewest({ publicDir, skipTop, threshold: 0, workers: 2, waitForWorkers: true }),
        };
        console.log(JSON.stringify({ ...result, first: paths[0] }));
      })();`;
    const run = (cwd: string) =>
      JSON.parse(execFileSync(process.execPath, ['-e', script, dir], { cwd, encoding: 'utf8' })) as Record<string, unknown>;
    const inApp = run(path.dirname(dir));
    const elsewhere = run('/');
    expect(inApp.first).toBe('public');
    expect(path.resolve('/', elsewhere.first as string)).toBe(dir);
    expect(inApp.files).toEqual(sorted(fastGlobListing(dir)));
    expect({ ...inApp, first: 0 }).toEqual({ ...elsewhere, first: 0 });
    expect(inApp.inWorkers).toBe(inApp.oneThread);
  });

  it('never starts a worker for a tree with a single folder to walk', async () => {
    const dir = path.join(await tmp('nsb-walk-'), 'public');
    await writeTree(dir, Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`only/f${i}.txt`, 'x'])));
    const newest = await walkNewest({ publicDir: dir, skipTop, threshold: 0, workers: 2 });
    expect(newest).toBeGreaterThan(0);
    expect(started.workers).toBe(0);
  });

  it('skips a file and a folder that go away while it walks', async () => {
    const dir = path.join(await tmp('nsb-walk-'), 'public');
    await writeTree(dir, { 'a.txt': 'a', 'sub/gone.txt': 'g', 'dir/inner.txt': 'i' });
    await setMtime(path.join(dir, 'a.txt'), OLD);
    await setMtime(path.join(dir, 'sub/gone.txt'), 1_900_000_000);
    await setMtime(path.join(dir, 'dir/inner.txt'), 1_900_000_000);
    vanish.add(path.join(dir, 'sub', 'gone.txt'));
    vanish.add(path.join(dir, 'dir'));
    expect(await mtimeToken({ publicDir: dir, namespace: NS })).toBe(String(OLD));
    expect(walkFiles({ publicDir: dir, skipTop })).toEqual(['a.txt']);
  });

  it.skipIf(process.platform === 'win32')(
    'skips a folder it cannot read, in worker threads as in one thread, as fast-glob did',
    async () => {
      const root = await tmp('nsb-walk-');
      const dir = path.join(root, 'public');
      const tree: Record<string, string> = { 'open/a.txt': 'a', 'locked/b.txt': 'b', 'locked/deeper/c.txt': 'c' };
      for (let d = 0; d < 10; d++) tree[`more${d}/f.txt`] = String(d);
      await writeTree(dir, tree);
      for (const rel of Object.keys(tree)) await setMtime(path.join(dir, rel), OLD);
      await setMtime(path.join(dir, 'locked/b.txt'), 1_900_000_000);
      await fs.chmod(path.join(dir, 'locked'), 0o000);
      // Root reads every folder whatever its mode: the walk then runs as `nobody`.
      const asRoot = process.getuid?.() === 0;
      if (asRoot) for (const readable of [root, cjs()]) await fs.chmod(readable, 0o755);
      // fast-glob from a copy beside the tree: nobody may not reach this clone's node_modules (a
      // clone under a folder only root can enter, as \`mktemp -d\` makes).
      const modules = path.join(root, 'node_modules');
      await copyPackages(['fast-glob'], modules);
      const script = `
        const fg = require('fast-glob');
        const { walkNewest } = require(${JSON.stringify(path.join(cjs(), 'build/walk.js'))});
        const { listFiles } = require(${JSON.stringify(path.join(cjs(), 'build/public-files.js'))});
        const { mtimeToken } = require(${JSON.stringify(path.join(cjs(), 'build/token.js'))});
        const publicDir = process.argv[1];
        const skipTop = ['_bust'];
        (async () => {
          const old = fg.sync('**', { cwd: publicDir, onlyFiles: true, dot: true, followSymbolicLinks: false, suppressErrors: true, unique: false, ignore: ['_bust/**'] });
          console.log(JSON.stringify({
            old: old.sort(),
            listed: (await listFiles({ publicDir, namespace: '_bust' })).sort(),
            oneThread: await walkNewest({ publicDir, skipTop, threshold: Infinity }),
            inWorkers: await walkNewest({ publicDir, skipTop, threshold: 0, workers: 2, waitForWorkers: true }),
            token: await mtimeToken({ publicDir, namespace: '_bust' }),
          }));
        })();`;
      const out = execFileSync(process.execPath, ['-e', script, dir], {
        encoding: 'utf8',
        env: { ...process.env, NODE_PATH: modules },
        ...(asRoot && { uid: 65534, gid: 65534 }),
      });
      const result = JSON.parse(out) as { old: string[]; listed: string[]; oneThread: number; inWorkers: number; token: string };
      expect(result.listed).toEqual(result.old);
      expect(result.listed).toContain('open/a.txt');
      expect(result.listed.some((file) => file.startsWith('locked/'))).toBe(false);
      expect(Math.floor(result.oneThread / 1000)).toBe(OLD);
      expect(result.inWorkers).toBe(result.oneThread);
      expect(result.token).toBe(String(OLD));
    },
  );
});

/** Copies `names` and every package they depend on from this clone's node_modules into `to`. */
async function copyPackages(names: string[], to: string): Promise<void> {
  const seen = new Set<string>();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const from = path.join(nodePath(), name);
    await fs.cp(from, path.join(to, name), { recursive: true, dereference: true });
    const pkg = JSON.parse(await fs.readFile(path.join(from, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    queue.push(...Object.keys(pkg.dependencies ?? {}));
  }
}
