// The promise "one immutable URL, one set of bytes" and "nothing outside the package's own folders
// is ever written or deleted", tried the way an attacker or a careless user would: hostile
// manifests and build info, links inside the namespace, files written in place, copies that went
// bad, concurrent removals, odd rule files and trees. Each case failed on the package before the
// writes and removals were fenced (hard links, trusted manifests).
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readBuildInfo } from '../../src/start/build-info.js';
import { fingerprint } from '../../src/build/fingerprints.js';
import { MANIFEST } from '../../src/namespace/manifest.js';
import { writeHostRules, type HostRules } from '../../src/serving/host-rules.js';
import { readManifest } from '../../src/namespace/manifest.js';
import { rotate, type RotateOptions } from '../../src/namespace/rotate.js';
import { NO_ENTRIES } from '../../src/plugin/bust-routes.js';
import type { FileStates } from '../../src/build/file-state.js';
import type { ResolvedOptions, Strategy } from '../../src/plugin/options.js';
import { serveStatic, writeStaticCopies } from '../../src/serving/serve-static.js';
import { listFiles as listPublic } from '../../src/build/public-files.js';
import { resolveToken } from '../../src/build/token.js';
import { topLevel } from '../../src/namespace/top-level.js';
import { listFiles, makePublic as makePublicIn, snapshot, useCjsBuild, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const lib = useCjsBuild();
const NS = '_bust';

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.__NEXT_STATIC_BUST_WARNED;
});

const TREE = {
  'css/site.css': 'body { background: url(../img/bg.png) }',
  'img/bg.png': 'BG1',
  'robots.txt': 'User-agent: *',
};

const makePublic = (tree: Record<string, string> = TREE) => makePublicIn(tmp, tree);
const filesOpts = (publicDir: string, token: string, extra: Partial<RotateOptions> = {}): RotateOptions => ({
  publicDir,
  namespace: NS,
  token,
  keep: 1,
  ...extra,
});

/**
 * A token folder of copies with its files on the manifest's record, as earlier versions made for
 * hosts that collect public/: what a build must still expire, and what a hostile manifest imitates.
 */
async function oldFilesFolder(pub: string, token: string): Promise<void> {
  const files = Object.keys(TREE).sort();
  for (const rel of files) {
    await fs.mkdir(path.dirname(path.join(pub, NS, token, rel)), { recursive: true });
    await fs.copyFile(path.join(pub, rel), path.join(pub, NS, token, rel));
  }
  const manifest = (await readManifest(path.join(pub, NS)).catch(() => undefined)) ?? { generator: 'next-static-bust', tokens: [] };
  await writeManifest(pub, { ...manifest, tokens: [...manifest.tokens, token], files: { ...manifest.files, [token]: files } });
}
const read = (file: string) => fs.readFile(file, 'utf8');

async function writeManifest(pub: string, manifest: unknown): Promise<void> {
  await fs.writeFile(path.join(pub, NS, MANIFEST), JSON.stringify(manifest));
}

/** A per-file build's copies in `<app>/.next/static/media/_bust/` (next.config ran in another process). */
async function perFileBuild(pub: string) {
  const fp = fingerprint(pub, await listPublic({ publicDir: pub, namespace: NS }))!;
  await writeStaticCopies({ distDir: distOf(pub), publicDir: pub, opts: { namespace: NS, strategy: 'hash' }, served: { serving: 'static', current: '', served: Object.keys(fp.folders), entries: NO_ENTRIES, fingerprints: fp.encoded } });
  return fp;
}
const distOf = (pub: string) => path.join(path.dirname(pub), '.next');
const staticDir = (pub: string) => path.join(distOf(pub), 'static/media', NS);

/**
 * Runs `code` (CommonJS, with `lib` the package's compiled src/) in a child process with a time
 * limit, so that a build that never ends fails the test instead of hanging the suite.
 */
function inChild(code: string, timeout = 20_000) {
  const result = spawnSync(process.execPath, ['-e', `const lib = ${JSON.stringify(lib())};\n${code}`], {
    encoding: 'utf8',
    timeout,
  });
  return { ...result, timedOut: result.error !== undefined || result.signal === 'SIGTERM' };
}

describe('a hostile manifest never leads a write or a removal out of the namespace', () => {
  it("ignores file entries that climb (`..`) or are absolute, and keeps the files they name", async () => {
    const pub = await makePublic();
    const app = path.dirname(pub);
    await fs.writeFile(path.join(app, 'next.config.mjs'), 'export default {}');
    const outside = await tmp('nsb-victim-');
    await fs.writeFile(path.join(outside, 'victim.txt'), 'precious');
    await rotate(filesOpts(pub, 'v0'));
    await oldFilesFolder(pub, 'v1');
    await writeManifest(pub, {
      generator: 'next-static-bust',
      tokens: ['v1'],
      // An absolute entry is tried in a child process below: on a package that follows it, the
      // removal loop never ends, which would hang this process.
      files: { v1: ['../../robots.txt', '../../../next.config.mjs', `../../../../${path.basename(outside)}/victim.txt`, 'css/site.css'] },
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await rotate(filesOpts(pub, 'v2', { keep: 0 }));
    expect(await read(path.join(pub, 'robots.txt'))).toBe('User-agent: *');
    expect(await read(path.join(app, 'next.config.mjs'))).toBe('export default {}');
    expect(await read(path.join(outside, 'victim.txt'))).toBe('precious');
    expect(warn.mock.calls.join('\n')).toMatch(/manifest .* has 3 entries that name no folder or file of its own/);
  });

  it('finishes (no endless loop) on an absolute entry, in a child process with a time limit', async () => {
    const pub = await makePublic();
    await rotate(filesOpts(pub, 'v0'));
    await oldFilesFolder(pub, 'v1');
    await writeManifest(pub, { generator: 'next-static-bust', tokens: ['v1'], files: { v1: ['/etc/nsb-not-there/x'] } });
    const child = inChild(
      `require(require('node:path').join(lib, 'namespace/rotate.js')).rotate(${JSON.stringify(filesOpts(pub, 'v2', { keep: 0 }))})` +
        `.then(() => process.stdout.write('done'), (e) => { console.error(e); process.exit(1); });`,
    );
    expect(child.timedOut, child.stderr).toBe(false);
    expect(child.stdout).toBe('done');
  });

  it('ignores tokens that are not plain folder names, and removes nothing through them', async () => {
    const pub = await makePublic();
    await rotate(filesOpts(pub, 'v1'));
    const before = await snapshot(path.dirname(pub));
    await writeManifest(pub, { generator: 'next-static-bust', tokens: ['..', '../..', '/tmp', 'v1'], files: { '..': ['robots.txt'], '../..': ['public/img/bg.png'] } });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await rotate(filesOpts(pub, 'v1', { keep: 0 }));
    const after = await snapshot(path.dirname(pub));
    for (const [rel, node] of Object.entries(before)) {
      if (!rel.startsWith(`public/${NS}/`)) expect(after[rel], rel).toEqual(node);
    }
  });

  it('never follows a link found inside a token folder when it removes the files the manifest lists', async () => {
    const pub = await makePublic();
    const outside = await tmp('nsb-victim-');
    await fs.writeFile(path.join(outside, 'victim.txt'), 'precious');
    await rotate(filesOpts(pub, 'v0'));
    await oldFilesFolder(pub, 'v1');
    await fs.symlink(outside, path.join(pub, NS, 'v1', 'sub'));
    await writeManifest(pub, { generator: 'next-static-bust', tokens: ['v1'], files: { v1: ['sub/victim.txt', 'robots.txt'] } });
    await rotate(filesOpts(pub, 'v2', { keep: 0 }));
    expect(await read(path.join(outside, 'victim.txt'))).toBe('precious');
  });

  it('never removes through a token folder that was replaced by a link to another folder', async () => {
    const pub = await makePublic();
    const outside = await tmp('nsb-victim-');
    // What a folder of links holds: a link `css -> ../../css`, and a file the manifest would list.
    await fs.symlink(path.join('..', '..', 'css'), path.join(outside, 'css'));
    await fs.writeFile(path.join(outside, 'robots.txt'), 'precious');
    await rotate(filesOpts(pub, 'v1'));
    await fs.rm(path.join(pub, NS, 'v1'), { recursive: true });
    await fs.symlink(outside, path.join(pub, NS, 'v1'));
    await rotate(filesOpts(pub, 'v2', { keep: 0 }));
    expect(await read(path.join(outside, 'robots.txt'))).toBe('precious');
    expect((await fs.lstat(path.join(outside, 'css'))).isSymbolicLink()).toBe(true);
  });

  it('refuses a token from .next/ that climbs, before anything is made', async () => {
    const pub = await makePublic();
    const app = path.dirname(pub);
    const escaped = `escaped-${path.basename(app)}`; // a name no other run uses
    await expect(rotate(filesOpts(pub, `../../../${escaped}`))).rejects.toThrow(/cannot be a token, fingerprint or namespace folder/);
    await expect(rotate(filesOpts(pub, `../../${escaped}`))).rejects.toThrow(/nothing was written/);
    expect(await fs.readdir(app)).toEqual(['public']);
    expect((await fs.readdir(path.dirname(app))).filter((name) => name === escaped)).toEqual([]);
    // What next start and the CLI read from .next/: such a build is not served at all.
    mkdirSync(path.join(app, '.next'));
    const env = { NEXT_STATIC_BUST_TOKEN: '../../../escaped', NEXT_STATIC_BUST_NAMESPACE: '_bust' };
    writeFileSync(path.join(app, '.next/required-server-files.json'), JSON.stringify({ config: { env } }));
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(readBuildInfo(app)).toBeUndefined();
    writeFileSync(path.join(app, '.next/required-server-files.json'), JSON.stringify({ config: { env: { ...env, NEXT_STATIC_BUST_TOKEN: 'v1', NEXT_STATIC_BUST_NAMESPACE: '..' } } }));
    expect(readBuildInfo(app)).toBeUndefined();
  });
});

describe('an immutable URL serves exactly its bytes', () => {
  it("keeps a static copy's bytes when the file in public/ is written in place (cp onto it, editors, generators)", async () => {
    const pub = await makePublic();
    await writeStaticCopies({ distDir: distOf(pub), publicDir: pub, opts: { namespace: NS, strategy: 'hash', token: 'v1' }, served: { serving: 'static', current: 'v1', served: ['v1'], entries: NO_ENTRIES } });
    // `cp new.png public/img/bg.png` onto an existing file writes into the same inode.
    const handle = await fs.open(path.join(pub, 'img/bg.png'), 'r+');
    await handle.write('XYZ', 0);
    await handle.close();
    expect(await read(path.join(pub, 'img/bg.png'))).toBe('XYZ');
    expect(await read(path.join(staticDir(pub), 'v1/img/bg.png'))).toBe('BG1');
  });

  it("keeps a fingerprint's bytes when the file is written in place, and a fingerprint's URL never serves other bytes after the old ones are restored", async () => {
    const pub = await makePublic();
    const first = await perFileBuild(pub);
    const bg = first.fingerprints.get('img/bg.png')!;
    const copy = path.join(staticDir(pub), bg, 'img/bg.png');
    await fs.writeFile(path.join(pub, 'img/bg.png'), 'EDITED', { flag: 'r+' }); // in place: same inode
    expect(await read(copy)).toBe('BG1');
    const second = await perFileBuild(pub);
    expect(second.fingerprints.get('img/bg.png')).not.toBe(bg);
    expect(await read(path.join(staticDir(pub), second.fingerprints.get('img/bg.png')!, 'img/bg.png'))).toBe('EDITED');
    // git checkout restores the old bytes as a new file: the old fingerprint again, with its bytes.
    await fs.rm(path.join(pub, 'img/bg.png'));
    await fs.writeFile(path.join(pub, 'img/bg.png'), 'BG1');
    const third = await perFileBuild(pub);
    expect(third.fingerprints.get('img/bg.png')).toBe(bg);
    expect(await read(copy)).toBe('BG1');
    // The stylesheet that refers to the image points at the folder with those bytes.
    const site = path.join(staticDir(pub), third.fingerprints.get('css/site.css')!, 'css/site.css');
    expect(await read(site)).toContain(`url(../../${bg}/img/bg.png)`);
  });

  it('makes every copy anew at each build: a tampered copy does not survive', async () => {
    const pub = await makePublic();
    const fp = await perFileBuild(pub);
    const copy = path.join(staticDir(pub), fp.fingerprints.get('robots.txt')!, 'robots.txt');
    await fs.writeFile(copy, 'tampered');
    await perFileBuild(pub);
    expect(await read(copy)).toBe('User-agent: *');
  });

  it('takes out a copy whose bytes changed between fingerprinting and copying: its URL answers 404, not other bytes', async () => {
    const pub = await makePublic();
    const fp = fingerprint(pub, await listPublic({ publicDir: pub, namespace: NS }))!;
    // next.config fingerprinted public/ in this process…
    const served = await serveStatic({ namespace: NS } as ResolvedOptions, pub, { fingerprinted: fp });
    // …then a generator rewrites a file, before the copies are made after compiling.
    await fs.writeFile(path.join(pub, 'robots.txt'), 'written during the build');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await writeStaticCopies({ distDir: distOf(pub), publicDir: pub, opts: { namespace: NS, strategy: 'hash' }, served: served });
    expect(await listFiles(path.join(staticDir(pub), fp.fingerprints.get('robots.txt')!))).toEqual([]);
    expect(warn.mock.calls.join('\n')).toMatch(/1 file of public\/ changed during the build \(robots\.txt\)/);
    expect(await read(path.join(staticDir(pub), fp.fingerprints.get('img/bg.png')!, 'img/bg.png'))).toBe('BG1');
  });
});

describe('one token in the static folder: the copies are the files the token was made from', () => {
  // next.config makes the token in the process that later runs the hook (as Next.js does);
  // between the two, a generator writes into public/.
  async function tokenAtConfig(pub: string, strategy: Strategy, token?: string) {
    const files = await listPublic({ publicDir: pub, namespace: NS });
    const states: FileStates = new Map();
    const made = await resolveToken({ publicDir: pub, namespace: NS, files, states, strategy, token, env: {} as NodeJS.ProcessEnv });
    return serveStatic({ namespace: NS } as ResolvedOptions, pub, { token: made, files, states });
  }
  // Files written well before the build, as in a checkout (a write in the same clock tick as the
  // one before would keep the file's times).
  const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

  for (const [strategy, token] of [['hash'], ['mtime'], ['git'], ['hash', 'release-7']] as [Strategy, string?][]) {
    it(`leaves out what changed after the token was made (${strategy}${token ? ', a token of your own' : ''}): 404 and a warning, never other bytes`, async () => {
      const pub = await makePublic({ ...TREE, 'search.json': '{"posts":1}', 'old.txt': 'old' });
      await settle();
      const served = await tokenAtConfig(pub, strategy, token);
      // In place, the same length (cp onto it, dd conv=notrunc), a new file, a removed one.
      const handle = await fs.open(path.join(pub, 'search.json'), 'r+');
      await handle.write('{"posts":2}', 0);
      await handle.close();
      await fs.writeFile(path.join(pub, 'feed.xml'), '<rss/>');
      await fs.rm(path.join(pub, 'old.txt'));
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      await writeStaticCopies({ distDir: distOf(pub), publicDir: pub, opts: { namespace: NS, strategy, token }, served });
      expect(await listFiles(path.join(staticDir(pub), served.current))).toEqual(['css/site.css', 'img/bg.png', 'robots.txt']);
      expect(await read(path.join(staticDir(pub), served.current, 'img/bg.png'))).toBe('BG1');
      expect(warn.mock.calls.join('\n')).toMatch(/3 files of public\/ changed during the build \(feed\.xml, old\.txt, search\.json\)/);
    });
  }

  it('where next.config did not run: copies only when the token made again is the build\'s', async () => {
    const pub = await makePublic();
    const files = await listPublic({ publicDir: pub, namespace: NS });
    const token = await resolveToken({ publicDir: pub, namespace: NS, files, strategy: 'hash', env: {} as NodeJS.ProcessEnv });
    const served = { serving: 'static' as const, current: token, served: [token], entries: NO_ENTRIES };
    const opts = { namespace: NS, strategy: 'hash' as const };
    await writeStaticCopies({ distDir: distOf(pub), publicDir: pub, opts, served });
    expect(await listFiles(path.join(staticDir(pub), token))).toEqual(['css/site.css', 'img/bg.png', 'robots.txt']);
    // public/ changed since the token was made: nothing is known to be the token's.
    await fs.writeFile(path.join(pub, 'robots.txt'), 'Disallow: /');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await writeStaticCopies({ distDir: distOf(pub), publicDir: pub, opts, served });
    expect(await listFiles(path.join(staticDir(pub), token))).toEqual([]);
    expect(warn.mock.calls.join('\n')).toMatch(/3 files of public\/ changed during the build/);
  });
});

describe('a namespace left by an earlier version', () => {
  it("makes a token's folder of copies again as links (our copies removed, a file of the user's kept and reported)", async () => {
    const pub = await makePublic();
    await rotate(filesOpts(pub, 'v0'));
    await oldFilesFolder(pub, 'v1');
    await rotate(filesOpts(pub, 'v1'));
    expect((await fs.lstat(path.join(pub, NS, 'v1/css'))).isSymbolicLink()).toBe(true);
    expect(await read(path.join(pub, NS, 'v1/robots.txt'))).toBe('User-agent: *'); // through the link
    expect((await readManifest(path.join(pub, NS)))!.files).toBeUndefined();
    await oldFilesFolder(pub, 'v2');
    await fs.writeFile(path.join(pub, NS, 'v2/mine.txt'), 'mine');
    await expect(rotate(filesOpts(pub, 'v2'))).rejects.toThrow(/v2 holds files that next-static-bust did not make/);
    expect(await read(path.join(pub, NS, 'v2/mine.txt'))).toBe('mine');
  });
});

describe('concurrent and interrupted builds', () => {
  it('does not fail when another build removes an expiring file first (ENOENT on unlink)', async () => {
    const pub = await makePublic();
    await rotate(filesOpts(pub, 'v0', { keep: 0 }));
    await oldFilesFolder(pub, 'v1');
    const realUnlink = fs.unlink.bind(fs);
    // The other build wins the race for every file: by the time this one unlinks, it is gone.
    vi.spyOn(fs, 'unlink').mockImplementation(async (file) => {
      await realUnlink(file);
      return realUnlink(file);
    });
    await expect(rotate(filesOpts(pub, 'v2', { keep: 0 }))).resolves.toMatchObject({ removed: ['v0', 'v1'] });
  });

  it('makes its folder again when another build expires it meanwhile (keep: 0), instead of failing with ENOENT', async () => {
    const pub = await makePublic();
    await rotate(filesOpts(pub, 'v1'));
    const realReaddir = fs.readdir.bind(fs);
    let expired = false;
    // Another build removes v1 just as this one brings it in line.
    vi.spyOn(fs, 'readdir').mockImplementation((async (dir: string, ...rest: unknown[]) => {
      if (!expired && dir === path.join(pub, NS, 'v1')) {
        expired = true;
        await fs.rm(dir, { recursive: true });
      }
      return (realReaddir as (...args: unknown[]) => Promise<unknown>)(dir, ...rest);
    }) as typeof fs.readdir);
    await expect(rotate(filesOpts(pub, 'v1'))).resolves.toMatchObject({ status: 'ok' });
    expect(expired).toBe(true);
    expect(await fs.readlink(path.join(pub, NS, 'v1/css'))).toBe(path.join('..', '..', 'css'));
  });

  it('expires the token folders that a torn manifest no longer lists', async () => {
    const pub = await makePublic();
    await rotate(filesOpts(pub, 'v0'));
    await oldFilesFolder(pub, 'v1');
    await rotate(filesOpts(pub, 'v2'));
    await fs.writeFile(path.join(pub, NS, MANIFEST), '{"generator": "next-static-bust", "tok'); // torn
    await rotate(filesOpts(pub, 'v3', { keep: 1 }));
    await rotate(filesOpts(pub, 'v4', { keep: 1 }));
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 'v3', 'v4']);
    expect((await readManifest(path.join(pub, NS)))!.tokens).toEqual(['v3', 'v4']);
  });

  it('keeps an unlisted folder newer than the listed ones (a concurrent build\'s) while keep allows', async () => {
    const pub = await makePublic();
    await rotate(filesOpts(pub, 'v0'));
    await oldFilesFolder(pub, 'v1');
    // Another build made v2 but its manifest write was lost to ours.
    await rotate(filesOpts(pub, 'v2'));
    await writeManifest(pub, { generator: 'next-static-bust', tokens: ['v1'], files: { v1: Object.keys(TREE).sort() } });
    await rotate(filesOpts(pub, 'v3', { keep: 1 }));
    expect((await fs.readdir(path.join(pub, NS))).sort()).toEqual([MANIFEST, 'v2', 'v3']);
  });
});

describe('odd rule files and trees degrade, never abort or hang', () => {
  const RULES: HostRules = { platform: 'netlify', exported: false, namespace: NS, basePath: '', serving: 'links', current: 'v1', served: ['v1'] };

  it("writes through a linked _headers: the user's link stays a link", async () => {
    const pub = await makePublic();
    const config = path.join(path.dirname(pub), 'config');
    await fs.mkdir(config);
    await fs.writeFile(path.join(config, '_headers'), '/admin/*\n  X-Frame-Options: DENY\n');
    await fs.symlink('../config/_headers', path.join(pub, '_headers'));
    await writeHostRules(pub, RULES);
    expect((await fs.lstat(path.join(pub, '_headers'))).isSymbolicLink()).toBe(true);
    const text = await read(path.join(config, '_headers'));
    expect(text).toContain('/_bust/v1/*');
    expect(text.endsWith('/admin/*\n  X-Frame-Options: DENY\n')).toBe(true);
    // Taken out again when no rules are wanted; the link and the user's lines stay.
    await writeHostRules(pub, undefined);
    expect((await fs.lstat(path.join(pub, '_headers'))).isSymbolicLink()).toBe(true);
    expect(await read(path.join(config, '_headers'))).toBe('/admin/*\n  X-Frame-Options: DENY\n');
  });

  it('leaves a FIFO named _headers alone with a warning, and does not hang', async () => {
    const pub = await makePublic();
    execFileSync('mkfifo', [path.join(pub, '_headers')]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await writeHostRules(pub, RULES);
    expect((await fs.lstat(path.join(pub, '_headers'))).isFIFO()).toBe(true);
    expect(warn.mock.calls.join('\n')).toMatch(/public\/_headers is not a regular file \(a FIFO, socket or device\)/);
    expect(await read(path.join(pub, '_redirects'))).toContain('/_bust/.next-static-bust.json');
  }, 10_000);

  it('leaves a folder named _redirects alone with a warning', async () => {
    const pub = await makePublic();
    await fs.mkdir(path.join(pub, '_redirects'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await writeHostRules(pub, RULES);
    expect(warn.mock.calls.join('\n')).toMatch(/public\/_redirects is a folder/);
    expect(await read(path.join(pub, '_headers'))).toContain('/_bust/v1/*');
  });

  it('skips a top-level link that loops (ELOOP) instead of failing the build', async () => {
    const pub = await makePublic();
    await fs.symlink('loop', path.join(pub, 'loop'));
    await fs.symlink('b', path.join(pub, 'a'));
    await fs.symlink('a', path.join(pub, 'b'));
    expect(topLevel(pub, NS)).toEqual({ files: ['robots.txt'], folders: ['css', 'img'] });
  });

  it('leaves an unreadable file out of the hash token and the fingerprints, with a warning, where Next.js alone builds', async () => {
    const pub = await makePublic();
    await fs.writeFile(path.join(pub, 'secret.txt'), 'no');
    // As root, permissions do not stop reads: the child drops to nobody (the files live in the
    // system's temporary folder, which nobody can reach, and so is the build it loads).
    const dist = path.join(await tmp('nsb-lib-'), 'cjs');
    await fs.cp(lib(), dist, { recursive: true });
    for (const dir of [path.dirname(dist), dist]) await fs.chmod(dir, 0o755);
    // Only the test's own folders: the system's temporary folder keeps its mode (1777).
    for (const dir of [path.dirname(pub), pub]) await fs.chmod(dir, 0o755);
    await fs.chmod(path.join(pub, 'secret.txt'), 0o000);
    const dropToNobody = process.getuid?.() === 0 ? "process.setgid('nogroup'); process.setuid('nobody');" : '';
    const result = spawnSync(
      process.execPath,
      [
        '-e',
        `${dropToNobody}
        const path = require('node:path');
        const lib = ${JSON.stringify(dist)};
        const pub = ${JSON.stringify(pub)};
        const { hashToken } = require(path.join(lib, 'build/hash.js'));
        const { fingerprint } = require(path.join(lib, 'build/fingerprints.js'));
        const files = ['css/site.css', 'img/bg.png', 'robots.txt', 'secret.txt'];
        hashToken({ publicDir: pub, namespace: '_bust', files }).then((token) => {
          const fp = fingerprint(pub, files);
          process.stdout.write(JSON.stringify({ token, keys: [...fp.fingerprints.keys()].sort() }));
        }, (e) => { console.error(e); process.exit(1); });`,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { token: string; keys: string[] };
    expect(out.token).toMatch(/^[0-9a-f]{16}$/);
    expect(out.keys).toEqual(['css/site.css', 'img/bg.png', 'robots.txt']);
    expect(result.stderr).toMatch(/1 file of public\/ could not be read \(secret\.txt\)/);
  });
});
