// Several processes rotating at once (next build's workers all evaluate next.config), readers
// resolving files meanwhile (next start serving the previous build), and processes killed at any
// point. The children run a CommonJS build of src/namespace/rotate.ts (test/fixtures/rotate-child.cjs).
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../../src/namespace/manifest.js';
import { restoreLinks, rotate, type RotateOptions } from '../../src/namespace/rotate.js';
import { MANIFEST } from '../../src/namespace/manifest.js';
import { listFiles, nodePath, snapshot, useCjsBuild, useTmp, writeTree, makePublic as makePublicIn } from '../helpers/tmp.js';

const tmp = useTmp();
const NS = '_bust';
const CHILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rotate-child.cjs');
const CHILDREN = 16;

const cjs = useCjsBuild();

const TREE: Record<string, string> = {
  'css/site.css': 'body{}',
  'css/print.css': '@media print{}',
  'js/app.js': 'app',
  'img/a/b/logo.svg': '<svg/>',
  'favicon.ico': 'ico',
  '.well-known/x.txt': 'x',
  ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`file-${i}.txt`, `content ${i}`])),
};

const makePublic = (tree = TREE) => makePublicIn(tmp, tree);
const TOP_LEVEL = [...new Set(Object.keys(TREE).map((f) => f.split('/')[0]!))].sort();

interface Child {
  proc: ChildProcess;
  ready: Promise<void>;
  /** Resolves once the child has printed "done" `n` times. */
  done(n: number): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startChild(args: Record<string, unknown>): Child {
  const proc = spawn(process.execPath, [CHILD, JSON.stringify({ lib: cjs(), ...args })], {
    env: { ...process.env, NODE_PATH: nodePath() },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  proc.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  const until = (test: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (test() ? resolve() : waiters.push(check));
      void exit.then((e) => test() || reject(new Error(`child exited (${e.code ?? e.signal}): ${e.stderr}`)));
      check();
    });
  return {
    proc,
    ready: until(() => stdout.includes('ready')),
    done: (n) => until(() => stdout.split('done').length - 1 >= n),
    exit,
  };
}

/** Starts `CHILDREN` children that rotate with `options` once per `go()`, all at the same moment. */
async function startChildren(options: RotateOptions & { restore?: boolean }) {
  const children = Array.from({ length: CHILDREN }, () => startChild({ ...options }));
  await Promise.all(children.map((c) => c.ready));
  let rounds = 0;
  return {
    async go() {
      rounds++;
      for (const c of children) c.proc.stdin!.write('go\n');
      await Promise.all(children.map((c) => c.done(rounds)));
    },
    async end() {
      for (const c of children) c.proc.stdin!.end();
      return Promise.all(children.map((c) => c.exit));
    },
  };
}

/**
 * Reads every file through the busted path of each token in `always` (they must resolve at every
 * moment) and of each token in `onceThere` (they must resolve as soon as their folder exists: it
 * appears complete or not at all), until `stop()`. Returns the failures and the number of reads.
 */
function reader(publicDir: string, files: string[], always: string[], onceThere: string[]) {
  let running = true;
  const failures: string[] = [];
  let reads = 0;
  const loop = (async () => {
    while (running) {
      for (const token of [...always, ...onceThere]) {
        const tokenDir = path.join(publicDir, NS, token);
        if (!always.includes(token) && !(await fs.lstat(tokenDir).catch(() => undefined))) continue;
        for (const rel of files) {
          try {
            const content = await fs.readFile(path.join(tokenDir, rel), 'utf8');
            reads++;
            if (content !== TREE[rel]) failures.push(`${token}/${rel}: read ${JSON.stringify(content)}`);
          } catch (error) {
            failures.push(`${token}/${rel}: ${(error as Error).message}`);
          }
        }
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { failures, reads };
    },
  };
}

/** The state of public/ after running `steps` one after another in a fresh copy: the reference. */
async function reference(tree: Record<string, string>, steps: RotateOptions[]) {
  const pub = await makePublic(tree);
  for (const step of steps) await rotate({ ...step, publicDir: pub });
  return snapshot(pub);
}

describe('rotate from many processes at once', () => {
  it(`${CHILDREN} processes building the same new token: every read succeeds, all exit 0, the result is a single rotation's`, async () => {
    const pub = await makePublic();
    const build = (token: string): RotateOptions => ({ publicDir: pub, namespace: NS, token, keep: 1 });
    await rotate(build('older'));
    await rotate(build('old'));
    const files = await listFiles(pub).then((all) => all.filter((f) => !f.startsWith(`${NS}/`)));
    expect(files).toHaveLength(Object.keys(TREE).length);

    const children = await startChildren(build('new'));
    const read = reader(pub, files, ['old'], ['new']);
    await children.go();
    const { failures, reads } = await read.stop();
    const exits = await children.end();

    expect(exits.filter((e) => e.code !== 0)).toEqual([]);
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(files.length);
    const expected = await reference(TREE, [build('older'), build('old'), build('new')]);
    expect(await snapshot(pub)).toEqual(expected);
    expect((await readManifest(path.join(pub, NS)))!.tokens).toEqual(['old', 'new']);
  });

  it(`${CHILDREN} processes adding the same new top-level entries to an existing token folder: all exit 0, nothing stops resolving`, async () => {
    const pub = await makePublic();
    const start: RotateOptions = { publicDir: pub, namespace: NS, token: 'cur', keep: 1 };
    await restoreLinks(start);
    const files = await listFiles(pub).then((all) => all.filter((f) => !f.startsWith(`${NS}/`)));
    const children = await startChildren({ ...start, restore: true });
    const read = reader(pub, files, ['cur'], []);
    let tree = { ...TREE };
    for (let round = 0; round < 4; round++) {
      // New top-level entries since the folder was made: every process adds the same links.
      const added = Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [`added-${round}-${i}/f.txt`, `added ${round} ${i}`]),
      );
      await writeTree(pub, added);
      tree = { ...tree, ...added };
      await children.go();
    }
    const { failures } = await read.stop();
    const exits = await children.end();

    expect(exits.filter((e) => e.code !== 0).map((e) => e.stderr)).toEqual([]);
    expect(failures).toEqual([]);
    expect(await snapshot(pub)).toEqual(await reference(tree, [{ ...start }]));
    for (const rel of Object.keys(tree)) {
      expect(await fs.readFile(path.join(pub, NS, 'cur', rel), 'utf8')).toBe(tree[rel]);
    }
  });
});

describe('rotate killed with SIGKILL at any point', () => {
  it('20 kills at different moments: the served token never stops resolving, and the next rotate cleans up to the state of a clean one', async () => {
    const pub = await makePublic();
    const files = await listFiles(pub);
    const live: RotateOptions = { publicDir: pub, namespace: NS, token: 'live', keep: 1000 };
    const final: RotateOptions = { publicDir: pub, namespace: NS, token: 'final', keep: 0 };
    const expected = await reference(TREE, [live, final]);
    await rotate(live);
    // What next start serves while the builds are killed: its files must resolve at every moment.
    const reading = reader(pub, files, ['live'], []);
    let interrupted = 0;
    for (let round = 0; round < 20; round++) {
      // The child rotates new tokens in a loop (make a folder, record it, link new entries);
      // killing it after a varied delay lands in a different step each time.
      const child = startChild({ publicDir: pub, namespace: NS, token: `k${round}`, keep: 1000, loop: true });
      await child.ready;
      await new Promise((resolve) => setTimeout(resolve, (round * 7) % 60));
      child.proc.kill('SIGKILL');
      const exit = await child.exit;
      expect(exit.signal, exit.stderr).toBe('SIGKILL');
      if ((await fs.readdir(path.join(pub, NS))).some((n) => n.startsWith('.nsb-tmp-'))) interrupted++;

      await rotate(live);
      const names = await fs.readdir(path.join(pub, NS));
      expect(names.filter((n) => n.startsWith('.nsb-tmp-')), `round ${round}`).toEqual([]);
      for (const name of names.filter((n) => n !== MANIFEST)) {
        expect((await fs.readdir(path.join(pub, NS, name))).sort(), `round ${round}: ${name}`).toEqual(TOP_LEVEL);
      }
    }
    const { failures, reads } = await reading.stop();
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(files.length * 20);
    // The kills landed inside rotations (a half-made folder or link left behind), not only between them.
    expect(interrupted, 'rounds that left a half-made folder').toBeGreaterThanOrEqual(3);
    await rotate(final);
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 'final']);
    expect(await snapshot(pub)).toEqual(expected);
  });
});
