// rotate() with kind 'files': token folders of hard links (copies where hard links are refused),
// for hosts that copy public/ and would turn links into absolute links to the build machine.
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearNamespace, readManifest, rotate, type RotateOptions } from '../../src/rotate.js';
import { MANIFEST } from '../../src/folders-ready.js';
import { inodeListing, listFiles, snapshot, useTmp, makePublic as makePublicIn } from '../helpers/tmp.js';

const tmp = useTmp();
const NS = '_bust';
const TREE = {
  'css/site.css': 'body { color: red }',
  'logo.png': 'PNG',
  '.well-known/security.txt': 'contact: x',
  'deep/a/b/c.txt': 'deep',
};

afterEach(() => {
  vi.restoreAllMocks();
});

const makePublic = () => makePublicIn(tmp, TREE);

function opts(publicDir: string, token: string, extra: Partial<RotateOptions> = {}): RotateOptions {
  return { publicDir, namespace: NS, token, mode: 'build', keep: 1, kind: 'files', ...extra };
}

const ino = async (file: string) => (await fs.lstat(file)).ino;
const read = (file: string) => fs.readFile(file, 'utf8');

describe("rotate: token folders of files (kind 'files')", () => {
  it('holds a copy of every file of public/ (dot files too): never a hard link, never a link', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    const dir = path.join(pub, NS, 'v1');
    expect(await listFiles(dir)).toEqual(Object.keys(TREE).sort());
    for (const rel of Object.keys(TREE)) {
      expect((await fs.lstat(path.join(dir, rel))).isFile(), rel).toBe(true);
      expect(await ino(path.join(dir, rel)), rel).not.toBe(await ino(path.join(pub, rel)));
      expect(await read(path.join(dir, rel)), rel).toBe(TREE[rel as keyof typeof TREE]);
    }
    expect((await readManifest(path.join(pub, NS)))!.files).toEqual({ v1: Object.keys(TREE).sort() });
  });

  it('is idempotent: building the same token again changes nothing, not even an inode', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    const before = await inodeListing(pub);
    await rotate(opts(pub, 'v1'));
    expect(await inodeListing(pub)).toEqual(before);
  });

  it("keeps an old token's bytes when an editor replaces a file, and refreshes the token's folder that is built again", async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    // Editors save by writing a new file and renaming it over the old one: a new inode.
    await fs.writeFile(path.join(pub, 'css/site.new'), 'body { color: blue }');
    await fs.rename(path.join(pub, 'css/site.new'), path.join(pub, 'css/site.css'));
    await fs.writeFile(path.join(pub, 'added.txt'), 'new file');
    await rotate(opts(pub, 'v2'));
    expect(await read(path.join(pub, NS, 'v1/css/site.css'))).toBe('body { color: red }');
    expect(await read(path.join(pub, NS, 'v2/css/site.css'))).toBe('body { color: blue }');
    expect(await read(path.join(pub, NS, 'v2/added.txt'))).toBe('new file');
    // The same token built again after a change (a fixed token of the user's) shows the change.
    await fs.writeFile(path.join(pub, 'logo.new'), 'PNG2');
    await fs.rename(path.join(pub, 'logo.new'), path.join(pub, 'logo.png'));
    await fs.rm(path.join(pub, 'added.txt'));
    await rotate(opts(pub, 'v2'));
    expect(await read(path.join(pub, NS, 'v2/logo.png'))).toBe('PNG2');
    expect(await listFiles(path.join(pub, NS, 'v2'))).not.toContain('added.txt');
    expect((await readManifest(path.join(pub, NS)))!.files!.v2).toEqual(Object.keys(TREE).sort());
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 'v1', 'v2']);
  });

  it('removes an expired token\'s files but keeps a file the user put there, and that folder', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 't1', { keep: 0 }));
    await fs.writeFile(path.join(pub, NS, 't1/deep/mine.txt'), 'mine');
    const result = await rotate(opts(pub, 't2', { keep: 0 }));
    expect(result.removed).toEqual([]);
    expect(await listFiles(path.join(pub, NS, 't1'))).toEqual(['deep/mine.txt']);
    await fs.rm(path.join(pub, NS, 't1/deep/mine.txt'));
    expect((await rotate(opts(pub, 't3', { keep: 0 }))).removed).toEqual(['t1', 't2']);
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 't3']);
    expect(Object.keys((await readManifest(path.join(pub, NS)))!.files!)).toEqual(['t3']);
  });

  it("never changes or removes the user's files in public/", async () => {
    const pub = await makePublic();
    const user = await snapshot(pub);
    for (const token of ['a', 'b', 'c', 'a']) await rotate(opts(pub, token, { keep: 0 }));
    await clearNamespace(pub, NS);
    expect(await snapshot(pub)).toEqual(user);
  });

  it('replaces a folder of links of the same token by one of files, and back', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1', { kind: 'links' }));
    await rotate(opts(pub, 'v1'));
    expect((await fs.lstat(path.join(pub, NS, 'v1/css'))).isDirectory()).toBe(true);
    expect(await read(path.join(pub, NS, 'v1/css/site.css'))).toBe('body { color: red }');
    await rotate(opts(pub, 'v2', { kind: 'links', keep: 0 }));
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 'v2']);
    expect((await readManifest(path.join(pub, NS)))!.files).toBeUndefined();
  });

  it('never makes a hard link (fs.link would throw), and removes its copies when the token expires', async () => {
    const pub = await makePublic();
    vi.spyOn(fs, 'link').mockRejectedValue(Object.assign(new Error('EXDEV: injected'), { code: 'EXDEV' }));
    await rotate(opts(pub, 'v1'));
    expect(fs.link).not.toHaveBeenCalled();
    const copy = path.join(pub, NS, 'v1/css/site.css');
    expect(await read(copy)).toBe('body { color: red }');
    expect(await ino(copy)).not.toBe(await ino(path.join(pub, 'css/site.css')));
    vi.restoreAllMocks();
    await rotate(opts(pub, 'v2', { keep: 0 }));
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 'v2']); // the copies were removed
  });

  it("removes a dead process's half-made folder of copies, keeping anything else in it", async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    const pid = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const leftover = path.join(pub, NS, `.nsb-tmp-v2-${pid}-abcd1234`);
    await fs.mkdir(path.join(leftover, 'css'), { recursive: true });
    await fs.copyFile(path.join(pub, 'css/site.css'), path.join(leftover, 'css/site.css'));
    await fs.writeFile(path.join(leftover, 'not-a-link.txt'), 'kept');
    await rotate(opts(pub, 'v1'));
    expect(await listFiles(leftover)).toEqual(['not-a-link.txt']);
  });

  it('clearNamespace removes the folders of files, the manifest and the namespace', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    await rotate(opts(pub, 'v2'));
    expect(await clearNamespace(pub, NS)).toBe(true);
    expect((await fs.readdir(pub)).sort()).toEqual(['.well-known', 'css', 'deep', 'logo.png']);
  });
});
