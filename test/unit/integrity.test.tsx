// @vitest-environment jsdom
// Subresource integrity: what the build reads of the app's sources, the values it computes from the
// bytes each busted URL serves, their map in the bundles, integrity() and <BustedAsset integrity>.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BustedAsset, bust, integrity } from '../../src/index.js';
import { decodeIntegrity, encodeIntegrity } from '../../src/runtime/integrity.js';
import { findNamedPaths } from '../../src/build/app-sources.js';
import { integrityLost, integrityOf, integrityWanted, sriOf } from '../../src/build/integrity.js';
import { fingerprint } from '../../src/build/fingerprints.js';
import { writeStaticCopies } from '../../src/serving/serve-static.js';
import { NO_ENTRIES } from '../../src/plugin/bust-routes.js';
import { afterCompile } from '../../src/build/after-compile.js';
import { resolveOptions } from '../../src/plugin/options.js';
import { makePublic, useTmp, writeTree } from '../helpers/tmp.js';

const tmp = useTmp();

afterEach(() => {
  vi.unstubAllEnvs();
});

const sri = (text: string) => 'sha384-' + createHash('sha384').update(text).digest('base64');

describe('the paths the sources ask integrity for', () => {
  it('reads <BustedAsset integrity> and integrity() with literal paths, in files that use the package', async () => {
    const dir = await tmp('nsb-sources-');
    await writeTree(dir, {
      'app/layout.tsx': [
        "import { BustedAsset, integrity } from 'next-static-bust';",
        '<BustedAsset src="/css/a.css" integrity />',
        '<BustedAsset integrity src="/css/b.css" />',
        '<BustedAsset',
        '  src={"/js/c.js"}',
        '  onLoad={() => x > 1}',
        '  integrity={true}',
        '/>',
        '<BustedAsset src="/js/d.js" integrity={production} />',
        '<BustedAsset src="/js/e.js" integrity={false} />',
        '<BustedAsset src="/js/f.js" integrity="sha384-mine" />',
        '<BustedAsset src="/js/g.js" />',
        '<BustedAsset src="/js/h.js" /> <p integrity />',
        "const v = integrity('/js/i.js');",
        'const w = integrity(`js/j.js?v=1`);',
      ].join('\n'),
      // Another library's integrity(): not this package's.
      'lib/other.ts': "import { integrity } from 'ssri';\nintegrity('/js/k.js');\n",
    });
    const named = await findNamedPaths(dir);
    expect(named.filter((n) => n.integrity).map((n) => [n.rel, n.where])).toEqual([
      ['css/a.css', 'app/layout.tsx:2'],
      ['css/b.css', 'app/layout.tsx:3'],
      ['js/c.js', 'app/layout.tsx:4'],
      ['js/d.js', 'app/layout.tsx:9'],
      ['js/i.js', 'app/layout.tsx:14'],
      ['js/j.js', 'app/layout.tsx:15'],
    ]);
    expect(named.filter((n) => !n.integrity).map((n) => n.rel)).toEqual(['js/e.js', 'js/f.js', 'js/g.js', 'js/h.js']);
  });

  it('computes values only for scripts and stylesheets of public/', () => {
    const named = ['css/a.css', 'js/b.mjs', 'img/c.png', 'fonts/d.woff2', 'js/missing.js', 'js/e.JS'].map((rel) => ({ written: '/' + rel, rel, where: 'x', integrity: true }));
    const files = ['css/a.css', 'js/b.mjs', 'img/c.png', 'fonts/d.woff2', 'js/e.JS', 'js/unnamed.js'];
    expect([...integrityWanted([...named, { written: '/js/unnamed.js', rel: 'js/unnamed.js', where: 'x', integrity: false }], files)]).toEqual([
      'css/a.css',
      'js/b.mjs',
      'js/e.JS',
    ]);
  });
});

describe('the values the build computes', () => {
  it("are the SHA-384 of the file's bytes, and say which files changed since", async () => {
    const pub = await makePublic(tmp, { 'js/a.js': 'console.log(1)', 'css/b.css': 'b{}' });
    const values = integrityOf(pub, new Set(['js/a.js', 'css/b.css', 'js/gone.js']));
    expect(values).toEqual(new Map([['css/b.css', sri('b{}')], ['js/a.js', sri('console.log(1)')]]));
    expect(sriOf(Buffer.from('b{}'))).toBe(sri('b{}'));
    expect(integrityLost(values, (rel) => path.join(pub, rel))).toEqual([]);
    await fs.writeFile(path.join(pub, 'js/a.js'), 'console.log(2)');
    await fs.rm(path.join(pub, 'css/b.css'));
    expect(integrityLost(values, (rel) => path.join(pub, rel)).sort()).toEqual(['css/b.css', 'js/a.js']);
  });

  it('are, per file, those of the rewritten copy that the busted URL serves', async () => {
    const pub = await makePublic(tmp, { 'css/a.css': 'a{background:url(/img/x.png)}', 'img/x.png': 'X', 'js/b.js': 'b()' });
    const fp = fingerprint(pub, ['css/a.css', 'img/x.png', 'js/b.js'], { integrity: new Set(['css/a.css', 'js/b.js']) })!;
    const copy = fp.rewritten.get(`${fp.fingerprints.get('css/a.css')}/css/a.css`)!;
    expect(copy.toString()).not.toBe('a{background:url(/img/x.png)}');
    expect(fp.integrity).toEqual(new Map([['css/a.css', sriOf(copy)], ['js/b.js', sri('b()')]]));
  });

  it('leave out of the static folder a copy whose bytes do not have its value, so that it answers 404', async () => {
    const app = await tmp('nsb-app-');
    const pub = path.join(app, 'public');
    await writeTree(pub, { 'js/a.js': 'a()', 'js/b.js': 'b()' });
    const fp = fingerprint(pub, ['js/a.js', 'js/b.js'], { integrity: new Set(['js/a.js', 'js/b.js']) })!;
    // As if the build had inlined another value for b.js (a file changed between two processes).
    const values = new Map([...fp.integrity, ['js/b.js', sri('b(); evil()')]]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubEnv('__NEXT_STATIC_BUST_WARNED', '');
    const served = [...new Set(fp.fingerprints.values())];
    await writeStaticCopies({
      distDir: path.join(app, '.next'),
      publicDir: pub,
      opts: { namespace: '_bust', strategy: 'hash' },
      served: { serving: 'static', current: '', served, entries: NO_ENTRIES, fingerprints: fp.encoded, integrity: encodeIntegrity(values) },
    });
    const media = path.join(app, '.next/static/media/_bust');
    expect(await fs.readFile(path.join(media, fp.fingerprints.get('js/a.js')!, 'js/a.js'), 'utf8')).toBe('a()');
    await expect(fs.access(path.join(media, fp.fingerprints.get('js/b.js')!, 'js/b.js'))).rejects.toThrow();
    expect(warn.mock.calls.flat().join('\n')).toMatch(/1 file of public\/ changed during the build \(js\/b\.js\)/);
    warn.mockRestore();
  });
});

describe('what the build reads back', () => {
  it('never removes a file outside the static folder, whatever the inlined map names', async () => {
    const app = await tmp('nsb-app-');
    const pub = path.join(app, 'public');
    await writeTree(pub, { 'js/a.js': 'a()' });
    await writeTree(app, { 'victim.js': 'mine' });
    // A map as a hostile memo could carry it: a path that climbs from the token's folder
    // (.next/static/media/_bust/tok1/) to the app's, with a value that does not match.
    const values = new Map([['js/a.js', sri('a()')], ['../../../../../victim.js', sri('other')]]);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubEnv('__NEXT_STATIC_BUST_WARNED', '');
    await writeStaticCopies({
      distDir: path.join(app, '.next'),
      publicDir: pub,
      opts: { namespace: '_bust', strategy: 'hash' },
      served: { serving: 'static', current: 'tok1', served: ['tok1'], entries: NO_ENTRIES, integrity: encodeIntegrity(values) },
    });
    expect(await fs.readFile(path.join(app, 'victim.js'), 'utf8')).toBe('mine');
    vi.mocked(console.warn).mockRestore();
  });

  it('reads regular files only: a FIFO in place of a script gets no value, and does not hang the build', async () => {
    const pub = await makePublic(tmp, { 'js/a.js': 'a()' });
    execFileSync('mkfifo', [path.join(pub, 'js/fifo.js')]);
    expect(integrityOf(pub, new Set(['js/a.js', 'js/fifo.js']))).toEqual(new Map([['js/a.js', sri('a()')]]));
  });
});

describe('links, which serve public/ as it is', () => {
  it('say at the end of the build which files changed after their integrity was computed: browsers will refuse them', async () => {
    const app = await tmp('nsb-app-');
    await writeTree(path.join(app, 'public'), { 'js/a.js': 'a()', 'js/b.js': 'b()' });
    await fs.writeFile(path.join(app, 'next.config.js'), 'module.exports = {};\n');
    const values = integrityOf(path.join(app, 'public'), new Set(['js/a.js', 'js/b.js']));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const check = async () => {
      vi.stubEnv('__NEXT_STATIC_BUST_WARNED', '');
      warn.mockClear();
      await afterCompile({
        metadata: { projectDir: app, distDir: '.next' },
        opts: resolveOptions({ dir: app }),
        served: { serving: 'links', current: 'tok', served: ['tok'], entries: NO_ENTRIES, integrity: encodeIntegrity(values) },
        exported: true,
        basePath: '',
      });
      return warn.mock.calls.flat().join('\n');
    };
    expect(await check()).toBe('');
    await fs.writeFile(path.join(app, 'public/js/b.js'), 'b(); generated()');
    expect(await check()).toMatch(/a file of public\/ changed during the build after its integrity was computed \(js\/b\.js\), so browsers will refuse it/);
    warn.mockRestore();
  });
});

describe('the map in the bundles', () => {
  it('decodes to what was encoded, for any file names', () => {
    const name = fc.stringMatching(/^[^/\0]{1,12}$/).filter((n) => n !== '.' && n !== '..');
    const filePath = fc.array(name, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
    const value = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => sriOf(Buffer.from(bytes)));
    fc.assert(
      fc.property(fc.dictionary(filePath, value), (entries) => {
        const map = new Map(Object.entries(entries));
        expect(decodeIntegrity(encodeIntegrity(map))).toEqual(map);
      }),
    );
  });
});

const VALUES = encodeIntegrity(
  new Map([
    ['css/site.css', sri('site')],
    ['js/my app.js', sri('app')],
  ]),
);

describe('integrity()', () => {
  it('is undefined without a build (next dev) and throws a TypeError for a non-string', () => {
    vi.stubEnv('NEXT_STATIC_BUST_INTEGRITY', '');
    expect(integrity('/css/site.css')).toBeUndefined();
    expect(() => integrity(1 as unknown as string)).toThrow(/\[next-static-bust\] Expected `path` to be a string, got `number`/);
  });

  it('gives the value for a path of public/ written as bust() takes it, and for the URL bust() makes of it', () => {
    vi.stubEnv('NEXT_STATIC_BUST_INTEGRITY', VALUES);
    vi.stubEnv('NEXT_STATIC_BUST_TOKEN', 'tok1');
    vi.stubEnv('NEXT_STATIC_BUST_BASE_PATH', '/docs');
    vi.stubEnv('NEXT_STATIC_BUST_ASSET_HOST', 'https://cdn.test');
    for (const path of ['/css/site.css', 'css/site.css', '/css/site.css?v=2#x', '/css/../css/site.css', ' /css/site.css\u0000', '/css/site.css/.\u0000/.', bust('/css/site.css')]) {
      expect(integrity(path), path).toBe(sri('site'));
    }
    expect(integrity('/js/my%20app.js')).toBe(sri('app'));
    expect(integrity(bust('/js/my app.js'))).toBe(sri('app'));
    // Another build's URL, another file, another site: no value.
    for (const path of ['https://cdn.test/docs/_bust/tok0/css/site.css', '/docs/_bust/tok0/css/site.css', '/css/other.css', 'https://x.test/css/site.css', '/', '']) {
      expect(integrity(path), path).toBeUndefined();
    }
  });

  it('gives the value for the URL of a per-file fingerprint only when it is the current one', () => {
    vi.stubEnv('NEXT_STATIC_BUST_INTEGRITY', VALUES);
    vi.stubEnv('NEXT_STATIC_BUST_FILES', 'css/|site.cssaaaaaaaa');
    vi.stubEnv('NEXT_STATIC_BUST_SERVING', 'static');
    expect(bust('/css/site.css')).toBe('/_next/static/media/_bust/aaaaaaaa/css/site.css');
    expect(integrity('/_next/static/media/_bust/aaaaaaaa/css/site.css')).toBe(sri('site'));
    expect(integrity('/_next/static/media/_bust/bbbbbbbb/css/site.css')).toBeUndefined();
  });
});

describe('<BustedAsset integrity>', () => {
  const use = () => {
    vi.stubEnv('NEXT_STATIC_BUST_INTEGRITY', VALUES);
    vi.stubEnv('NEXT_STATIC_BUST_TOKEN', 'tok1');
  };

  it("renders a stylesheet's and a script's value with crossOrigin=\"anonymous\"", () => {
    use();
    expect(renderToString(<BustedAsset src="/css/site.css" integrity />)).toBe(
      `<link rel="stylesheet" integrity="${sri('site')}" crossorigin="anonymous" href="/_bust/tok1/css/site.css" data-precedence="default"/>`,
    );
    expect(renderToString(<BustedAsset src="/js/my app.js" integrity crossOrigin="use-credentials" />)).toBe(
      `<script async="" crossorigin="use-credentials" integrity="${sri('app')}" src="/_bust/tok1/js/my app.js"></script>`,
    );
  });

  it('renders no integrity, and no crossOrigin, where the build computed none, and never a `true`', () => {
    use();
    expect(renderToString(<BustedAsset src="/css/other.css" integrity />)).toBe(
      '<link rel="stylesheet" href="/_bust/tok1/css/other.css" data-precedence="default"/>',
    );
    expect(renderToString(<BustedAsset src="/css/site.css" integrity={false} />)).not.toContain('integrity');
    expect(renderToString(<BustedAsset src="/img/logo.png" integrity alt="" />)).toBe(
      '<link rel="preload" as="image" href="/_bust/tok1/img/logo.png"/><img alt="" src="/_bust/tok1/img/logo.png"/>',
    );
    vi.stubEnv('NEXT_STATIC_BUST_INTEGRITY', '');
    expect(renderToString(<BustedAsset src="/css/site.css" integrity />)).not.toMatch(/integrity|crossorigin/);
  });

  it('renders a value of your own as it is', () => {
    use();
    expect(renderToString(<BustedAsset src="/js/x.js" integrity="sha384-mine" />)).toBe(
      '<script async="" integrity="sha384-mine" crossorigin="anonymous" src="/_bust/tok1/js/x.js"></script>',
    );
  });
});
