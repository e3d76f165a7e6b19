// granularity: 'file': per-file fingerprints, their cascade through relative references, the map
// that bust() reads, and the folders that serve them.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bust } from '../../src/index.js';
import { decodeFingerprints, encodeFingerprints, fingerprintOf } from '../../src/runtime/fingerprint-map.js';
import { fingerprint } from '../../src/build/fingerprints.js';
import { references } from '../../src/build/references.js';
import { hostRules } from '../../src/serving/host-rules.js';
import { bustRoutes, redirectsUnknown } from '../../src/plugin/bust-routes.js';
import { writeStaticCopies } from '../../src/serving/serve-static.js';
import { listFiles as listPublic } from '../../src/build/public-files.js';
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

  it('changes the fingerprint of a stylesheet when a file it names by a root-absolute url() changes', async () => {
    const pub = await makePublic();
    const before = await fingerprintsOf(pub);
    await fs.writeFile(path.join(pub, 'img/abs.png'), 'ABS2');
    const after = await fingerprintsOf(pub);
    const changed = [...after.fingerprints].filter(([key, value]) => before.fingerprints.get(key) !== value).map(([key]) => key);
    expect(changed.sort()).toEqual(['css/site.css', 'img/abs.png']);
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

  it("rewrites a stylesheet's and a module's relative and root-absolute references to the busted URLs of their files (relative)", async () => {
    const pub = await makePublic();
    const fp = await fingerprintsOf(pub);
    const f = (file: string) => fp.fingerprints.get(file)!;
    expect(fp.folders[f('css/site.css')]).toEqual(['css/site.css']);
    expect(fp.rewritten.get(`${f('css/site.css')}/css/site.css`)!.toString()).toBe(
      `@import "../../${f('css/base.css')}/css/base.css";\n` +
        `body { background: url(../../${f('img/bg.png')}/img/bg.png) }\n` +
        `.x { background: url("../../${f('img/abs.png')}/img/abs.png") }`,
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

  it('does not follow external, protocol-relative, data: or missing references', async () => {
    const pub = await makePublic({
      'a.css':
        'y{background:url(https://x.test/b.png)} v{background:url(//b.png)} u{background:url(/\\b.png)} ' +
        'z{background:url(data:image/png;base64,AA)} w{background:url(nothing.png)} t{background:url(/nothing.png)} ' +
        's{background:url(/../b.png)}',
      'b.png': 'B',
    });
    expect(references(pub, 'a.css', new Set(['a.css', 'b.png']))).toEqual([]);
  });

  it('follows a root-absolute reference; with a basePath, only one under it', async () => {
    const css = 'x{background:url(/b.png)} y{background:url(/docs/b.png)} z{background:url(/docs/docs/b.png)} w{background:url(/imgs/b.png)}';
    const pub = await makePublic({ 'css/a.css': css, 'b.png': 'B', 'docs/b.png': 'D' });
    const known = new Set(['css/a.css', 'b.png', 'docs/b.png']);
    const found = (basePath?: string) => references(pub, 'css/a.css', known, basePath).map((r) => [r.target, r.absolute]);
    expect(found()).toEqual([
      ['b.png', true],
      ['docs/b.png', true],
    ]);
    // The browser asks for /docs/b.png, which is public/b.png under the basePath /docs.
    expect(found('/docs')).toEqual([
      ['b.png', true],
      ['docs/b.png', true],
    ]);
    expect(references(pub, 'css/a.css', known, '/docs').map((r) => r.start)).toEqual([
      'x{background:url(/b.png)} y{background:url('.length,
      'x{background:url(/b.png)} y{background:url(/docs/b.png)} z{background:url('.length,
    ]);
    const fp = fingerprint(pub, [...known], { basePath: '/docs' })!;
    const f = (file: string) => fp.fingerprints.get(file)!;
    expect(fp.rewritten.get(`${f('css/a.css')}/css/a.css`)!.toString()).toBe(
      `x{background:url(/b.png)} y{background:url(../../${f('b.png')}/b.png)} z{background:url(../../${f('docs/b.png')}/docs/b.png)} w{background:url(/imgs/b.png)}`,
    );
  });

  it("makes a root-absolute reference within files that share a fingerprint relative, so it stays in their folder", async () => {
    const pub = await makePublic({ 'css/a.css': '@import "/css/b.css"; x{background:url(/img/i.png)}', 'css/b.css': '@import "a.css";', 'img/i.png': 'I' });
    const fp = await fingerprintsOf(pub);
    const f = (file: string) => fp.fingerprints.get(file)!;
    expect(f('css/a.css')).toBe(f('css/b.css'));
    expect(fp.rewritten.get(`${f('css/a.css')}/css/a.css`)!.toString()).toBe(`@import "b.css"; x{background:url(../../${f('img/i.png')}/img/i.png)}`);
    // Per folder, a reference within the folder is one too.
    const perFolder = fingerprint(pub, await listFiles(pub, NS), { forced: 'folder' })!;
    const g = (file: string) => perFolder.fingerprints.get(file)!;
    expect(perFolder.rewritten.get(`${g('css/')}/css/a.css`)!.toString()).toBe(`@import "b.css"; x{background:url(../../${g('img/')}/img/i.png)}`);
  });

  it("rewrites the src of a web app manifest's icons, screenshots and shortcuts' icons", async () => {
    const manifest = {
      name: 'App',
      start_url: '/',
      icons: [
        { src: '/icons/192.png', sizes: '192x192', type: 'image/png' },
        { src: 'icons/512.png?v=1', sizes: '512x512' },
        { src: 'https://cdn.test/i.png' },
      ],
      screenshots: [{ src: '/shots/wide.png', form_factor: 'wide' }],
      shortcuts: [{ name: 'New', url: '/new', icons: [{ src: '/icons/192.png' }] }],
    };
    const text = JSON.stringify(manifest, null, 2);
    const pub = await makePublic({
      'site.webmanifest': text,
      'app/manifest.json': JSON.stringify({ icons: [{ src: '../icons/192.png' }] }),
      'data.json': JSON.stringify({ src: '/icons/192.png' }),
      'icons/192.png': 'A',
      'icons/512.png': 'B',
      'shots/wide.png': 'C',
    });
    const fp = await fingerprintsOf(pub);
    const f = (file: string) => fp.fingerprints.get(file)!;
    const served = JSON.parse(fp.rewritten.get(`${f('site.webmanifest')}/site.webmanifest`)!.toString());
    expect(served).toEqual({
      ...manifest,
      icons: [
        { ...manifest.icons[0], src: `../${f('icons/192.png')}/icons/192.png` },
        { ...manifest.icons[1], src: `../${f('icons/512.png')}/icons/512.png?v=1` },
        manifest.icons[2],
      ],
      screenshots: [{ src: `../${f('shots/wide.png')}/shots/wide.png`, form_factor: 'wide' }],
      shortcuts: [{ name: 'New', url: '/new', icons: [{ src: `../${f('icons/192.png')}/icons/192.png` }] }],
    });
    expect(JSON.parse(fp.rewritten.get(`${f('app/manifest.json')}/app/manifest.json`)!.toString())).toEqual({
      icons: [{ src: `../../${f('icons/192.png')}/icons/192.png` }],
    });
    // Any other JSON file is data, served as it is.
    expect(fp.rewritten.has(`${f('data.json')}/data.json`)).toBe(false);
    // The manifest's URL changes with its icons.
    await fs.writeFile(path.join(pub, 'shots/wide.png'), 'C2');
    expect((await fingerprintsOf(pub)).fingerprints.get('site.webmanifest')).not.toBe(f('site.webmanifest'));
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

  it('leaves imports written inside strings, template text and comments as they are, and rewrites the real ones', async () => {
    const text = [
      `const doc = "import x from './n.js'";`,
      "const t = `see import('./n.js') ${ok ? `import './n.js'` : '}'} and ${ { a: 1 }.a }`;",
      "// import './n.js'",
      "/* export * from './n.js' */",
      "const s = 'it\\'s from \\'./n.js\\'';",
      "import './o.js';",
      "const lazy = () => import('./n.js');",
    ].join('\n');
    const pub = await makePublic({ 'm.js': text, 'n.js': 'n', 'o.js': 'o' });
    const refs = references(pub, 'm.js', new Set(['m.js', 'n.js', 'o.js']));
    expect(refs.map((r) => [r.target, text.slice(r.start - 1, r.end + 1)])).toEqual([
      ['o.js', "'./o.js'"],
      ['n.js', "'./n.js'"],
    ]);
    expect(refs[1]!.start).toBe(text.lastIndexOf('./n.js'));
    const fp = fingerprint(pub, ['m.js', 'n.js', 'o.js'])!;
    const rewritten = fp.rewritten.get(`${fp.fingerprints.get('m.js')}/m.js`)!.toString();
    expect(rewritten.split('\n').slice(0, 5)).toEqual(text.split('\n').slice(0, 5));
    expect(rewritten).toContain(`import('../${fp.fingerprints.get('n.js')}/n.js')`);
  });

  it('goes per folder past the limit of entries, and gives up past it for folders too', async () => {
    const pub = await makePublic({ 'a/1.txt': '1', 'a/2.txt': '2', 'b/3.txt': '3', '4.txt': '4' });
    const files = await listFiles(pub, NS);
    const perFolder = fingerprint(pub, files, { max: 3 })!;
    expect(perFolder.granularity).toBe('folder');
    expect([...perFolder.fingerprints.keys()].sort()).toEqual(['/', 'a/', 'b/']);
    expect(fingerprint(pub, files, { max: 2 })).toBeUndefined();
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

  it("puts each file under /_next/static/media/ when the build serves its static folder, and returns such a URL as it is", () => {
    vi.stubEnv('NEXT_STATIC_BUST_FILES', files);
    vi.stubEnv('NEXT_STATIC_BUST_SERVING', 'static');
    vi.stubEnv('NEXT_STATIC_BUST_BASE_PATH', '/docs');
    expect(bust('/css/site.css?v=1')).toBe('/docs/_next/static/media/_bust/aaaaaaaa/css/site.css?v=1');
    expect(bust(bust('/css/site.css'))).toBe('/docs/_next/static/media/_bust/aaaaaaaa/css/site.css');
    expect(bust('/css/other.css')).toBe('/docs/css/other.css');
  });
});

describe("writeStaticCopies(): a folder per fingerprint in the build's static folder", () => {
  // next.config ran in another process: the copies are made from fingerprints computed again.
  const served = (fp: Awaited<ReturnType<typeof fingerprintsOf>>) => ({
    serving: 'static' as const,
    current: '',
    served: Object.keys(fp.folders).sort(),
    entries: { files: [], folders: [] },
    fingerprints: fp.encoded,
  });

  it('makes a folder per fingerprint: a copy of a plain file (not a hard link), the rewritten copy of a stylesheet', async () => {
    const pub = await makePublic();
    const dist = path.join(path.dirname(pub), '.next');
    const fp = await fingerprintsOf(pub);
    await writeStaticCopies({ distDir: dist, publicDir: pub, opts: { namespace: NS, strategy: 'hash' }, served: served(fp) });
    const root = path.join(dist, 'static/media', NS);
    expect((await fs.readdir(root)).sort()).toEqual(Object.keys(fp.folders).sort());
    const bg = fp.fingerprints.get('img/bg.png')!;
    const copy = await fs.lstat(path.join(root, bg, 'img/bg.png'));
    expect(copy.isFile()).toBe(true);
    expect(copy.ino).not.toBe((await fs.lstat(path.join(pub, 'img/bg.png'))).ino);
    expect(await fs.readFile(path.join(root, bg, 'img/bg.png'), 'utf8')).toBe('BG1');
    const site = fp.fingerprints.get('css/site.css')!;
    expect(await fs.readFile(path.join(root, site, 'css/site.css'), 'utf8')).toContain(`url(../../${bg}/img/bg.png)`);
    // The rewritten reference resolves to the image's own folder.
    const resolved = path.resolve(path.join(root, site, 'css'), `../../${bg}/img/bg.png`);
    expect(await fs.readFile(resolved, 'utf8')).toBe('BG1');
    // public/ itself is never rewritten.
    expect(await fs.readFile(path.join(pub, 'css/site.css'), 'utf8')).toBe(TREE['css/site.css']);
  });

  it('keeps its bytes when the file of public/ is written in place afterwards (a copy, never a link)', async () => {
    const pub = await makePublic();
    const dist = path.join(path.dirname(pub), '.next');
    const fp = await fingerprintsOf(pub);
    await writeStaticCopies({ distDir: dist, publicDir: pub, opts: { namespace: NS, strategy: 'hash' }, served: served(fp) });
    const handle = await fs.open(path.join(pub, 'img/bg.png'), 'r+');
    await handle.write('XX', 0);
    await handle.close();
    expect(await fs.readFile(path.join(dist, 'static/media', NS, fp.fingerprints.get('img/bg.png')!, 'img/bg.png'), 'utf8')).toBe('BG1');
  });

  it('leaves out, with a warning, the files that changed since they were fingerprinted, and replaces an earlier build\'s folder', async () => {
    const pub = await makePublic();
    const dist = path.join(path.dirname(pub), '.next');
    const stale = path.join(dist, 'static/media', NS, 'zzzzzzzz/img/bg.png');
    await fs.mkdir(path.dirname(stale), { recursive: true });
    await fs.writeFile(stale, 'an earlier build');
    const fp = await fingerprintsOf(pub);
    await fs.writeFile(path.join(pub, 'img/logo.png'), 'LOGO2');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await writeStaticCopies({ distDir: dist, publicDir: pub, opts: { namespace: NS, strategy: 'hash' }, served: served(fp) });
    await expect(fs.lstat(stale)).rejects.toThrow(/ENOENT/);
    await expect(fs.lstat(path.join(dist, 'static/media', NS, fp.fingerprints.get('img/logo.png')!))).rejects.toThrow(/ENOENT/);
    expect(await fs.readFile(path.join(dist, 'static/media', NS, fp.fingerprints.get('img/bg.png')!, 'img/bg.png'), 'utf8')).toBe('BG1');
    expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/2 files of public\/ changed during the build \(img\/logo\.png, js\/app\.mjs\).*answer 404/);
  });

  it('never removes or writes through a link: a link in place of its folder, or of the static folder above it', async () => {
    const pub = await makePublic();
    const dist = path.join(path.dirname(pub), '.next');
    const outside = await tmp('nsb-victim-');
    await fs.mkdir(path.join(outside, '_bust/keep'), { recursive: true });
    await fs.writeFile(path.join(outside, '_bust/keep/precious.txt'), 'precious');
    const fp = await fingerprintsOf(pub);
    // A link in place of the namespace's folder is removed (as a link) and a real folder made.
    await fs.mkdir(path.join(dist, 'static/media'), { recursive: true });
    await fs.symlink(path.join(outside, '_bust'), path.join(dist, 'static/media', NS));
    await writeStaticCopies({ distDir: dist, publicDir: pub, opts: { namespace: NS, strategy: 'hash' }, served: served(fp) });
    expect(await fs.readFile(path.join(outside, '_bust/keep/precious.txt'), 'utf8')).toBe('precious');
    expect((await fs.lstat(path.join(dist, 'static/media', NS))).isDirectory()).toBe(true);
    // A link in place of static/media: nothing removed or written there, and a warning.
    await fs.rm(path.join(dist, 'static/media'), { recursive: true });
    await fs.symlink(outside, path.join(dist, 'static/media'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await writeStaticCopies({ distDir: dist, publicDir: pub, opts: { namespace: NS, strategy: 'hash' }, served: served(fp) });
    expect(await fs.readdir(path.join(outside, '_bust'))).toEqual(['keep']);
    expect(await fs.readFile(path.join(outside, '_bust/keep/precious.txt'), 'utf8')).toBe('precious');
    expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/static\/media leads to .* through a link, so busted files were not copied/);
  });

  it('writes nothing for a namespace or fingerprint that is not a plain folder name', async () => {
    const pub = await makePublic();
    const dist = path.join(path.dirname(pub), '.next');
    const fp = await fingerprintsOf(pub);
    await writeStaticCopies({ distDir: dist, publicDir: pub, opts: { namespace: '..', strategy: 'hash' }, served: served(fp) });
    await writeStaticCopies({ distDir: dist, publicDir: pub, opts: { namespace: NS, strategy: 'hash' }, served: { ...served(fp), served: ['../../escaped'] } });
    await expect(fs.lstat(dist)).rejects.toThrow(/ENOENT/);
  });
});

describe('routes and host rules for the static folder', () => {
  it('adds no route: Next.js serves its static folder itself, and an old fingerprint there is its uncached 404', () => {
    const routes = bustRoutes({ namespace: NS, serving: 'static', current: '', served: ['aaaaaaaa', 'bbbbbbbb'], entries: { files: ['robots.txt'], folders: ['css'] } });
    expect(routes).toEqual({ headers: [], redirects: [], rewrites: [] });
  });

  it("splits many kept tokens over header rules within Next.js's limit, and gives up only the redirect of unknown ones", async () => {
    const { tryToParsePath } = (await import('next/dist/lib/try-to-parse-path.js')) as {
      tryToParsePath: (route: string) => { regexStr?: string; error?: boolean };
    };
    const served = Array.from({ length: 1000 }, (_, i) => i.toString(32).padStart(8, '0'));
    const many = bustRoutes({ namespace: NS, serving: 'links', current: served.at(-1)!, served, entries: { files: ['robots.txt'], folders: ['css'] } });
    expect(many.headers.length).toBe(3);
    expect(many.headers.flatMap((h) => /\(([^)]*)\)/.exec(h.source)![1]!.split('|'))).toEqual(served);
    for (const route of [...many.headers, ...many.rewrites, ...many.redirects]) {
      const { regexStr, error } = tryToParsePath(route.source);
      expect(error).toBeFalsy();
      expect(regexStr!.length).toBeLessThanOrEqual(4096);
    }
    expect(redirectsUnknown(served)).toBe(false);
    expect(many.redirects.some((r) => r.source.includes('(?!'))).toBe(false);
    expect(redirectsUnknown(['aaaaaaaa', 'bbbbbbbb'])).toBe(true);
  });

  it('writes one header rule for the static folder, with basePath, whatever the count', () => {
    const rules = hostRules({
      platform: 'netlify',
      exported: true,
      namespace: NS,
      basePath: '/docs',
      serving: 'static',
      current: '',
      served: Array.from({ length: 500 }, (_, i) => String(i).padStart(8, '0')),
    });
    expect(rules).toEqual({ _headers: ['/docs/_next/static/media/_bust/*', '  Cache-Control: public, max-age=31536000, immutable'] });
  });
});
