import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LinkError, StaticBustError } from '../../src/shared/errors.js';
import { readManifest } from '../../src/namespace/manifest.js';
import { clearNamespace, restoreLinks, rotate, type RotateOptions } from '../../src/namespace/rotate.js';
import { ensureTokenFolder } from '../../src/namespace/link-folders.js';
import { MANIFEST } from '../../src/namespace/manifest.js';
import { inodeListing, listFiles, snapshot, useTmp, writeTree, makePublic as makePublicIn } from '../helpers/tmp.js';

const tmp = useTmp();
const NS = '_bust';

afterEach(() => {
  vi.restoreAllMocks();
});

const TREE = {
  'css/site.css': 'body { color: red }',
  'js/app.js': 'console.log(1)',
  'logo.png': 'PNG',
  '.well-known/security.txt': 'contact: x',
  'deep/a/b/c.txt': 'deep',
};

const makePublic = (tree: Record<string, string> = TREE) => makePublicIn(tmp, tree);

function opts(publicDir: string, token: string, extra: Partial<RotateOptions> = {}): RotateOptions {
  return { publicDir, namespace: NS, token, keep: 1, ...extra };
}

/** Every user file under public/ (outside the namespace) reads the same through the busted path. */
async function expectResolves(publicDir: string, token: string): Promise<void> {
  const files = (await listFiles(publicDir)).filter((f) => !f.startsWith(`${NS}/`));
  expect(files.length).toBeGreaterThan(0);
  for (const rel of files) {
    const busted = await fs.readFile(path.join(publicDir, NS, token, rel), 'utf8');
    expect(busted, rel).toBe(await fs.readFile(path.join(publicDir, rel), 'utf8'));
  }
}

/** The snapshot of public/ without the namespace folder: the user's files. */
async function userFiles(publicDir: string) {
  const all = await snapshot(publicDir);
  return Object.fromEntries(
    Object.entries(all).filter(([rel]) => rel !== NS && !rel.startsWith(`${NS}/`)),
  );
}

function withoutManifest<T>(snap: Record<string, T>): Record<string, T> {
  const { [`${NS}/${MANIFEST}`]: _manifest, ...rest } = snap;
  return rest;
}

function fail(code: string) {
  return Object.assign(new Error(`${code}: injected failure`), { code });
}

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('rotate: the token folder', () => {
  it('creates public/_bust/<token>/ with one relative link per top-level entry, and a manifest', async () => {
    const pub = await makePublic();
    const result = await rotate(opts(pub, 'v1'));
    expect(result).toEqual({ status: 'ok', dir: path.join(pub, NS, 'v1'), removed: [], tokens: ['v1'] });
    const names = (await fs.readdir(path.join(pub, NS, 'v1'))).sort();
    expect(names).toEqual(['.well-known', 'css', 'deep', 'js', 'logo.png']);
    for (const name of names) {
      expect(await fs.readlink(path.join(pub, NS, 'v1', name))).toBe(`../../${name}`);
    }
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 'v1']);
    expect(await readManifest(path.join(pub, NS))).toEqual({ generator: 'next-static-bust', tokens: ['v1'] });
  });

  it('makes every file of public/ readable through the busted path', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    await expectResolves(pub, 'v1');
  });

  it('does not link the namespace folder into the token folder (no loop)', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    await rotate(opts(pub, 'v2'));
    expect(await fs.readdir(path.join(pub, NS, 'v2'))).not.toContain(NS);
  });

  it('is idempotent: a second call changes nothing, not even an inode', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    const before = await inodeListing(pub);
    const again = await rotate(opts(pub, 'v1'));
    expect(again.removed).toEqual([]);
    expect(await inodeListing(pub)).toEqual(before);
    await restoreLinks(opts(pub, 'v1'));
    expect(await inodeListing(pub)).toEqual(before);
  });

  it('adds links for new top-level entries and removes links of removed ones on the next rotate', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    await writeTree(pub, { 'fonts/a.woff2': 'font', 'robots.txt': 'User-agent: *' });
    await fs.rm(path.join(pub, 'js'), { recursive: true });
    await fs.rm(path.join(pub, 'logo.png'));
    const cssLink = (await fs.lstat(path.join(pub, NS, 'v1', 'css'))).ino;
    await rotate(opts(pub, 'v1'));
    expect((await fs.readdir(path.join(pub, NS, 'v1'))).sort()).toEqual([
      '.well-known',
      'css',
      'deep',
      'fonts',
      'robots.txt',
    ]);
    // The links that stay are not replaced (readers never see them missing).
    expect((await fs.lstat(path.join(pub, NS, 'v1', 'css'))).ino).toBe(cssLink);
    await expectResolves(pub, 'v1');
  });

  it('works when public/ itself is a symlink to a real folder', async () => {
    const real = await makePublic();
    const pub = path.join(await tmp(), 'public');
    await fs.symlink(real, pub);
    await rotate(opts(pub, 'v1'));
    expect((await fs.lstat(pub)).isSymbolicLink()).toBe(true);
    expect((await fs.lstat(path.join(real, NS, 'v1'))).isDirectory()).toBe(true);
    await expectResolves(pub, 'v1');
  });

  it('reports missing-public and writes nothing when public/ does not exist', async () => {
    const app = await tmp();
    const pub = path.join(app, 'public');
    const result = await rotate(opts(pub, 'v1'));
    expect(result).toEqual({ status: 'missing-public', dir: path.join(pub, NS, 'v1'), removed: [], tokens: [] });
    expect(await fs.readdir(app)).toEqual([]);
  });

  it('reports missing-public and writes nothing when public is a file', async () => {
    const app = await tmp();
    await fs.writeFile(path.join(app, 'public'), 'not a folder');
    expect((await rotate(opts(path.join(app, 'public'), 'v1'))).status).toBe('missing-public');
    expect(await snapshot(app)).toEqual({ public: { type: 'file', content: 'not a folder', mode: expect.any(Number) } });
  });

  it('links an empty public/ to an empty token folder', async () => {
    const pub = await makePublic({});
    await rotate(opts(pub, 'v1'));
    expect(await fs.readdir(path.join(pub, NS, 'v1'))).toEqual([]);
  });
});

describe('rotate: previous tokens', () => {
  it('keeps `keep` previous tokens in build mode and removes older ones', async () => {
    const pub = await makePublic();
    expect((await rotate(opts(pub, 't1', { keep: 2 }))).removed).toEqual([]);
    expect((await rotate(opts(pub, 't2', { keep: 2 }))).removed).toEqual([]);
    expect((await rotate(opts(pub, 't3', { keep: 2 }))).removed).toEqual([]);
    expect((await rotate(opts(pub, 't4', { keep: 2 }))).removed).toEqual(['t1']);
    const last = await rotate(opts(pub, 't5', { keep: 2 }));
    expect(last.removed).toEqual(['t2']);
    expect(last.tokens).toEqual(['t3', 't4', 't5']);
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 't3', 't4', 't5']);
    expect((await readManifest(path.join(pub, NS)))!.tokens).toEqual(['t3', 't4', 't5']);
    for (const t of ['t3', 't4', 't5']) await expectResolves(pub, t);
  });

  it('keeps only the current token with keep 0', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 't1', { keep: 0 }));
    expect((await rotate(opts(pub, 't2', { keep: 0 }))).removed).toEqual(['t1']);
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 't2']);
  });

  it('moves a rebuilt older token to the newest place instead of removing it', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 't1'));
    await rotate(opts(pub, 't2'));
    // Rebuilding t1 (a revert): t1 is now current, t2 the kept previous one.
    expect((await rotate(opts(pub, 't1'))).removed).toEqual([]);
    expect((await readManifest(path.join(pub, NS)))!.tokens).toEqual(['t2', 't1']);
  });

  it('never removes anything in start mode', async () => {
    const pub = await makePublic();
    for (const t of ['t1', 't2', 't3']) await restoreLinks(opts(pub, t, { keep: 0 }));
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 't1', 't2', 't3']);
    // Starting an older build after a newer one keeps the newer one too.
    await rotate(opts(pub, 't4', { keep: 0 }));
    await restoreLinks(opts(pub, 't1', { keep: 0 }));
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 't1', 't4']);
    expect((await readManifest(path.join(pub, NS)))!.tokens).toEqual(['t4', 't1']);
  });

  it('at start, leaves a complete folder untouched, and completes one that misses a new entry', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    const before = await inodeListing(pub);
    expect(await restoreLinks(opts(pub, 'v1'))).toMatchObject({ status: 'ok', tokens: ['v1'] });
    expect(await inodeListing(pub)).toEqual(before);
    await fs.writeFile(path.join(pub, 'new.txt'), 'new');
    await restoreLinks(opts(pub, 'v1'));
    expect(await fs.readlink(path.join(pub, NS, 'v1', 'new.txt'))).toBe('../../new.txt');
  });
});

describe("rotate: never deletes or changes the user's files", () => {
  it('leaves user files, user symlinks (also ones into public/) and the user\'s folders alone', async () => {
    const pub = await makePublic();
    const outside = path.join(path.dirname(pub), 'outside.txt');
    await fs.writeFile(outside, 'outside');
    await fs.symlink(outside, path.join(pub, 'abs-out.txt'));
    await fs.symlink('../../css', path.join(pub, 'deep/a/css-up')); // looks like one of ours
    await fs.symlink('css/site.css', path.join(pub, 'alias.css'));
    await fs.symlink('nowhere', path.join(pub, 'dangling'));
    await writeTree(pub, { 'v1/not-a-token.txt': 'user folder named like a token' });
    const before = await userFiles(pub);
    for (const t of ['v1', 'v2', 'v3', 'v4']) await rotate(opts(pub, t, { keep: 0 }));
    // Entries removed from public/ between builds: only our links to them go.
    await fs.rm(path.join(pub, 'alias.css'));
    delete before['alias.css'];
    await rotate(opts(pub, 'v4', { keep: 0 }));
    expect(await userFiles(pub)).toEqual(before);
    expect(await fs.readFile(outside, 'utf8')).toBe('outside');
    // The user's links resolve through the busted path too.
    expect(await fs.readFile(path.join(pub, NS, 'v4', 'abs-out.txt'), 'utf8')).toBe('outside');
  });

  it('keeps a file the user put inside a token folder, and that folder, when the token expires', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 't1', { keep: 0 }));
    await fs.writeFile(path.join(pub, NS, 't1', 'mine.txt'), 'mine');
    // A user link that has the name of an entry but not our target is theirs too.
    await fs.symlink('css', path.join(pub, NS, 't1', 'styles'));
    const result = await rotate(opts(pub, 't2', { keep: 0 }));
    expect(result.removed).toEqual([]);
    expect(await fs.readFile(path.join(pub, NS, 't1', 'mine.txt'), 'utf8')).toBe('mine');
    expect(await fs.readlink(path.join(pub, NS, 't1', 'styles'))).toBe('css');
    // Still listed, so a later build tries again (and keeps succeeding at keeping it).
    expect((await readManifest(path.join(pub, NS)))!.tokens).toContain('t1');
    await rotate(opts(pub, 't3', { keep: 0 }));
    expect(await fs.readFile(path.join(pub, NS, 't1', 'mine.txt'), 'utf8')).toBe('mine');
    await expectResolves(pub, 't3');
  });

  it('keeps a file the user put inside the current token folder when reconciling it', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 't1'));
    await fs.writeFile(path.join(pub, NS, 't1', 'mine.txt'), 'mine');
    await rotate(opts(pub, 't1'));
    expect(await fs.readFile(path.join(pub, NS, 't1', 'mine.txt'), 'utf8')).toBe('mine');
  });

  it('refuses a public/_bust folder it did not make, and changes nothing', async () => {
    const pub = await makePublic({ ...TREE, '_bust/user.txt': 'mine', '_bust/v1/x.txt': 'x' });
    const before = await snapshot(pub);
    const error = await rotate(opts(pub, 'v1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaticBustError);
    expect(error).not.toBeInstanceOf(LinkError);
    expect((error as Error).message).toMatch(
      /^\[next-static-bust\] public\/_bust exists but was not made by next-static-bust.*`namespace` option/,
    );
    expect(await snapshot(pub)).toEqual(before);
  });

  it('refuses a user folder holding only a token-named folder', async () => {
    const pub = await makePublic({ ...TREE, '_bust/v1/.keep': '' });
    const before = await snapshot(pub);
    await expect(rotate(opts(pub, 'v1'))).rejects.toThrow(StaticBustError);
    expect(await snapshot(pub)).toEqual(before);
  });

  it('refuses when public/_bust is a file, and changes nothing', async () => {
    const pub = await makePublic({ ...TREE, _bust: 'a file' });
    const before = await snapshot(pub);
    await expect(rotate(opts(pub, 'v1'))).rejects.toThrow(/public\/_bust exists but was not made/);
    expect(await snapshot(pub)).toEqual(before);
  });

  it('refuses when public/_bust is a symlink to a folder, and changes nothing', async () => {
    const pub = await makePublic();
    const elsewhere = await tmp();
    await fs.symlink(elsewhere, path.join(pub, NS));
    const before = await snapshot(pub);
    await expect(rotate(opts(pub, 'v1'))).rejects.toThrow(/public\/_bust exists but was not made/);
    expect(await snapshot(pub)).toEqual(before);
    expect(await fs.readdir(elsewhere)).toEqual([]);
  });

  it('refuses a token path that is a file inside its namespace', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    await fs.writeFile(path.join(pub, NS, 'v2'), 'user file');
    await expect(rotate(opts(pub, 'v2'))).rejects.toThrow(/is not a folder made by next-static-bust/);
    expect(await fs.readFile(path.join(pub, NS, 'v2'), 'utf8')).toBe('user file');
  });

  it('adopts an empty public/_bust folder (nothing to lose)', async () => {
    const pub = await makePublic();
    await fs.mkdir(path.join(pub, NS));
    await rotate(opts(pub, 'v1'));
    await expectResolves(pub, 'v1');
  });
});

describe('rotate: leftovers of killed processes', () => {
  it('removes .nsb-tmp-* folders and files of a dead pid', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    const pid = deadPid();
    const ns = path.join(pub, NS);
    await fs.mkdir(path.join(ns, `.nsb-tmp-v2-${pid}-abcd1234`));
    await fs.symlink('../../css', path.join(ns, `.nsb-tmp-v2-${pid}-abcd1234`, 'css'));
    await fs.mkdir(path.join(ns, `.nsb-tmp-with-dash-${pid}-00ff00ff`));
    await fs.writeFile(path.join(ns, `.nsb-tmp-manifest-${pid}-12345678`), '{"generator":');
    await fs.symlink('../../css', path.join(ns, 'v1', `.nsb-tmp-css-${pid}-87654321`));
    await rotate(opts(pub, 'v1'));
    expect((await fs.readdir(ns)).sort()).toEqual([MANIFEST, 'v1']);
    expect((await fs.readdir(path.join(ns, 'v1'))).some((n) => n.startsWith('.nsb-tmp-'))).toBe(false);
  });

  it('keeps .nsb-tmp-* leftovers of another live process', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    const live = process.ppid; // the test runner: alive, and not us
    expect(live).not.toBe(process.pid);
    const ns = path.join(pub, NS);
    const names = [`.nsb-tmp-v2-${live}-abcd1234`, `.nsb-tmp-manifest-${live}-12345678`];
    await fs.mkdir(path.join(ns, names[0]!));
    await fs.symlink('../../css', path.join(ns, names[0]!, 'css'));
    await fs.writeFile(path.join(ns, names[1]!), '{}');
    // A link that process is about to rename into place in the token folder.
    const pending = `.nsb-tmp-img-${live}-00ff00ff`;
    await fs.symlink('../../img', path.join(ns, 'v1', pending));
    await rotate(opts(pub, 'v1'));
    expect(await fs.readlink(path.join(ns, 'v1', pending))).toBe('../../img');
    await rotate(opts(pub, 'v3', { keep: 0 }));
    const left = await fs.readdir(ns);
    for (const name of names) expect(left).toContain(name);
    expect(await fs.readlink(path.join(ns, names[0]!, 'css'))).toBe('../../css');
  });

  it('lists a token before making its folder, so a later build expires the folder of a call that died before finishing', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 't1', { keep: 0 }));
    // The call for t2 "dies" (injected EIO) at its last manifest write, after its folder was made.
    const realWriteFile = fs.writeFile.bind(fs);
    const spy = vi.spyOn(fs, 'writeFile').mockImplementation((async (file: string, data: string) => {
      if (await fs.lstat(path.join(pub, NS, 't2')).catch(() => undefined)) throw fail('EIO');
      return realWriteFile(file, data);
    }) as typeof fs.writeFile);
    await expect(rotate(opts(pub, 't2', { keep: 0 }))).rejects.toMatchObject({ code: 'EIO' });
    spy.mockRestore();
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 't2']); // t1 expired
    await rotate(opts(pub, 't3', { keep: 0 }));
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 't3']);
  });

  it('keeps a user file found inside a dead process\'s temporary folder', async () => {
    const pub = await makePublic();
    const temp = path.join(pub, NS, `.nsb-tmp-v2-${deadPid()}-abcd1234`);
    await rotate(opts(pub, 'v1'));
    await writeTree(temp, { 'user.txt': 'keep me' });
    await rotate(opts(pub, 'v1'));
    expect(await fs.readFile(path.join(temp, 'user.txt'), 'utf8')).toBe('keep me');
  });
});

describe('rotate: file systems that refuse', () => {
  /**
   * Makes every call that would write fail with `errno`, as a read-only file system does (mkdir of
   * an existing path still says EEXIST, as Linux checks that first).
   */
  function readOnly(errno: string) {
    const realMkdir = fs.mkdir.bind(fs);
    vi.spyOn(fs, 'mkdir').mockImplementation((async (dir: string) => {
      if (await fs.lstat(dir).catch(() => undefined)) return realMkdir(dir); // EEXIST
      throw fail(errno);
    }) as typeof fs.mkdir);
    for (const method of ['writeFile', 'symlink', 'rename', 'unlink', 'rmdir', 'rm'] as const) {
      vi.spyOn(fs, method).mockRejectedValue(fail(errno));
    }
  }

  it('turns EPERM from symlink (injected) into a LinkError with code EPERM, leaving nothing half-made', async () => {
    const pub = await makePublic();
    const before = await userFiles(pub);
    const symlink = vi.spyOn(fs, 'symlink').mockRejectedValue(fail('EPERM'));
    const error = await rotate(opts(pub, 'v1')).catch((e: unknown) => e);
    expect(symlink).toHaveBeenCalled();
    expect(error).toBeInstanceOf(LinkError);
    expect(error).toBeInstanceOf(StaticBustError);
    expect((error as LinkError).code).toBe('EPERM');
    expect((error as Error).message).toMatch(/^\[next-static-bust\] could not create the links in .*EPERM.*Make public\/ writable/);
    // No token folder, no temporary folder: only the manifest (which lists v1 ahead of its folder,
    // so that a later build expires whatever a failure or a kill left of it).
    expect(await fs.readdir(path.join(pub, NS))).toEqual([MANIFEST]);
    expect(await userFiles(pub)).toEqual(before);
    // Once links work again, the same call succeeds.
    symlink.mockRestore();
    await rotate(opts(pub, 'v1'));
    await expectResolves(pub, 'v1');
  });

  it('turns EPERM from symlink (injected) while reconciling into a LinkError, the old links intact', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    await writeTree(pub, { 'new.txt': 'new' });
    vi.spyOn(fs, 'symlink').mockRejectedValue(fail('EPERM'));
    await expect(rotate(opts(pub, 'v1'))).rejects.toMatchObject({ name: 'LinkError', code: 'EPERM' });
    expect((await fs.readdir(path.join(pub, NS, 'v1'))).sort()).toEqual(['.well-known', 'css', 'deep', 'js', 'logo.png']);
  });

  it('turns ENOSPC (injected, on the third link) into a LinkError, user files intact, nothing half-made', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    const before = withoutManifest(await snapshot(pub));
    const real = fs.symlink.bind(fs);
    let calls = 0;
    vi.spyOn(fs, 'symlink').mockImplementation(async (target, file) => {
      if (++calls === 3) throw fail('ENOSPC');
      return real(target, file);
    });
    const error = await rotate(opts(pub, 'v2')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as LinkError).code).toBe('ENOSPC');
    expect((error as Error).message).toMatch(/Free some disk space/);
    expect(withoutManifest(await snapshot(pub))).toEqual(before);
  });

  it('turns ENOSPC (injected) while writing the manifest into a LinkError, user files intact', async () => {
    const pub = await makePublic();
    const before = await userFiles(pub);
    vi.spyOn(fs, 'writeFile').mockRejectedValue(fail('ENOSPC'));
    await expect(rotate(opts(pub, 'v1'))).rejects.toMatchObject({ name: 'LinkError', code: 'ENOSPC' });
    expect(await userFiles(pub)).toEqual(before);
  });

  it('passes unexpected errors (injected EIO) through unchanged', async () => {
    const pub = await makePublic();
    const eio = fail('EIO');
    vi.spyOn(fs, 'symlink').mockRejectedValue(eio);
    await expect(rotate(opts(pub, 'v1'))).rejects.toBe(eio);
  });

  it('turns a read-only public/ into a LinkError and changes nothing (EROFS/EACCES injected when running as root)', async () => {
    const pub = await makePublic();
    const before = await snapshot(pub);
    await fs.chmod(pub, 0o555);
    try {
      // root ignores the mode bits: detect that, and make the file system refuse instead.
      const probe = path.join(pub, '.probe');
      const modeHonoured = await fs.writeFile(probe, '').then(
        async () => {
          await fs.rm(probe);
          return false;
        },
        () => true,
      );
      if (!modeHonoured) readOnly('EROFS');
      const error = await rotate(opts(pub, 'v1')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LinkError);
      expect(['EROFS', 'EACCES']).toContain((error as LinkError).code);
      expect((error as Error).message).toMatch(/next-static-bust rotate/);
    } finally {
      await fs.chmod(pub, 0o755);
    }
    expect(await snapshot(pub)).toEqual(before);
  });

  it('turns EACCES (injected) on a read-only namespace folder into a LinkError, links of the build intact', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    const before = await snapshot(pub);
    readOnly('EACCES');
    // Start mode on an image built with its links: nothing needs writing, so nothing fails.
    await expect(restoreLinks(opts(pub, 'v1'))).resolves.toMatchObject({ status: 'ok' });
    await expect(rotate(opts(pub, 'v2'))).rejects.toMatchObject({ name: 'LinkError', code: 'EACCES' });
    expect(await snapshot(pub)).toEqual(before);
  });
});

describe('rotate: what each refusal of the file system advises', () => {
  const writable = /Make public\/ writable during `next build` and `next start`, or run `npx next-static-bust rotate`/;
  const cases: Array<[string, NodeJS.Platform, RegExp]> = [
    ['EPERM', 'linux', writable],
    ['EPERM', 'win32', /Enable Developer Mode in Windows/],
    ['EACCES', 'win32', writable],
    ['EROFS', 'linux', writable],
    ['ENOSPC', 'linux', /Free some disk space and build again\.$/],
    ['EDQUOT', 'linux', /Free some disk space and build again\.$/],
    ['ENOTSUP', 'linux', writable],
    ['EOPNOTSUPP', 'linux', writable],
    ['EXDEV', 'linux', writable],
  ];
  for (const [code, platform, advice] of cases) {
    it(`${code} on ${platform}: a LinkError with that code and its advice`, async () => {
      const pub = await makePublic();
      vi.spyOn(fs, 'symlink').mockRejectedValue(fail(code));
      const real = process.platform;
      Object.defineProperty(process, 'platform', { value: platform });
      try {
        const error = await rotate(opts(pub, 'v1')).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(LinkError);
        expect((error as LinkError).code).toBe(code);
        expect((error as Error).message).toMatch(advice);
        expect((error as Error).message).toContain(`could not create the links in ${pub} (${code}: injected failure)`);
      } finally {
        Object.defineProperty(process, 'platform', { value: real });
      }
    });
  }

  it('passes an error without a code, and its own refusals, through unchanged', async () => {
    const pub = await makePublic();
    const plain = new Error('no code');
    vi.spyOn(fs, 'symlink').mockRejectedValueOnce(plain);
    await expect(rotate(opts(pub, 'v1'))).rejects.toBe(plain);
    await fs.writeFile(path.join(pub, NS, 'v2'), 'a file where a token folder goes');
    const refusal = await rotate(opts(pub, 'v2')).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(StaticBustError);
    expect(refusal).not.toBeInstanceOf(LinkError);
  });
});

describe('ensureTokenFolder(): a folder expired while it is brought in line', () => {
  it('makes it again, five times at most, then gives up with the error', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    const ns = path.join(pub, NS);
    const dir = path.join(ns, 'v1');
    // Another build removes the folder each time right after it is found (keep: 0 elsewhere).
    const readdir = fs.readdir.bind(fs);
    const listed = vi.spyOn(fs, 'readdir').mockImplementation((async (target: string, ...rest: unknown[]) => {
      if (String(target) === dir) throw fail('ENOENT');
      return (readdir as (...args: unknown[]) => unknown)(target, ...rest);
    }) as typeof fs.readdir);
    await expect(ensureTokenFolder(ns, 'v1', ['css'])).rejects.toMatchObject({ code: 'ENOENT' });
    expect(listed.mock.calls.filter(([target]) => String(target) === dir)).toHaveLength(5);
    // Gone once, then there again: it succeeds.
    listed.mockImplementation((async (target: string, ...rest: unknown[]) => {
      if (String(target) === dir && listed.mock.calls.filter(([t]) => String(t) === dir).length === 6) throw fail('ENOENT');
      return (readdir as (...args: unknown[]) => unknown)(target, ...rest);
    }) as typeof fs.readdir);
    await expect(ensureTokenFolder(ns, 'v1', ['css'])).resolves.toBeUndefined();
  });

  for (const code of ['EEXIST', 'ENOTEMPTY']) {
    it(`uses the folder another process renamed into place first (rename fails with ${code})`, async () => {
      const pub = await makePublic();
      await rotate(opts(pub, 'v1'));
      const ns = path.join(pub, NS);
      const rename = fs.rename.bind(fs);
      vi.spyOn(fs, 'rename').mockImplementationOnce(async (from, to) => {
        // The other process: its complete folder lands first.
        await fs.mkdir(to);
        await fs.symlink('../../css', path.join(String(to), 'css'));
        await fs.rm(String(from), { recursive: true });
        throw fail(code);
      }).mockImplementation(rename);
      await ensureTokenFolder(ns, 'v2', ['css', 'logo.png']);
      expect((await fs.readdir(path.join(ns, 'v2'))).sort()).toEqual(['css', 'logo.png']);
      expect(await fs.readlink(path.join(ns, 'v2', 'logo.png'))).toBe('../../logo.png');
      expect((await fs.readdir(ns)).filter((n) => n.startsWith('.nsb-tmp-'))).toEqual([]);
    });
  }
});

describe('restoreLinks()', () => {
  it('returns the manifest\'s tokens and removes nothing, whether the folder was complete or made again', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    await rotate(opts(pub, 'v2'));
    const dir = path.join(pub, NS, 'v2');
    expect(await restoreLinks(opts(pub, 'v2'))).toEqual({ status: 'ok', dir, removed: [], tokens: ['v1', 'v2'] });
    await fs.rm(dir, { recursive: true });
    expect(await restoreLinks(opts(pub, 'v2'))).toEqual({ status: 'ok', dir, removed: [], tokens: ['v1', 'v2'] });
    await expectResolves(pub, 'v2');
  });

  it('reports missing-public, with no tokens, when there is no public/', async () => {
    const pub = path.join(await tmp(), 'public');
    expect(await restoreLinks(opts(pub, 'v1'))).toEqual({ status: 'missing-public', dir: path.join(pub, NS, 'v1'), removed: [], tokens: [] });
  });
});

describe('clearNamespace()', () => {
  it('is done when there is no namespace folder, and makes none', async () => {
    const pub = await makePublic();
    expect(await clearNamespace(pub, NS)).toBe(true);
    await expect(fs.lstat(path.join(pub, NS))).rejects.toThrow(/ENOENT/);
  });

  it('removes the token folders, the manifest and the folder it made, and nothing of the user\'s', async () => {
    const pub = await makePublic();
    const before = await userFiles(pub);
    await rotate(opts(pub, 'v1'));
    await rotate(opts(pub, 'v2'));
    expect(await clearNamespace(pub, NS)).toBe(true);
    await expect(fs.lstat(path.join(pub, NS))).rejects.toThrow(/ENOENT/);
    expect(await userFiles(pub)).toEqual(before);
  });

  it('removes the files of a folder of copies that the manifest lists (an earlier version made them)', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    await writeTree(path.join(pub, NS, 'old'), { 'css/site.css': TREE['css/site.css'] });
    const manifest = (await readManifest(path.join(pub, NS)))!;
    await fs.writeFile(
      path.join(pub, NS, MANIFEST),
      JSON.stringify({ ...manifest, tokens: ['old', ...manifest.tokens], files: { old: ['css/site.css'] } }),
    );
    expect(await clearNamespace(pub, NS)).toBe(true);
    await expect(fs.lstat(path.join(pub, NS))).rejects.toThrow(/ENOENT/);
    expect(await fs.readFile(path.join(pub, 'css/site.css'), 'utf8')).toBe(TREE['css/site.css']);
  });

  it('removes the leftovers of a killed process', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    await fs.mkdir(path.join(pub, NS, `.nsb-tmp-v2-${deadPid()}-abcd1234`));
    expect(await clearNamespace(pub, NS)).toBe(true);
    await expect(fs.lstat(path.join(pub, NS))).rejects.toThrow(/ENOENT/);
  });

  it('leaves in place, and says so, a namespace that is a file, a link, or a folder it did not make', async () => {
    // A link to the namespace of another public/ (that one's token folders are not removed through it).
    const other = await makePublic();
    await rotate(opts(other, 'v1'));
    const otherBefore = await snapshot(other);
    for (const make of [
      (ns: string) => fs.symlink(path.join(other, NS), ns),
      (ns: string) => fs.writeFile(ns, 'mine'),
      async (ns: string) => {
        await fs.mkdir(`${ns}-real`);
        await fs.symlink(`${ns}-real`, ns);
      },
      (ns: string) => writeTree(ns, { 'notes.txt': 'mine' }),
    ]) {
      const pub = await makePublic();
      await make(path.join(pub, NS));
      const before = await snapshot(pub);
      expect(await clearNamespace(pub, NS)).toBe(false);
      expect(await snapshot(pub)).toEqual(before);
    }
    expect(await snapshot(other)).toEqual(otherBefore);
  });

  it('removes the other token folders but keeps one that holds a file of the user\'s, with the manifest', async () => {
    for (const kept of ['v1', 'v2']) {
      const pub = await makePublic();
      await rotate(opts(pub, 'v1'));
      await rotate(opts(pub, 'v2'));
      const other = kept === 'v1' ? 'v2' : 'v1';
      await fs.writeFile(path.join(pub, NS, kept, 'mine.txt'), 'mine');
      expect(await clearNamespace(pub, NS)).toBe(false);
      expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, kept].sort());
      expect(await fs.readdir(path.join(pub, NS, kept))).toEqual(['mine.txt']);
      await expect(fs.lstat(path.join(pub, NS, other))).rejects.toThrow(/ENOENT/);
    }
  });

  it('keeps a file of the user\'s at the top of the namespace, with the manifest', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    await fs.writeFile(path.join(pub, NS, 'notes.txt'), 'mine');
    expect(await clearNamespace(pub, NS)).toBe(false);
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 'notes.txt'].sort());
  });

  it('turns a refusal of the file system into a LinkError, and passes other errors through', async () => {
    const pub = await makePublic();
    await rotate(opts(pub, 'v1'));
    vi.spyOn(fs, 'rmdir').mockRejectedValueOnce(fail('EACCES'));
    await expect(clearNamespace(pub, NS)).rejects.toMatchObject({ name: 'LinkError', code: 'EACCES' });
    const eio = fail('EIO');
    vi.spyOn(fs, 'rmdir').mockRejectedValueOnce(eio);
    await expect(clearNamespace(pub, NS)).rejects.toBe(eio);
    vi.restoreAllMocks();
    expect(await clearNamespace(pub, NS)).toBe(true);
  });
});

describe('rotate: concurrent calls in one process', () => {
  it('two rotations of the same token started together both succeed', async () => {
    for (let i = 0; i < 20; i++) {
      const pub = await makePublic();
      await Promise.all([rotate(opts(pub, 'v1')), rotate(opts(pub, 'v1')), restoreLinks(opts(pub, 'v1'))]);
      await expectResolves(pub, 'v1');
      expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 'v1']);
    }
  });
});
