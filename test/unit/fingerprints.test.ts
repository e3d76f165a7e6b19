// granularity: 'file': per-file fingerprints, their cascade through relative references, the map
// that bust() reads, and the folders that serve them.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bust } from '../../src/index.js';
import { decodeFingerprints, encodeFingerprints, fingerprintOf } from '../../src/fingerprint-map.js';
import { fingerprint, references } from '../../src/fingerprints.js';
import { hostRules } from '../../src/host-rules.js';
import { bustRoutes, redirectsUnknown } from '../../src/next-routes.js';
import { clearNamespace, readManifest, rotate, rotateFingerprints } from '../../src/rotate.js';
import { MANIFEST } from '../../src/folders-ready.js';
import { listFiles as listPublic } from '../../src/token.js';
import { useTmp, makePublic as makePublicIn } from '../helpers/tmp.js';

const listFiles = (publicDir: string, namespace: string) => listPublic({ publicDir, namespace });

const tmp = useTmp();
const NS = '_bust';

afterEach(() => {
  vi.unstubAllEnvs();
});

const TREE = {
  'css/site.css': '@import "./base.css";\nbody { background: url(../img/bg.png) }\n.x { background: url("/img/abs.png") }',
  'css/base.css': 'html { font: 16px sans-serif }',
  'img/bg.png': 'BG1',
  'img/abs.png': 'ABS',
  'img/logo.png': 'LOGO',
  'js/app.mjs': "import { a } from './util.mjs';\nconst u = new URL('../img/logo.png', import.meta.url);\nimport('./lazy.mjs');",
  'js/util.mjs': 'export const a = 1;',
  'js/lazy.mjs': 'export default 2;',
  'robots.txt': 'User-agent: *',
};

const makePublic = (tree: Record<string, string> = TREE) => makePublicIn(tmp, tree);

async function fingerprintsOf(pub: string) {
  const files = await listFiles(pub, NS);
  return fingerprint(pub, files)!;
}

describe('fingerprint(): one fingerprint per file', () => {
  it('gives every file a fingerprint of 8 lowercase base32 characters', async () => {
    const fp = await fingerprintsOf(await makePublic());
    expect(fp.granularity).toBe('file');
    expect([...fp.fingerprints.keys()].sort()).toEqual(Object.keys(TREE).sort());
    for (const value of fp.fingerprints.values()) expect(value).toMatch(/^[0-9a-v]{8}$/);
  });

  it('is the same for the same files in another folder (another clone, other mtimes)', async () => {
    const a = await fingerprintsOf(await makePublic());
    const other = await makePublic();
    await fs.utimes(path.join(other, 'img/logo.png'), new Date(0), new Date(0));
    const b = await fingerprintsOf(other);
    expect(b.fingerprints).toEqual(a.fingerprints);
  });

  it('changes the fingerprint of a changed file and of the files that refer to it, and no other', async () => {
    const pub = await makePublic();
    const before = await fingerprintsOf(pub);
    await fs.writeFile(path.join(pub, 'img/bg.png'), 'BG2');
    const after = await fingerprintsOf(pub);
    const changed = [...after.fingerprints].filter(([key, value]) => before.fingerprints.get(key) !== value).map(([key]) => key);
    // site.css refers to bg.png by url(): its URL must change, or browsers keep the old image.
    expect(changed.sort()).toEqual(['css/site.css', 'img/bg.png']);
  });

  it('follows references through a chain: a stylesheet changes when what its @import refers to does', async () => {
    const pub = await makePublic({ ...TREE, 'css/base.css': 'html { background: url(../img/logo.png) }' });
    const before = await fingerprintsOf(pub);
    await fs.writeFile(path.join(pub, 'img/logo.png'), 'LOGO2');
    const after = await fingerprintsOf(pub);
    for (const key of ['img/logo.png', 'css/base.css', 'css/site.css', 'js/app.mjs']) {
      expect(after.fingerprints.get(key), key).not.toBe(before.fingerprints.get(key));
    }
    expect(after.fingerprints.get('js/util.mjs')).toBe(before.fingerprints.get('js/util.mjs'));
  });

  it("rewrites a stylesheet's and a module's relative references to the busted URLs of their files (relative still)", async () => {
    const pub = await makePublic();
    const fp = await fingerprintsOf(pub);
    const f = (file: string) => fp.fingerprints.get(file)!;
    expect(fp.folders[f('css/site.css')]).toEqual(['css/site.css']);
    expect(fp.rewritten.get(`${f('css/site.css')}/css/site.css`)!.toString()).toBe(
      `@import "../../${f('css/base.css')}/css/base.css";\n` +
        `body { background: url(../../${f('img/bg.png')}/img/bg.png) }\n` +
        '.x { background: url("/img/abs.png") }',
    );
    expect(fp.rewritten.get(`${f('js/app.mjs')}/js/app.mjs`)!.toString()).toBe(
      `import { a } from '../../${f('js/util.mjs')}/js/util.mjs';\n` +
        `const u = new URL('../../${f('img/logo.png')}/img/logo.png', import.meta.url);\n` +
        `import('../../${f('js/lazy.mjs')}/js/lazy.mjs');`,
    );
    // Files without references are served as they are; public/ itself is never rewritten.
    expect(fp.rewritten.has(`${f('robots.txt')}/robots.txt`)).toBe(false);
    expect(await fs.readFile(path.join(pub, 'css/site.css'), 'utf8')).toBe(TREE['css/site.css']);
  });

  it('keeps the query and fragment of a rewritten reference, and encodes the path', async () => {
    const pub = await makePublic({ 'a.css': "x { background: url('img/my%20bg.svg?v=2#icon') }", 'img/my bg.svg': '<svg/>' });
    const fp = await fingerprintsOf(pub);
    expect(fp.rewritten.get(`${fp.fingerprints.get('a.css')}/a.css`)!.toString()).toBe(
      `x { background: url('../${fp.fingerprints.get('img/my bg.svg')}/img/my%20bg.svg?v=2#icon') }`,
    );
  });

  it('gives files that refer to each other one fingerprint and one folder, their references as written', async () => {
    const pub = await makePublic({ 'a.css': '@import "b.css";', 'b.css': '@import "a.css";', 'c.css': '@import "a.css";' });
    const fp = await fingerprintsOf(pub);
    expect(fp.fingerprints.get('a.css')).toBe(fp.fingerprints.get('b.css'));
    expect(fp.folders[fp.fingerprints.get('a.css')!]).toEqual(['a.css', 'b.css']);
    expect(fp.rewritten.size).toBe(1); // only c.css, which points into the pair
    expect([...fp.rewritten.values()][0]!.toString()).toBe(`@import "../${fp.fingerprints.get('a.css')}/a.css";`);
  });

  it('does not follow root-absolute, external, data: or missing references', async () => {
    const pub = await makePublic({
      'a.css': 'x{background:url(/b.png)} y{background:url(https://x.test/b.png)} z{background:url(data:image/png;base64,AA)} w{background:url(nothing.png)}',
      'b.png': 'B',
    });
    expect(references(pub, 'a.css', new Set(['a.css', 'b.png']))).toEqual([]);
  });

  it('finds source maps, and the src and href of HTML pages and SVG images', async () => {
    const pub = await makePublic({
      'js/a.js': 'x();\n//# sourceMappingURL=a.js.map',
      'js/a.js.map': '{}',
      'css/b.css': 'a{}\n/*# sourceMappingURL=b.css.map */',
      'css/b.css.map': '{}',
      'embed/index.html': '<link href="../css/b.css" rel=stylesheet><script src=\'../js/a.js\'></script><a href="#top">',
      'icons/sprite.svg': '<svg><image xlink:href="../img/p.png"/><use href="#x"/></svg>',
      'img/p.png': 'P',
    });
    const known = new Set(['js/a.js', 'js/a.js.map', 'css/b.css', 'css/b.css.map', 'embed/index.html', 'icons/sprite.svg', 'img/p.png']);
    const targets = (file: string) => references(pub, file, known).map((r) => r.target);
    expect(targets('js/a.js')).toEqual(['js/a.js.map']);
    expect(targets('css/b.css')).toEqual(['css/b.css.map']);
    expect(targets('embed/index.html')).toEqual(['css/b.css', 'js/a.js']);
    expect(targets('icons/sprite.svg')).toEqual(['img/p.png']);
  });

  it('finds JavaScript module references and not bare specifiers', async () => {
    const pub = await makePublic({
      'm.js': "import x from 'react';\nexport * from \"./n.js\";\nimport \"./o.js\";",
      'n.js': '',
      'o.js': '',
    });
    expect(references(pub, 'm.js', new Set(['m.js', 'n.js', 'o.js'])).map((r) => r.target)).toEqual(['n.js', 'o.js']);
  });

  it('goes per folder past the limit of entries, and gives up past it for folders too', async () => {
    const pub = await makePublic({ 'a/1.txt': '1', 'a/2.txt': '2', 'b/3.txt': '3', '4.txt': '4' });
    const files = await listFiles(pub, NS);
    const perFolder = fingerprint(pub, files, undefined, 3)!;
    expect(perFolder.granularity).toBe('folder');
    expect([...perFolder.fingerprints.keys()].sort()).toEqual(['/', 'a/', 'b/']);
    expect(fingerprint(pub, files, undefined, 2)).toBeUndefined();
  });
});

describe('the fingerprint map in the bundles', () => {
  it('decodes to what was encoded, for any file names', () => {
    const name = fc.stringMatching(/^[^/\0]{1,12}$/).filter((n) => n !== '.' && n !== '..');
    const filePath = fc.array(name, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
    const fingerprint = fc.stringMatching(/^[0-9a-v]{8}$/);
    fc.assert(
      fc.property(fc.dictionary(filePath, fingerprint), (entries) => {
        const map = new Map(Object.entries(entries));
        expect(decodeFingerprints(encodeFingerprints(map))).toEqual(map);
      }),
    );
  });

  it('holds folder fingerprints too, the root folder as "/"', () => {
    const map = new Map([
      ['/', 'aaaaaaaa'],
      ['css/', 'bbbbbbbb'],
    ]);
    const encoded = encodeFingerprints(map);
    expect(decodeFingerprints(encoded)).toEqual(map);
    expect(fingerprintOf(encoded, '/css/site.css')).toBe('bbbbbbbb');
    expect(fingerprintOf(encoded, '/robots.txt')).toBe('aaaaaaaa');
    expect(fingerprintOf(encoded, '/img/x.png')).toBeUndefined();
  });

  it('names each folder once', () => {
    const encoded = encodeFingerprints(
      new Map([
        ['img/a.png', 'aaaaaaaa'],
        ['img/b.png', 'bbbbbbbb'],
        ['robots.txt', 'cccccccc'],
      ]),
    );
    expect(encoded).toBe('img/|a.pngaaaaaaaa|b.pngbbbbbbbb|/|robots.txtcccccccc');
  });
});

describe('bust() with per-file fingerprints', () => {
  const files = encodeFingerprints(
    new Map([
      ['css/site.css', 'aaaaaaaa'],
      ['img/my logo.png', 'bbbbbbbb'],
    ]),
  );

  it("puts each file under its own fingerprint, with the basePath and the query kept", () => {
    vi.stubEnv('NEXT_STATIC_BUST_FILES', files);
    vi.stubEnv('NEXT_STATIC_BUST_BASE_PATH', '/docs');
    expect(bust('/css/site.css?v=1#x')).toBe('/docs/_bust/aaaaaaaa/css/site.css?v=1#x');
    expect(bust('img/my%20logo.png')).toBe('/docs/_bust/bbbbbbbb/img/my%20logo.png');
  });

  it('leaves a path the build did not see plain (it is still the right file)', () => {
    vi.stubEnv('NEXT_STATIC_BUST_FILES', files);
    expect(bust('/css/other.css')).toBe('/css/other.css');
  });

  it('returns a busted URL as it is', () => {
    vi.stubEnv('NEXT_STATIC_BUST_FILES', files);
    expect(bust(bust('/css/site.css'))).toBe('/_bust/aaaaaaaa/css/site.css');
  });
});

describe('rotateFingerprints(): one folder per fingerprint', () => {
  it('makes a folder per fingerprint: a copy of a plain file (not a hard link), the rewritten copy of a stylesheet', async () => {
    const pub = await makePublic();
    const fp = await fingerprintsOf(pub);
    await rotateFingerprints({ publicDir: pub, namespace: NS, folders: fp.folders, rewritten: fp.rewritten, digests: fp.digests, mode: 'build', keep: 1 });
    const bg = fp.fingerprints.get('img/bg.png')!;
    const copy = await fs.lstat(path.join(pub, NS, bg, 'img/bg.png'));
    expect(copy.isFile()).toBe(true);
    expect(copy.ino).not.toBe((await fs.lstat(path.join(pub, 'img/bg.png'))).ino);
    expect(await fs.readFile(path.join(pub, NS, bg, 'img/bg.png'), 'utf8')).toBe('BG1');
    const site = fp.fingerprints.get('css/site.css')!;
    expect(await fs.readFile(path.join(pub, NS, site, 'css/site.css'), 'utf8')).toContain(`url(../../${bg}/img/bg.png)`);
    // The rewritten reference resolves to the image's own folder.
    const resolved = path.resolve(path.join(pub, NS, site, 'css'), `../../${bg}/img/bg.png`);
    expect(await fs.readFile(resolved, 'utf8')).toBe('BG1');
  });

  it('keeps the folders of unchanged files as they are, and those of the previous build for old pages', async () => {
    const pub = await makePublic();
    const first = await fingerprintsOf(pub);
    await rotateFingerprints({ publicDir: pub, namespace: NS, folders: first.folders, rewritten: first.rewritten, digests: first.digests, mode: 'build', keep: 1 });
    const robots = path.join(pub, NS, first.fingerprints.get('robots.txt')!, 'robots.txt');
    const inode = (await fs.lstat(robots)).ino;

    await fs.rm(path.join(pub, 'img/bg.png'));
    await fs.writeFile(path.join(pub, 'img/bg.png'), 'BG2'); // a new file, as git checkout makes
    const second = await fingerprintsOf(pub);
    await rotateFingerprints({ publicDir: pub, namespace: NS, folders: second.folders, rewritten: second.rewritten, digests: second.digests, mode: 'build', keep: 1 });
    expect((await fs.lstat(robots)).ino).toBe(inode);
    const oldBg = path.join(pub, NS, first.fingerprints.get('img/bg.png')!, 'img/bg.png');
    const newBg = path.join(pub, NS, second.fingerprints.get('img/bg.png')!, 'img/bg.png');
    expect(await fs.readFile(oldBg, 'utf8')).toBe('BG1');
    expect(await fs.readFile(newBg, 'utf8')).toBe('BG2');

    // A third build with the same files again: the first build's own fingerprints go.
    const manifestBefore = await fs.readFile(path.join(pub, NS, MANIFEST), 'utf8');
    await rotateFingerprints({ publicDir: pub, namespace: NS, folders: second.folders, rewritten: second.rewritten, digests: second.digests, mode: 'build', keep: 1 });
    expect(await fs.readFile(path.join(pub, NS, MANIFEST), 'utf8')).toBe(manifestBefore);
    await fs.writeFile(path.join(pub, 'robots.txt'), 'User-agent: x');
    const third = await fingerprintsOf(pub);
    await rotateFingerprints({ publicDir: pub, namespace: NS, folders: third.folders, rewritten: third.rewritten, digests: third.digests, mode: 'build', keep: 1 });
    await expect(fs.lstat(oldBg)).rejects.toThrow(/ENOENT/);
    expect(await fs.readFile(newBg, 'utf8')).toBe('BG2');
    expect((await readManifest(path.join(pub, NS)))!.builds).toHaveLength(2);
  });

  it("never removes a file of the user's put into a fingerprint folder", async () => {
    const pub = await makePublic();
    const first = await fingerprintsOf(pub);
    await rotateFingerprints({ publicDir: pub, namespace: NS, folders: first.folders, rewritten: first.rewritten, digests: first.digests, mode: 'build', keep: 0 });
    const mine = path.join(pub, NS, first.fingerprints.get('robots.txt')!, 'mine.txt');
    await fs.writeFile(mine, 'mine');
    await fs.writeFile(path.join(pub, 'robots.txt'), 'changed');
    const second = await fingerprintsOf(pub);
    await rotateFingerprints({ publicDir: pub, namespace: NS, folders: second.folders, rewritten: second.rewritten, digests: second.digests, mode: 'build', keep: 0 });
    expect(await fs.readFile(mine, 'utf8')).toBe('mine');
    expect(await clearNamespace(pub, NS)).toBe(false);
    expect(await fs.readFile(mine, 'utf8')).toBe('mine');
  });

  it('ends in the same state when four builds rotate at once (next.config evaluated in parallel)', async () => {
    const pub = await makePublic();
    const fp = await fingerprintsOf(pub);
    const opts = { publicDir: pub, namespace: NS, folders: fp.folders, rewritten: fp.rewritten, digests: fp.digests, mode: 'build' as const, keep: 1 };
    await Promise.all([1, 2, 3, 4].map(() => rotateFingerprints(opts)));
    const manifest = (await readManifest(path.join(pub, NS)))!;
    expect([...manifest.tokens].sort()).toEqual(Object.keys(fp.folders).sort());
    for (const [key, value] of fp.fingerprints) {
      expect(await fs.readFile(path.join(pub, NS, value, key)), key).toBeTruthy();
    }
    expect((await fs.readdir(path.join(pub, NS))).filter((n) => n.startsWith('.nsb-tmp-'))).toEqual([]);
  });

  it("keeps the previous global token's folder after a switch to per-file fingerprints, for pages cached before it", async () => {
    const pub = await makePublic();
    await rotate({ publicDir: pub, namespace: NS, token: 'v1', mode: 'build', keep: 1 });
    const fp = await fingerprintsOf(pub);
    await rotateFingerprints({ publicDir: pub, namespace: NS, folders: fp.folders, rewritten: fp.rewritten, digests: fp.digests, mode: 'build', keep: 1 });
    expect(await fs.readFile(path.join(pub, NS, 'v1/robots.txt'), 'utf8')).toBe('User-agent: *');
    // With keep: 0 the next build lets it go (our links only).
    await rotateFingerprints({ publicDir: pub, namespace: NS, folders: fp.folders, rewritten: fp.rewritten, digests: fp.digests, mode: 'build', keep: 0 });
    await expect(fs.lstat(path.join(pub, NS, 'v1'))).rejects.toThrow(/ENOENT/);
    expect(await fs.readFile(path.join(pub, 'robots.txt'), 'utf8')).toBe('User-agent: *');
  });

  it('is removed whole by clearNamespace() (a host that is served by a rewrite)', async () => {
    const pub = await makePublic();
    const fp = await fingerprintsOf(pub);
    await rotateFingerprints({ publicDir: pub, namespace: NS, folders: fp.folders, rewritten: fp.rewritten, digests: fp.digests, mode: 'build', keep: 1 });
    expect(await clearNamespace(pub, NS)).toBe(true);
    await expect(fs.lstat(path.join(pub, NS))).rejects.toThrow(/ENOENT/);
    expect(await fs.readFile(path.join(pub, 'img/bg.png'), 'utf8')).toBe('BG1');
  });
});

describe('routes and host rules for per-file fingerprints', () => {
  const routes = bustRoutes({
    namespace: NS,
    current: '',
    served: ['aaaaaaaa', 'bbbbbbbb'],
    entries: { files: ['robots.txt'], folders: ['css'] },
    rewrite: true,
  });

  it('sends an unknown fingerprint, or none, to the plain file (a route cannot know the current one)', () => {
    expect(routes.redirects.map((r) => r.destination)).toEqual(['/:entry/:path+', '/:entry', '/:path+']);
  });

  it('rewrites only the served fingerprints to the file', () => {
    expect(routes.rewrites.slice(2).map((r) => r.source)).toEqual([
      '/_bust/:token(aaaaaaaa|bbbbbbbb)/:entry(css)/:path+',
      '/_bust/:token(aaaaaaaa|bbbbbbbb)/:entry(robots\\.txt)',
    ]);
  });

  it("splits a thousand fingerprints over rules within Next.js's limit, and gives up only the redirect of unknown ones", async () => {
    const { tryToParsePath } = (await import('next/dist/lib/try-to-parse-path.js')) as {
      tryToParsePath: (route: string) => { regexStr?: string; error?: boolean };
    };
    const served = Array.from({ length: 1000 }, (_, i) => i.toString(32).padStart(8, '0'));
    const many = bustRoutes({ namespace: NS, current: '', served, entries: { files: ['robots.txt'], folders: ['css'] }, rewrite: true });
    expect(many.headers.length).toBe(3);
    expect(many.headers.flatMap((h) => /\(([^)]*)\)/.exec(h.source)![1]!.split('|'))).toEqual(served);
    for (const route of [...many.headers, ...many.rewrites, ...many.redirects]) {
      const { regexStr, error } = tryToParsePath(route.source);
      expect(error).toBeFalsy();
      expect(regexStr!.length).toBeLessThanOrEqual(4096);
    }
    expect(redirectsUnknown(served)).toBe(false);
    expect(many.redirects.map((r) => r.destination)).toEqual(['/:entry/:path+', '/:entry']);
    expect(redirectsUnknown(['aaaaaaaa', 'bbbbbbbb'])).toBe(true);
  });

  it('writes one header rule for the namespace (hosts take a hundred rules, fingerprints may be a thousand)', () => {
    const rules = hostRules({
      platform: 'netlify',
      exported: true,
      namespace: NS,
      basePath: '',
      current: '',
      served: Array.from({ length: 500 }, (_, i) => String(i).padStart(8, '0')),
      perFile: true,
    });
    expect(rules._headers).toEqual(['/_bust/*', '  Cache-Control: public, max-age=31536000, immutable']);
    expect(rules._redirects).toEqual(['/_bust/.next-static-bust.json  /404  404!', '/_bust/:fingerprint/*  /:splat  307']);
  });
});
