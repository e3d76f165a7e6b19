// Temporary folders for tests, and the few things the tests of rotate(), the config and the CLI
// need to look at them: a file tree writer, recursive snapshots, and a private CommonJS build of
// src/ for child processes.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Returns a function that makes a fresh folder under os.tmpdir(); every folder it made is removed
 * after each test (made writable again first, for tests that chmod).
 */
export function useTmp(): (prefix?: string) => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    for (const dir of made.splice(0)) {
      await makeWritable(dir);
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
  return async (prefix = 'nsb-') => {
    // realpath: os.tmpdir() may itself be a link (macOS), and rotate() compares resolved paths.
    const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
    made.push(dir);
    return dir;
  };
}

async function makeWritable(dir: string): Promise<void> {
  const stat = await fs.lstat(dir).catch(() => undefined);
  if (!stat || stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    await fs.chmod(dir, 0o755).catch(() => undefined);
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      await makeWritable(path.join(dir, name));
    }
  }
}

/** A file tree: relative path → contents. Folders are made as needed. */
export type Tree = Record<string, string>;

export async function writeTree(root: string, tree: Tree): Promise<void> {
  for (const [rel, content] of Object.entries(tree)) {
    const file = path.join(root, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
}

/** Sets the modification (and access) time of `file`, in seconds since the epoch. */
export async function setMtime(file: string, seconds: number): Promise<void> {
  await fs.utimes(file, seconds, seconds);
}

/** A `public/` folder holding `tree`, in a new temporary folder; returns the path of `public/`. */
export async function makePublic(tmp: (prefix?: string) => Promise<string>, tree: Tree): Promise<string> {
  const dir = path.join(await tmp('nsb-public-'), 'public');
  await fs.mkdir(dir);
  await writeTree(dir, tree);
  return dir;
}

/** An app folder: `<dir>/public/` with `tree`, and a `next.config.js` so the config finds it. */
export async function makeApp(tmp: (prefix?: string) => Promise<string>, tree: Tree = {}): Promise<string> {
  const dir = await tmp('nsb-app-');
  await fs.mkdir(path.join(dir, 'public'));
  await writeTree(path.join(dir, 'public'), tree);
  await fs.writeFile(path.join(dir, 'next.config.js'), 'module.exports = {};\n');
  return dir;
}

export type Node =
  | { type: 'file'; content: string; mode: number }
  | { type: 'dir'; mode: number }
  | { type: 'link'; target: string }
  | { type: 'other' };

/**
 * Everything under `root`, by relative path, without following links: file contents and modes,
 * folders, link targets. Two equal snapshots mean nothing was added, removed or changed.
 */
export async function snapshot(root: string): Promise<Record<string, Node>> {
  const out: Record<string, Node> = {};
  const walk = async (rel: string) => {
    const full = path.join(root, rel);
    for (const name of (await fs.readdir(full)).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      const stat = await fs.lstat(path.join(root, child));
      if (stat.isSymbolicLink()) {
        out[child] = { type: 'link', target: await fs.readlink(path.join(root, child)) };
      } else if (stat.isDirectory()) {
        out[child] = { type: 'dir', mode: stat.mode & 0o7777 };
        await walk(child);
      } else if (stat.isFile()) {
        out[child] = {
          type: 'file',
          content: await fs.readFile(path.join(root, child), 'utf8'),
          mode: stat.mode & 0o7777,
        };
      } else {
        out[child] = { type: 'other' };
      }
    }
  };
  await walk('');
  return out;
}

/**
 * Like `snapshot()`, plus each entry's inode and modification time: equal listings mean that not
 * even a link was replaced by an identical one.
 */
export async function inodeListing(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    for (const name of (await fs.readdir(path.join(root, rel))).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      const stat = await fs.lstat(path.join(root, child));
      out[child] = `${stat.ino}:${stat.mtimeMs}:${stat.ctimeMs}`;
      if (stat.isDirectory()) await walk(child);
    }
  };
  await walk('');
  return out;
}

/** The relative paths of the regular files under `root`, not following links. */
export async function listFiles(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(root, child)));
    else if (entry.isFile()) out.push(child);
  }
  return out.sort();
}

/**
 * Compiles src/ (every folder) to CommonJS in a private temporary folder before the tests of the file, removes
 * it after them, and returns a getter for the folder. Child processes run that instead of dist/:
 * `npm run build` empties dist/ first, which would break other test files (or a build) running at
 * the same time, and this way the children run the source under test, not whatever was built
 * last. Run the children with `NODE_PATH=nodePath()` so that `require('fast-glob')` resolves.
 */
export function useCjsBuild(): () => string {
  let out: string | undefined;
  beforeAll(async () => {
    const ts = (await import('typescript')).default;
    out = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'nsb-cjs-')));
    const srcDir = path.join(ROOT, 'src');
    for (const name of await fs.readdir(srcDir, { recursive: true })) {
      if (!name.endsWith('.ts')) continue;
      const source = await fs.readFile(path.join(srcDir, name), 'utf8');
      await fs.mkdir(path.join(out, path.dirname(name)), { recursive: true });
      const { outputText } = ts.transpileModule(source, {
        fileName: name,
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
        },
      });
      await fs.writeFile(path.join(out, name.replace(/\.ts$/, '.js')), outputText);
    }
    await fs.writeFile(path.join(out, 'package.json'), '{"type":"commonjs"}\n');
  });
  afterAll(async () => {
    if (out) await fs.rm(out, { recursive: true, force: true });
  });
  return () => {
    if (!out) throw new Error('useCjsBuild(): the build is made in beforeAll; call the getter in a test');
    return out;
  };
}

export function nodePath(): string {
  return path.join(ROOT, 'node_modules');
}

// What an evaluation of next.config leaves in process.env for the next one: the build's memo, the
// warnings already printed, a token.
const SCRATCH = ['__NEXT_STATIC_BUST_BUILD', '__NEXT_STATIC_BUST_WARNED', 'STATIC_BUST_TOKEN'];

/** Each test evaluates the config as a new command would: nothing left from another, mocks restored after. */
export function useFreshConfigEnv(): void {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const key of SCRATCH) delete process.env[key];
    // As on a developer's machine, also when the suite runs in CI: a test of CI sets these itself.
    for (const key of CLONE_BUILD) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
    for (const key of SCRATCH) delete process.env[key];
    for (const key of CLONE_BUILD) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });
}

/** The variables that make "hash" the default strategy (options.ts, cloneBuild()). */
export const CLONE_BUILD = ['CI', 'VERCEL', 'NETLIFY', 'CF_PAGES'];
