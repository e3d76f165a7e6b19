// The functions of src/namespace/file-copies.ts and src/namespace/expiry.ts called directly: which
// bytes a copy gets, what is taken out as changed, and what is removed, kept or never touched
// (docs/mutation-testing.md, "Fifth run"). Errors a run as root cannot cause are injected.
import { promises as fs, readdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { digestState, statState } from '../../src/build/file-state.js';
import { hashFile } from '../../src/build/hash.js';
import { cleanLeftovers, expireTokens, removeOwnFolder, unlinkIfLink } from '../../src/namespace/expiry.js';
import { copiesOf, copyChecked, copyTree, removeFiles } from '../../src/namespace/file-copies.js';
import { MANIFEST, readManifest } from '../../src/namespace/manifest.js';
import { rotate } from '../../src/namespace/rotate.js';
import { snapshot, useFreshConfigEnv, useTmp, writeTree } from '../helpers/tmp.js';

const tmp = useTmp();
useFreshConfigEnv();
const NS = '_bust';

const fail = (code: string) => Object.assign(new Error(`${code}: injected failure`), { code });

/** A public/ with `tree`, and an empty folder beside it for the copies. */
async function setup(tree: Record<string, string>) {
  const root = await tmp('nsb-copies-');
  const pub = path.join(root, 'public');
  await writeTree(pub, tree);
  const dir = path.join(root, 'copies');
  await fs.mkdir(dir);
  return { root, pub, dir };
}

const read = (file: string) => fs.readFile(file, 'utf8');

/** Makes fs.copyFile and fs.open refuse `names` (EACCES), as for files the build's user may not read. */
function unreadable(names: string[], code = 'EACCES') {
  const refused = (file: unknown) => names.some((name) => String(file).endsWith(`${path.sep}${name}`));
  const copyFile = fs.copyFile.bind(fs);
  const open = fs.open.bind(fs);
  vi.spyOn(fs, 'copyFile').mockImplementation(async (from, to, mode) => {
    if (refused(from)) throw fail(code);
    return copyFile(from, to, mode);
  });
  vi.spyOn(fs, 'open').mockImplementation((async (file: string, ...rest: unknown[]) => {
    if (refused(file)) throw fail('EACCES');
    return (open as (...args: unknown[]) => unknown)(file, ...rest);
  }) as typeof fs.open);
}

describe('copyTree()', () => {
  it('copies each file into new folders at any depth, or writes the bytes given for it', async () => {
    const { pub, dir } = await setup({ 'a.css': 'A', 'deep/er/still/b.js': 'B', 'deep/c.txt': 'C' });
    const unread = await copyTree(pub, ['a.css', 'deep/er/still/b.js', 'deep/c.txt'], dir, (rel) =>
      rel === 'a.css' ? Buffer.from('rewritten') : undefined,
    );
    expect(unread).toEqual([]);
    // Regular files with these bytes, in folders made as new ones (same modes as a tree written fresh).
    const expected = await tmp('nsb-expected-');
    await writeTree(expected, { 'a.css': 'rewritten', 'deep/er/still/b.js': 'B', 'deep/c.txt': 'C' });
    expect(await snapshot(dir)).toEqual(await snapshot(expected));
  });

  it('never writes outside its folder for a path that is not a plain relative one', async () => {
    const { root, pub, dir } = await setup({ 'a.css': 'A' });
    await fs.writeFile(path.join(pub, '..', 'secret.txt'), 'secret');
    await copyTree(pub, ['../secret.txt', '/a.css', 'x/../../escape.txt', 'a.css'], dir);
    expect((await fs.readdir(dir)).sort()).toEqual(['a.css']);
    expect((await fs.readdir(root)).sort()).toEqual(['copies', 'public', 'secret.txt']);
  });

  it('never overwrites a file already in its folder', async () => {
    const { pub, dir } = await setup({ 'a.css': 'A', 'b.css': 'B' });
    await fs.writeFile(path.join(dir, 'a.css'), 'theirs');
    await fs.writeFile(path.join(dir, 'b.css'), 'theirs');
    await expect(copyTree(pub, ['a.css'], dir)).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(copyTree(pub, ['b.css'], dir, () => Buffer.from('new'))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await read(path.join(dir, 'a.css'))).toBe('theirs');
    expect(await read(path.join(dir, 'b.css'))).toBe('theirs');
  });

  it('leaves out a file that went away since the listing, without a word', async () => {
    const { pub, dir } = await setup({ 'a.css': 'A' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await copyTree(pub, ['gone.css', 'a.css'], dir)).toEqual([]);
    expect(await fs.readdir(dir)).toEqual(['a.css']);
    expect(warn).not.toHaveBeenCalled();
  });

  it('leaves out, and names once in a warning, the files it may not read', async () => {
    const { pub, dir } = await setup({ 'a.css': 'A', 'b.css': 'B' });
    unreadable(['b.css']);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await copyTree(pub, ['a.css', 'b.css'], dir)).toEqual(['b.css']);
    expect(await fs.readdir(dir)).toEqual(['a.css']);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      '[next-static-bust] 1 file of public/ could not be read (b.css), so their busted URLs answer 404. ' +
        'Make them readable by the user that runs next build.',
    ]);
  });

  it('takes EPERM and EISDIR for unreadable too, when the file cannot be opened', async () => {
    for (const code of ['EPERM', 'EISDIR']) {
      vi.restoreAllMocks();
      const { pub, dir } = await setup({ 'a.css': 'A' });
      unreadable(['a.css'], code);
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      expect(await copyTree(pub, ['a.css'], dir), code).toEqual(['a.css']);
    }
  });

  it('names the first three of four unreadable files, and counts them all', async () => {
    const names = ['a.css', 'b.css', 'c.css', 'd.css'];
    const { pub, dir } = await setup(Object.fromEntries(names.map((n) => [n, n])));
    unreadable(names);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await copyTree(pub, names, dir)).toEqual(names);
    expect(String(warn.mock.calls[0]![0])).toContain('4 files of public/ could not be read (a.css, b.css, c.css, …), so');
  });

  it('throws a refused write (the folder\'s file system), and any other error', async () => {
    for (const code of ['EACCES', 'ENOSPC', 'EIO']) {
      const { pub, dir } = await setup({ 'a.css': 'A' });
      // The file is readable: the refusal is the copy's, which the caller reports.
      const copy = vi.spyOn(fs, 'copyFile').mockRejectedValueOnce(fail(code));
      await expect(copyTree(pub, ['a.css'], dir), code).rejects.toMatchObject({ code });
      copy.mockRestore();
    }
  });
});

describe('copyChecked()', () => {
  it('keeps a copy whose bytes are those recorded, and takes out, returning them, those that are not', async () => {
    const { pub, dir } = await setup({ 'same.css': 'same', 'changed.css': 'new bytes' });
    const buffer = Buffer.alloc(1 << 20);
    await fs.writeFile(path.join(pub, 'old.css'), 'old bytes');
    const digest = (rel: string) => hashFile(path.join(pub, rel), buffer)!;
    const states: Record<string, string> = {
      'same.css': digestState(digest('same.css')),
      'changed.css': digestState(digest('old.css')),
    };
    const changed = await copyChecked(pub, ['same.css', 'changed.css'], dir, (rel) => states[rel]);
    expect(changed).toEqual(['changed.css']);
    expect(await fs.readdir(dir)).toEqual(['same.css']);
  });

  it('with a recorded lstat: keeps a file untouched since, takes out one written, removed or never recorded', async () => {
    const { pub, dir } = await setup({ 'same.css': 'same', 'written.css': 'w', 'removed.css': 'r', 'unrecorded.css': 'u' });
    const states = new Map<string, string>();
    for (const rel of ['same.css', 'written.css', 'removed.css']) states.set(rel, statState(await fs.lstat(path.join(pub, rel))));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await fs.writeFile(path.join(pub, 'written.css'), 'w2');
    const changed = await copyChecked(pub, ['same.css', 'written.css', 'removed.css', 'unrecorded.css'], dir, (rel) => {
      // Removed after it was copied, before it is checked.
      if (rel === 'removed.css') unlinkSync(path.join(pub, rel));
      return states.get(rel);
    });
    expect(changed.sort()).toEqual(['removed.css', 'unrecorded.css', 'written.css']);
    expect(readdirSync(dir)).toEqual(['same.css']);
  });

  it('counts a recorded file that went away before its copy as changed, and an unreadable one as not (copyTree() warned)', async () => {
    const { pub, dir } = await setup({ 'a.css': 'A', 'locked.css': 'L' });
    unreadable(['locked.css']);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const state = digestState('0'.repeat(64));
    expect(await copyChecked(pub, ['a.css', 'gone.css', 'locked.css'], dir, () => state)).toEqual(['a.css', 'gone.css']);
    expect(await fs.readdir(dir)).toEqual([]);
  });
});

describe('removeFiles()', () => {
  it('removes the listed files and the folders they leave empty, deepest first; keeps what else is there', async () => {
    const { dir } = await setup({});
    await writeTree(dir, { 'a/x.txt': 'x', 'a/b/y.txt': 'y', 'c/z.txt': 'z', 'c/mine.txt': 'mine' });
    await removeFiles(dir, ['a/x.txt', 'a/b/y.txt', 'c/z.txt', 'missing.txt']);
    expect(await snapshot(dir)).toMatchObject({ c: { type: 'dir' }, 'c/mine.txt': { type: 'file', content: 'mine' } });
    expect(Object.keys(await snapshot(dir)).sort()).toEqual(['c', 'c/mine.txt']);
  });

  it('removes only regular files: a link at a listed path stays', async () => {
    const { dir } = await setup({});
    await fs.symlink('elsewhere', path.join(dir, 'a.css'));
    await removeFiles(dir, ['a.css']);
    expect(await fs.readlink(path.join(dir, 'a.css'))).toBe('elsewhere');
  });

  it('never touches anything outside its folder, through a path or through a linked folder', async () => {
    const { root, dir } = await setup({});
    const outside = path.join(root, 'outside');
    await writeTree(outside, { 'x.txt': 'precious' });
    await fs.mkdir(path.join(outside, 'empty'));
    await fs.symlink(outside, path.join(dir, 'linked'));
    await removeFiles(dir, ['../outside/x.txt', 'linked/x.txt', 'linked/empty/y.txt']);
    expect(await read(path.join(outside, 'x.txt'))).toBe('precious');
    expect((await fs.lstat(path.join(outside, 'empty'))).isDirectory()).toBe(true);
  });

  it('takes a file removed meanwhile for removed, and throws any other error', async () => {
    const { dir } = await setup({});
    await writeTree(dir, { 'a.txt': 'a' });
    vi.spyOn(fs, 'unlink').mockRejectedValueOnce(fail('ENOENT'));
    await expect(removeFiles(dir, ['a.txt'])).resolves.toBeUndefined();
    vi.spyOn(fs, 'unlink').mockRejectedValueOnce(fail('EIO'));
    await expect(removeFiles(dir, ['a.txt'])).rejects.toMatchObject({ code: 'EIO' });
  });
});

describe('copiesOf()', () => {
  it('lists the files with exactly the bytes of the file at the same path in public/, and nothing else', async () => {
    const big = 'x'.repeat(200_000);
    const { pub, dir } = await setup({ 'a.css': 'A', 'deep/b.js': 'B', 'big.bin': big, 'long.txt': 'long text', 'same-size.txt': 'abc' });
    await writeTree(dir, {
      'a.css': 'A',
      'deep/b.js': 'B',
      // One byte changed past the first 64 KiB read.
      'big.bin': `${big.slice(0, 150_000)}y${big.slice(150_001)}`,
      // The beginning of its file only, or as long with other bytes.
      'long.txt': 'long',
      'same-size.txt': 'abd',
      'theirs.txt': 'no such file in public/',
    });
    await fs.symlink(path.join(pub, 'a.css'), path.join(dir, 'deep/link.css'));
    expect((await copiesOf(pub, dir)).sort()).toEqual(['a.css', 'deep/b.js']);
    await fs.writeFile(path.join(dir, 'big.bin'), big);
    expect((await copiesOf(pub, dir)).sort()).toEqual(['a.css', 'big.bin', 'deep/b.js']);
  });

  it('lists nothing for a folder that does not exist', async () => {
    const { pub, root } = await setup({ 'a.css': 'A' });
    expect(await copiesOf(pub, path.join(root, 'missing'))).toEqual([]);
  });

  it('closes every file it opens', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `f${i}.txt`);
    const tree = Object.fromEntries(names.map((n) => [n, n]));
    const { pub, dir } = await setup(tree);
    await writeTree(dir, tree);
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    expect(await copiesOf(pub, dir)).toHaveLength(40);
    expect(open()).toBe(before);
  });
});

describe('removeOwnFolder() and unlinkIfLink()', () => {
  it('removes a folder of its own links, temporary links and listed copies; a missing one counts as removed', async () => {
    const { root } = await setup({ 'css/a.css': 'A' });
    const folder = path.join(root, 'public', NS, 't1');
    await fs.mkdir(folder, { recursive: true });
    await fs.symlink('../../css', path.join(folder, 'css'));
    await fs.symlink('../../css', path.join(folder, '.nsb-tmp-css-1-abcd1234'));
    await writeTree(folder, { 'img/x.png': 'copy' });
    expect(await removeOwnFolder(folder, ['img/x.png'])).toBe(true);
    await expect(fs.lstat(folder)).rejects.toThrow(/ENOENT/);
    expect(await removeOwnFolder(folder)).toBe(true);
  });

  it('keeps a folder that holds anything else, and that thing; refuses a file or a link in its place', async () => {
    const { root } = await setup({});
    const folder = path.join(root, 'folder');
    await writeTree(folder, { 'mine.txt': 'mine', 'sub/also.txt': 'mine' });
    await fs.symlink('../../mine.txt', path.join(folder, 'not-its-name'));
    expect(await removeOwnFolder(folder)).toBe(false);
    expect(await snapshot(folder)).toMatchObject({ 'mine.txt': { content: 'mine' }, 'sub/also.txt': { content: 'mine' }, 'not-its-name': { type: 'link' } });
    const file = path.join(root, 'file');
    await fs.writeFile(file, 'mine');
    expect(await removeOwnFolder(file)).toBe(false);
    expect(await read(file)).toBe('mine');
    await fs.symlink(folder, path.join(root, 'link'));
    expect(await removeOwnFolder(path.join(root, 'link'))).toBe(false);
    expect(await fs.readlink(path.join(root, 'link'))).toBe(folder);
  });

  it('reads the last removal as another build would leave it: gone is removed, not empty is kept, other errors throw', async () => {
    for (const [code, outcome] of [['ENOENT', true], ['ENOTEMPTY', false], ['EEXIST', false]] as const) {
      const { root } = await setup({});
      await fs.mkdir(path.join(root, 'f'));
      vi.spyOn(fs, 'rmdir').mockRejectedValueOnce(fail(code));
      expect(await removeOwnFolder(path.join(root, 'f')), code).toBe(outcome);
    }
    const { root } = await setup({});
    await fs.mkdir(path.join(root, 'f'));
    vi.spyOn(fs, 'rmdir').mockRejectedValueOnce(fail('EIO'));
    await expect(removeOwnFolder(path.join(root, 'f'))).rejects.toMatchObject({ code: 'EIO' });
  });

  it('keeps the folder when it cannot be listed', async () => {
    const { root } = await setup({});
    const folder = path.join(root, 'f');
    await fs.mkdir(folder);
    await fs.symlink('../../css', path.join(folder, 'css'));
    vi.spyOn(fs, 'readdir').mockRejectedValueOnce(fail('EACCES'));
    expect(await removeOwnFolder(folder)).toBe(false);
    expect(await fs.readlink(path.join(folder, 'css'))).toBe('../../css');
  });

  it('unlinkIfLink(): a link already gone is fine, other errors throw', async () => {
    const { root } = await setup({});
    await expect(unlinkIfLink(path.join(root, 'gone'))).resolves.toBeUndefined();
    vi.spyOn(fs, 'unlink').mockRejectedValueOnce(fail('EPERM'));
    await expect(unlinkIfLink(path.join(root, 'x'))).rejects.toMatchObject({ code: 'EPERM' });
  });
});

describe('expireTokens() and cleanLeftovers()', () => {
  const setupRotated = async (...tokens: string[]) => {
    const { pub } = await setup({ 'css/a.css': 'A', 'logo.png': 'P' });
    for (const token of tokens) await rotate({ publicDir: pub, namespace: NS, token, keep: 10 });
    return { pub, ns: path.join(pub, NS) };
  };
  const manifestText = (ns: string) => read(path.join(ns, MANIFEST));

  it('writes the list whenever it changes: a token moved, or dropped from the end', async () => {
    const { ns } = await setupRotated('a', 'b', 'c');
    expect((await expireTokens(ns, 'b', 2)).tokens).toEqual(['a', 'c', 'b']);
    expect((await readManifest(ns))!.tokens).toEqual(['a', 'c', 'b']);
    // Keep 0 while building the oldest: the newer ones go, and the list shrinks to it.
    expect(await expireTokens(ns, 'a', 0)).toEqual({ removed: ['c', 'b'], tokens: ['a'] });
    expect((await readManifest(ns))!.tokens).toEqual(['a']);
    expect(await fs.readdir(ns)).toEqual(expect.arrayContaining(['a']));
    expect((await fs.readdir(ns)).sort()).toEqual([MANIFEST, 'a'].sort());
  });

  it('writes no files list when no token has files, and keeps the list of a folder it could not remove', async () => {
    const { ns } = await setupRotated('a', 'b');
    await expireTokens(ns, 'b', 1);
    expect(JSON.parse(await manifestText(ns))).not.toHaveProperty('files');
    // A folder of copies (an earlier version's) that also holds a file of the user's.
    await writeTree(path.join(ns, 'old'), { 'css/a.css': 'A', 'mine.txt': 'mine' });
    const manifest = JSON.parse(await manifestText(ns));
    await fs.writeFile(path.join(ns, MANIFEST), JSON.stringify({ ...manifest, tokens: ['old', ...manifest.tokens], files: { old: ['css/a.css'] } }));
    await expireTokens(ns, 'b', 0);
    const after = JSON.parse(await manifestText(ns));
    expect(after.tokens).toEqual(['old', 'b']);
    expect(after.files).toEqual({ old: ['css/a.css'] });
    expect(await read(path.join(ns, 'old/mine.txt'))).toBe('mine');
  });

  it('forgets a listed folder that is gone', async () => {
    const { ns } = await setupRotated('a', 'b');
    await fs.rm(path.join(ns, 'a'), { recursive: true });
    expect(await expireTokens(ns, 'b', 0)).toEqual({ removed: ['a'], tokens: ['b'] });
  });

  it('counts folders the manifest lost, oldest first, and never a file or a name that is not a token', async () => {
    const { ns } = await setupRotated('cur');
    for (const [name, seconds] of [['newer', 2_000_000_000], ['older', 1_000_000_000]] as const) {
      await fs.mkdir(path.join(ns, name));
      await fs.utimes(path.join(ns, name), seconds, seconds);
    }
    await fs.writeFile(path.join(ns, 'filetok'), 'a file with a token name');
    await fs.mkdir(path.join(ns, 'not a token'));
    expect(await expireTokens(ns, 'cur', 1)).toEqual({ removed: ['older'], tokens: ['newer', 'cur'] });
    expect((await readManifest(ns))!.tokens).toEqual(['newer', 'cur']);
    expect(await read(path.join(ns, 'filetok'))).toBe('a file with a token name');
    expect((await fs.lstat(path.join(ns, 'not a token'))).isDirectory()).toBe(true);
  });

  it('takes a lost folder removed by another build while it is looked at for gone', async () => {
    const { ns } = await setupRotated('cur');
    await fs.mkdir(path.join(ns, 'lost'));
    const lstat = fs.lstat.bind(fs);
    vi.spyOn(fs, 'lstat').mockImplementation((async (file: string, ...rest: unknown[]) => {
      if (String(file) === path.join(ns, 'lost')) throw fail('ENOENT');
      return (lstat as (...args: unknown[]) => unknown)(file, ...rest);
    }) as typeof fs.lstat);
    expect(await expireTokens(ns, 'cur', 1)).toEqual({ removed: [], tokens: ['cur'] });
  });

  it('cleanLeftovers(): removes a dead process\'s temporary folder and file, keeps a user file found in one', async () => {
    const { ns } = await setupRotated('a');
    const dead = `.nsb-tmp-x-999999999-abcd1234`;
    await writeTree(path.join(ns, dead), { 'css/a.css': 'A', 'mine.txt': 'mine' });
    await fs.writeFile(path.join(ns, `.nsb-tmp-manifest-999999999-00000000`), '{');
    await cleanLeftovers(ns);
    expect((await fs.readdir(ns)).sort()).toEqual([dead, MANIFEST, 'a'].sort());
    expect(Object.keys(await snapshot(path.join(ns, dead)))).toEqual(['mine.txt']);
    expect(await read(path.join(ns, dead, 'mine.txt'))).toBe('mine');
  });
});
