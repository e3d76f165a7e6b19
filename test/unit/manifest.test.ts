// The manifest of the namespace folder (src/namespace/manifest.ts), read directly: what a hostile,
// foreign or torn manifest gives, the warning that names what was dropped, the synchronous read
// of a start, and whether a start's folder of links is complete. Written from the survivors of a
// mutation run without per-test coverage (docs/mutation-testing.md).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { linksReady, MANIFEST, parseManifest, readManifestSync } from '../../src/namespace/manifest.js';
import { restoreLinks, rotate } from '../../src/namespace/rotate.js';
import { makePublic, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const NS = '_bust';

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.__NEXT_STATIC_BUST_WARNED;
});

const warnings = () => vi.spyOn(console, 'warn').mockImplementation(() => {});

describe('parseManifest()', () => {
  it("is undefined for what is not the package's: another generator, no list of tokens, not an object, not JSON", () => {
    expect(parseManifest(JSON.stringify({ generator: 'other-tool', tokens: ['a'] }))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ tokens: ['a'] }))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ generator: 'next-static-bust', tokens: 'a' }))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ generator: 'next-static-bust' }))).toBeUndefined();
    expect(parseManifest('null')).toBeUndefined();
    expect(parseManifest('42')).toBeUndefined();
    expect(parseManifest('{"generator": "next-static-bust", "tok')).toBeUndefined();
  });

  it('ignores lists of files that are no object', () => {
    for (const files of [null, 'x', 7]) {
      expect(parseManifest(JSON.stringify({ generator: 'next-static-bust', tokens: ['a'], files }))).toStrictEqual({ generator: 'next-static-bust', tokens: ['a'] });
    }
  });

  it('keeps a well-formed manifest as it is, without keys it does not have', () => {
    const manifest = { generator: 'next-static-bust', tokens: ['a', 'b'], files: { a: ['css/x.css'] }, builds: [['f1', 'f2'], ['f3']] };
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
    expect(parseManifest(JSON.stringify({ generator: 'next-static-bust', tokens: [] }))).toStrictEqual({ generator: 'next-static-bust', tokens: [] });
  });

  it('drops each entry that is no plain name, and says how many and which', () => {
    const warn = warnings();
    const parsed = parseManifest(
      JSON.stringify({
        generator: 'next-static-bust',
        tokens: ['ok', '..', 'a/b', 7],
        files: { ok: ['css/x.css', '../escape', '/abs'], '..': ['x'], list: 'not a list' },
        builds: [['f1', '../f'], 'not a build', ['f2']],
      }),
    );
    expect(parsed).toEqual({ generator: 'next-static-bust', tokens: ['ok'], files: { ok: ['css/x.css'] }, builds: [['f1'], ['f2']] });
    const message = String(warn.mock.calls[0]![0]);
    expect(message).toMatch(/has 8 entries that name no folder or file of its own \("\.\.", "a\/b", 7, …\): ignored\./);
    expect(message).toMatch(/delete the namespace folder and build again if it was edited by hand\.$/);
  });

  it('names one dropped entry in the singular, and all of three without "…"', () => {
    const warn = warnings();
    parseManifest(JSON.stringify({ generator: 'next-static-bust', tokens: ['ok', '..'] }));
    expect(String(warn.mock.calls[0]![0])).toMatch(/has 1 entry that names no folder or file of its own \("\.\."\): ignored/);
    delete process.env.__NEXT_STATIC_BUST_WARNED;
    parseManifest(JSON.stringify({ generator: 'next-static-bust', tokens: ['..', '.', '../..'] }));
    expect(String(warn.mock.calls[1]![0])).toMatch(/has 3 entries that name no folder or file of its own \("\.\.", "\.", "\.\.\/\.\."\): ignored/);
  });
});

describe('the manifest on disk', () => {
  it('is written as the package\'s, and read back synchronously (a start) as it was written', async () => {
    const pub = await makePublic(tmp, { 'a.txt': 'a' });
    await rotate({ publicDir: pub, namespace: NS, token: 't1', keep: 1 });
    const text = await fs.readFile(path.join(pub, NS, MANIFEST), 'utf8');
    expect(JSON.parse(text)).toEqual({ generator: 'next-static-bust', tokens: ['t1'] });
    expect(text.endsWith('}\n')).toBe(true);
    expect(readManifestSync(path.join(pub, NS))).toEqual({ generator: 'next-static-bust', tokens: ['t1'] });
    expect(readManifestSync(path.join(pub, 'nothing-here'))).toBeUndefined();
  });

  it('makes a folder with the manifest of another tool no namespace of ours: refused, nothing written', async () => {
    const pub = await makePublic(tmp, { 'a.txt': 'a' });
    await fs.mkdir(path.join(pub, NS));
    const foreign = JSON.stringify({ generator: 'other-tool', tokens: ['t1'] });
    await fs.writeFile(path.join(pub, NS, MANIFEST), foreign);
    await expect(rotate({ publicDir: pub, namespace: NS, token: 't1', keep: 1 })).rejects.toThrow(/public\/_bust exists but was not made by next-static-bust/);
    expect(await fs.readdir(path.join(pub, NS))).toEqual([MANIFEST]);
    expect(await fs.readFile(path.join(pub, NS, MANIFEST), 'utf8')).toBe(foreign);
  });
});

describe('a manifest of ours that is torn or damaged', () => {
  for (const [name, text] of [
    ['torn (a killed write)', '{"generator": "next-static-bust", "tok'],
    ['with damaged lists', JSON.stringify({ generator: 'next-static-bust', tokens: 'not a list' })],
  ]) {
    it(`is ours, ${name}: the build starts a new list, and the folders on disk are still checked`, async () => {
      const pub = await makePublic(tmp, { 'a.txt': 'a' });
      await rotate({ publicDir: pub, namespace: NS, token: 't1', keep: 1 });
      await fs.writeFile(path.join(pub, NS, MANIFEST), text!);
      const result = await rotate({ publicDir: pub, namespace: NS, token: 't2', keep: 0 });
      expect(result.tokens).toEqual(['t2']);
      // t1's folder, which the manifest lost, was found on disk and expired.
      expect(result.removed).toEqual(['t1']);
      expect(JSON.parse(await fs.readFile(path.join(pub, NS, MANIFEST), 'utf8'))).toEqual({ generator: 'next-static-bust', tokens: ['t2'] });
    });
  }
});

describe('linksReady(): whether a start must make anything', () => {
  async function built() {
    const pub = await makePublic(tmp, { 'a.txt': 'a', 'css/x.css': 'x' });
    await rotate({ publicDir: pub, namespace: NS, token: 't1', keep: 1 });
    return pub;
  }

  it("is the manifest's tokens when the folder links every top-level entry", async () => {
    expect(linksReady(await built(), NS, 't1')).toEqual(['t1']);
  });

  it('is undefined when a link is missing, leads elsewhere, or an entry of public/ is new', async () => {
    let pub = await built();
    await fs.rm(path.join(pub, NS, 't1', 'css'));
    expect(linksReady(pub, NS, 't1')).toBeUndefined();
    pub = await built();
    await fs.rm(path.join(pub, NS, 't1', 'css'));
    await fs.symlink('../../a.txt', path.join(pub, NS, 't1', 'css'));
    expect(linksReady(pub, NS, 't1')).toBeUndefined();
    pub = await built();
    await fs.writeFile(path.join(pub, 'new.txt'), 'n');
    expect(linksReady(pub, NS, 't1')).toBeUndefined();
  });

  it('is undefined for a token the manifest does not list, or without a manifest', async () => {
    const pub = await built();
    expect(linksReady(pub, NS, 't2')).toBeUndefined();
    await fs.rm(path.join(pub, NS, MANIFEST));
    expect(linksReady(pub, NS, 't1')).toBeUndefined();
  });

  it('makes a start put back a link that went missing, and only that', async () => {
    const pub = await built();
    await fs.rm(path.join(pub, NS, 't1', 'css'));
    const result = await restoreLinks({ publicDir: pub, namespace: NS, token: 't1' });
    expect(result).toMatchObject({ status: 'ok', tokens: ['t1'], removed: [] });
    expect(await fs.readlink(path.join(pub, NS, 't1', 'css'))).toBe(path.join('..', '..', 'css'));
    expect(await fs.readFile(path.join(pub, NS, 't1', 'css/x.css'), 'utf8')).toBe('x');
  });
});
