// serveStatic() and writeStaticCopies() (src/serving/serve-static.ts) called directly: what a build
// served from its static folder says it serves, and names that are never joined to a path.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { fingerprint, type Fingerprinted } from '../../src/build/fingerprints.js';
import { listFiles } from '../../src/build/public-files.js';
import { NO_ENTRIES } from '../../src/plugin/bust-routes.js';
import { resolveOptions } from '../../src/plugin/options.js';
import { serveStatic, writeStaticCopies } from '../../src/serving/serve-static.js';
import { makeApp, snapshot, useFreshConfigEnv, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
useFreshConfigEnv();

/** writeStaticCopies() of per-file or per-folder fingerprints into `<dir>/.next`; returns the namespace's folder there. */
async function copyFingerprints(dir: string, fingerprinted: Fingerprinted): Promise<{ root: string; served: string[] }> {
  const distDir = path.join(dir, '.next');
  await fs.mkdir(distDir, { recursive: true });
  const served = Object.keys(fingerprinted.folders).sort();
  await writeStaticCopies({
    distDir,
    publicDir: path.join(dir, 'public'),
    opts: { namespace: '_bust', strategy: 'hash' },
    served: { serving: 'static', current: '', served, entries: NO_ENTRIES, fingerprints: fingerprinted.encoded },
  });
  return { root: path.join(distDir, 'static/media/_bust'), served };
}

describe('serveStatic()', () => {
  it('serves the one token of a token build', async () => {
    const dir = await makeApp(tmp, { 'a.css': 'a' });
    const served = await serveStatic(resolveOptions({ dir }), path.join(dir, 'public'), {
      token: 'tok1',
      files: ['a.css'],
      states: new Map(),
    });
    expect(served).toMatchObject({ serving: 'static', current: 'tok1', served: ['tok1'] });
  });

  it('leaves out a listed file that is gone by the time it is looked at', async () => {
    const dir = await makeApp(tmp, { 'a.css': 'a' });
    const states = new Map();
    const served = await serveStatic(resolveOptions({ dir }), path.join(dir, 'public'), {
      token: 'tok1',
      files: ['a.css', 'gone.css'],
      states,
    });
    expect(served.served).toEqual(['tok1']);
    expect([...states.keys()]).toEqual(['a.css']);
  });

  it('serves each fingerprint once, sorted', async () => {
    const dir = await makeApp(tmp, {});
    const fingerprinted = {
      fingerprints: new Map([
        ['/c.css', 'ffff'],
        ['/a.css', 'aaaa'],
        ['/b.css', 'ffff'],
      ]),
      encoded: 'test',
    } as unknown as Fingerprinted;
    const served = await serveStatic(resolveOptions({ dir }), path.join(dir, 'public'), { fingerprinted });
    expect(served.served).toEqual(['aaaa', 'ffff']);
    expect(served.fingerprints).toBe('test');
  });

  it('warns when public/<namespace> holds something it did not make', async () => {
    const dir = await makeApp(tmp, { '_bust/theirs.txt': 'x' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await serveStatic(resolveOptions({ dir }), path.join(dir, 'public'), { token: 'tok1', files: [], states: new Map() });
    expect(warn.mock.calls.join('\n')).toContain('public/_bust could not be removed');
    expect(await fs.readFile(path.join(dir, 'public/_bust/theirs.txt'), 'utf8')).toBe('x');
  });

  it('warns, and deletes nothing, when removing public/<namespace> fails half-way', async () => {
    const dir = await makeApp(tmp, { 'a.css': 'a' });
    const publicDir = path.join(dir, 'public');
    await fs.mkdir(path.join(publicDir, '_bust'));
    await fs.writeFile(path.join(publicDir, '_bust/.next-static-bust.json'), JSON.stringify({ generator: 'next-static-bust', tokens: [] }));
    const before = await snapshot(publicDir);
    // A disk error while the namespace is listed: the removal throws, and is not taken as done.
    const readdir = fs.readdir;
    const failing = vi.spyOn(fs, 'readdir').mockImplementation(((dir: string, ...rest: unknown[]) =>
      String(dir).endsWith(`${path.sep}_bust`)
        ? Promise.reject(Object.assign(new Error(`EIO: i/o error, scandir '${dir}'`), { code: 'EIO' }))
        : (readdir as (...args: unknown[]) => unknown)(dir, ...rest)) as typeof fs.readdir);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await serveStatic(resolveOptions({ dir }), publicDir, { token: 'tok1', files: ['a.css'], states: new Map() });
    failing.mockRestore();
    expect(warn.mock.calls.join('\n')).toContain('public/_bust could not be removed');
    expect(await snapshot(publicDir)).toEqual(before);
  });
});

describe('writeStaticCopies() in the process where next.config ran', () => {
  const distOf = async (dir: string) => {
    const distDir = path.join(dir, '.next');
    await fs.mkdir(distDir, { recursive: true });
    return distDir;
  };

  it("does not reuse what was stored for another token: the copies are checked against the token they serve", async () => {
    const dir = await makeApp(tmp, { 'a.css': 'one' });
    const publicDir = path.join(dir, 'public');
    // next.config prepared token A (the lstat of a.css then); a.css changed; the build serves token B.
    await serveStatic(resolveOptions({ dir }), publicDir, { token: 'tokA', files: ['a.css'], states: new Map() });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await fs.writeFile(path.join(publicDir, 'a.css'), 'two');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const distDir = await distOf(dir);
    await writeStaticCopies({
      distDir,
      publicDir,
      opts: { namespace: '_bust', strategy: 'hash', token: 'tokB' },
      served: { serving: 'static', current: 'tokB', served: ['tokB'], entries: NO_ENTRIES },
    });
    expect(await fs.readFile(path.join(distDir, 'static/media/_bust/tokB/a.css'), 'utf8')).toBe('two');
    expect(warn).not.toHaveBeenCalled();
  });

  it('does not reuse the fingerprints stored for another map: the files of the map it is given are copied', async () => {
    const dir = await makeApp(tmp, { 'css/a.css': 'one', 'img/b.png': 'B' });
    const publicDir = path.join(dir, 'public');
    const list = () => listFiles({ publicDir, namespace: '_bust' });
    await serveStatic(resolveOptions({ dir }), publicDir, { fingerprinted: fingerprint(publicDir, await list())! });
    await fs.writeFile(path.join(publicDir, 'css/a.css'), 'two');
    const now = fingerprint(publicDir, await list())!;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { root, served } = await copyFingerprints(dir, now);
    expect((await fs.readdir(root)).sort()).toEqual(served);
    expect(await fs.readFile(path.join(root, now.fingerprints.get('css/a.css')!, 'css/a.css'), 'utf8')).toBe('two');
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('writeStaticCopies() in another process (next.config did not run there)', () => {
  it("copies nothing under a token that public/ no longer gives: its files are not the token's", async () => {
    const dir = await makeApp(tmp, { 'a.css': 'changed since the build' });
    const distDir = path.join(dir, '.next');
    await fs.mkdir(distDir);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await writeStaticCopies({
      distDir,
      publicDir: path.join(dir, 'public'),
      opts: { namespace: '_bust', strategy: 'hash' },
      served: { serving: 'static', current: 'builtfromother', served: ['builtfromother'], entries: NO_ENTRIES },
    });
    expect(await fs.readdir(path.join(distDir, 'static/media/_bust/builtfromother'))).toEqual([]);
    expect(warn.mock.calls.join('\n')).toContain('1 file of public/ changed during the build (a.css)');
  });

  it('makes per-folder fingerprints again per folder, read from the map, and copies every file', async () => {
    // No file at the top of public/: the root folder's key `/` would tell the granularity by itself.
    const dir = await makeApp(tmp, { 'css/a.css': 'A', 'css/b.css': 'B', 'img/c.png': 'C' });
    const publicDir = path.join(dir, 'public');
    const perFolder = fingerprint(publicDir, await listFiles({ publicDir, namespace: '_bust' }), { forced: 'folder' })!;
    expect([...perFolder.fingerprints.keys()].sort()).toEqual(['css/', 'img/']);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { root, served } = await copyFingerprints(dir, perFolder);
    const css = perFolder.fingerprints.get('css/')!;
    expect((await fs.readdir(root)).sort()).toEqual(served);
    expect(await fs.readFile(path.join(root, css, 'css/a.css'), 'utf8')).toBe('A');
    expect(await fs.readFile(path.join(root, css, 'css/b.css'), 'utf8')).toBe('B');
    expect(await fs.readFile(path.join(root, perFolder.fingerprints.get('img/')!, 'img/c.png'), 'utf8')).toBe('C');
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('writeStaticCopies()', () => {
  it('writes nothing when one served name is not a plain folder name', async () => {
    const dir = await makeApp(tmp, { 'a.css': 'a' });
    const distDir = path.join(dir, '.next');
    await fs.mkdir(distDir);
    await writeStaticCopies({
      distDir,
      publicDir: path.join(dir, 'public'),
      opts: { namespace: '_bust', strategy: 'hash' },
      served: { serving: 'static', current: '', served: ['aaaa', '../../escape'], entries: NO_ENTRIES, fingerprints: '' },
    });
    expect(await snapshot(distDir)).toEqual({});
  });
});
