import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { NextConfig } from 'next';
import { describe, expect, it, vi } from 'vitest';
import { IMMUTABLE, withStaticBust, type ConfigContext, type NextConfigInput } from '../../src/config.js';
import { StaticBustError } from '../../src/shared/errors.js';
import { readManifest } from '../../src/namespace/manifest.js';
import { MANIFEST } from '../../src/namespace/manifest.js';
import { decodeFingerprints } from '../../src/runtime/fingerprint-map.js';
import { makeApp, setMtime, snapshot, useFreshConfigEnv, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const BUILD = 'phase-production-build';
const START = 'phase-production-server';
const DEV = 'phase-development-server';
const CTX: ConfigContext = { defaultConfig: {} };
useFreshConfigEnv();

const TREE = { 'css/a.css': 'a{}', 'logo.png': 'PNG' };

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** A user config with something in every key the wrapper touches, deep-frozen. */
function userConfig(extra: NextConfig = {}): NextConfig {
  return deepFreeze({
    reactStrictMode: true,
    poweredByHeader: false,
    env: { MY_VAR: 'mine' },
    headers: async () => [{ source: '/user', headers: [{ key: 'x-user', value: '1' }] }],
    redirects: async () => [{ source: '/old-user', destination: '/new-user', permanent: true }],
    rewrites: async () => [{ source: '/r', destination: '/target' }],
    ...extra,
  } satisfies NextConfig);
}

type Kind = 'object' | 'function' | 'async function' | 'promise';
const KINDS: Kind[] = ['object', 'function', 'async function', 'promise'];

function wrap(kind: Kind, config: NextConfig): { input: NextConfigInput; calls: Array<[string, ConfigContext]> } {
  const calls: Array<[string, ConfigContext]> = [];
  switch (kind) {
    case 'object':
      return { input: config, calls };
    case 'function':
      return { input: (phase, ctx) => (calls.push([phase, ctx]), config), calls };
    case 'async function':
      return { input: async (phase, ctx) => (calls.push([phase, ctx]), config), calls };
    case 'promise':
      return { input: Promise.resolve(config), calls };
  }
}

/** Our redirect of tokens that are not served. */
function tokenRedirect<R extends { source: string }>(redirects: R[]): R {
  return redirects.find((r) => r.source.includes(':token('))!;
}

/** Runs the config's after-compile hook as `next build` does (Next.js has emptied .next/ by then). */
async function afterCompile(config: NextConfig, dir: string): Promise<void> {
  await config.compiler!.runAfterProductionCompile!({ projectDir: dir, distDir: path.join(dir, '.next') });
}

/** The copy that a build served from its static folder made of `rel`. */
async function staticCopy(dir: string, token: string, rel: string): Promise<string> {
  return fs.readFile(path.join(dir, '.next/static/media/_bust', token, rel), 'utf8');
}

async function busted(dir: string, token: string, rel: string): Promise<string> {
  return fs.readFile(path.join(dir, 'public', '_bust', token, rel), 'utf8');
}

describe.each(KINDS)('withStaticBust with a config given as %s', (kind) => {
  it('at build: links the token, sets the env, adds headers after and a redirect before the user\'s, keeps the rest', async () => {
    const dir = await makeApp(tmp, TREE);
    const user = userConfig();
    const { input, calls } = wrap(kind, user);
    const config = await withStaticBust(input, { dir, token: 'v1' })(BUILD, CTX);

    if (kind.includes('function')) expect(calls).toEqual([[BUILD, CTX]]);
    expect(await busted(dir, 'v1', 'css/a.css')).toBe('a{}');
    expect(config.env).toEqual({
      MY_VAR: 'mine',
      NEXT_STATIC_BUST_TOKEN: 'v1',
      NEXT_STATIC_BUST_NAMESPACE: '_bust',
      NEXT_STATIC_BUST_BASE_PATH: '',
      NEXT_STATIC_BUST_ASSET_HOST: '',
      NEXT_STATIC_BUST_SERVING: 'links',
      NEXT_STATIC_BUST_FILES: '',
      NEXT_STATIC_BUST_INTEGRITY: '',
    });
    const headers = await config.headers!();
    expect(headers).toEqual([
      { source: '/user', headers: [{ key: 'x-user', value: '1' }] },
      { source: '/_bust/:token(v1)/:path+', headers: [{ key: 'Cache-Control', value: IMMUTABLE }] },
    ]);
    expect(IMMUTABLE).toBe('public, max-age=31536000, immutable');
    const redirects = await config.redirects!();
    // Ours first: the token left out (`/_bust/css/a.css`), then any other token; the user's last.
    expect(redirects).toHaveLength(4);
    expect(redirects.slice(0, 2)).toEqual([
      { source: '/_bust/:entry(css)/:path+', destination: '/_bust/v1/:entry/:path+', permanent: false },
      { source: '/_bust/:entry(logo\\.png)', destination: '/_bust/v1/:entry', permanent: false },
    ]);
    expect(redirects[2]).toMatchObject({ destination: '/_bust/v1/:path+', permanent: false });
    expect(redirects[2]!.source).toMatch(/^\/_bust\/:token\(/);
    expect(redirects[3]).toEqual({ source: '/old-user', destination: '/new-user', permanent: true });
    expect(await config.rewrites!()).toEqual({
      // The bookkeeping answers a plain 404 (Next.js would answer its dot file with a 500).
      beforeFiles: [
        { source: '/_bust/.next-static-bust.json', destination: '/_bust/v1/.next-static-bust.json' },
        { source: '/_bust/:dot(%2[eE].*)', destination: '/_bust/v1/.next-static-bust.json' },
      ],
      afterFiles: [{ source: '/r', destination: '/target' }],
      fallback: [],
    });
    expect(config.reactStrictMode).toBe(true);
    expect(config.poweredByHeader).toBe(false);
    expect(Object.keys(config).sort()).toEqual([...Object.keys(user), 'compiler'].sort());
  });

  it('at start: serves the token of the build in .next/, re-creating its folder even though public/ changed', async () => {
    const dir = await makeApp(tmp, TREE);
    await fs.mkdir(path.join(dir, '.next'));
    await fs.writeFile(
      path.join(dir, '.next', 'required-server-files.json'),
      JSON.stringify({ config: { env: { NEXT_STATIC_BUST_TOKEN: 'abc', NEXT_STATIC_BUST_NAMESPACE: '_bust' } } }),
    );
    await setMtime(path.join(dir, 'public', 'logo.png'), 1_900_000_000); // copied: new mtimes
    const token = vi.fn(() => 'not-used');
    const { input } = wrap(kind, userConfig());
    const config = await withStaticBust(input, { dir, token })(START, CTX);
    expect(token).not.toHaveBeenCalled();
    expect(config.env!.NEXT_STATIC_BUST_TOKEN).toBe('abc');
    expect(await busted(dir, 'abc', 'logo.png')).toBe('PNG');
    expect(await fs.readdir(path.join(dir, 'public', '_bust'))).toEqual([MANIFEST, 'abc'].sort());
    expect((await config.headers!())[1]!.source).toBe('/_bust/:token(abc)/:path+');
  });

  it('at start without a build: plain URLs, nothing written', async () => {
    const dir = await makeApp(tmp, TREE);
    const before = await snapshot(dir);
    const user = userConfig();
    const { input } = wrap(kind, user);
    const config = await withStaticBust(input, { dir, token: 'v1' })(START, CTX);
    expect(config.env!.NEXT_STATIC_BUST_TOKEN).toBe('');
    expect(config.headers).toBe(user.headers);
    expect(config.redirects).toBe(user.redirects);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('in dev: an empty token, no links, the user\'s own headers and redirects only', async () => {
    const dir = await makeApp(tmp, TREE);
    const before = await snapshot(dir);
    const user = userConfig();
    const { input } = wrap(kind, user);
    const token = vi.fn(() => 'v1');
    const config = await withStaticBust(input, { dir, token })(DEV, CTX);
    expect(token).not.toHaveBeenCalled();
    expect(config.env).toEqual({
      MY_VAR: 'mine',
      NEXT_STATIC_BUST_TOKEN: '',
      NEXT_STATIC_BUST_NAMESPACE: '_bust',
      NEXT_STATIC_BUST_BASE_PATH: '',
      NEXT_STATIC_BUST_ASSET_HOST: '',
      NEXT_STATIC_BUST_SERVING: '',
      NEXT_STATIC_BUST_FILES: '',
      NEXT_STATIC_BUST_INTEGRITY: '',
    });
    expect(config.headers).toBe(user.headers);
    expect(config.redirects).toBe(user.redirects);
    expect(Object.keys(config).sort()).toEqual(Object.keys(user).sort());
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe('withStaticBust: the config it returns', () => {
  it('adds headers, redirects and rewrites when the user had none, and no other keys', async () => {
    const dir = await makeApp(tmp, TREE);
    const config = await withStaticBust({}, { dir, token: 'v1' })(BUILD, CTX);
    expect(Object.keys(config).sort()).toEqual(['compiler', 'env', 'headers', 'redirects', 'rewrites']);
    expect(await config.headers!()).toHaveLength(1);
    expect(await config.redirects!()).toHaveLength(3);
  });

  it('defaults to an empty config', async () => {
    const dir = await makeApp(tmp, TREE);
    const config = await withStaticBust(undefined, { dir, token: 'v1' })(BUILD, CTX);
    expect(config.env!.NEXT_STATIC_BUST_TOKEN).toBe('v1');
  });

  it('passes basePath on in the env, and keeps the header sources without it (Next adds it)', async () => {
    const dir = await makeApp(tmp, TREE);
    const config = await withStaticBust({ basePath: '/docs' }, { dir, token: 'v1' })(BUILD, CTX);
    expect(config.env!.NEXT_STATIC_BUST_BASE_PATH).toBe('/docs');
    expect(config.basePath).toBe('/docs');
    expect((await config.headers!())[0]!.source).toBe('/_bust/:token(v1)/:path+');
  });

  it('uses the namespace option in the folder, the env, the header and the redirect', async () => {
    const dir = await makeApp(tmp, TREE);
    const config = await withStaticBust({}, { dir, token: 'v1', namespace: 'static-v' })(BUILD, CTX);
    expect(await fs.readFile(path.join(dir, 'public/static-v/v1/css/a.css'), 'utf8')).toBe('a{}');
    expect(config.env!.NEXT_STATIC_BUST_NAMESPACE).toBe('static-v');
    expect((await config.headers!())[0]!.source).toBe('/static-v/:token(v1)/:path+');
    expect(tokenRedirect(await config.redirects!()).destination).toBe('/static-v/v1/:path+');
  });

  it('extends images.localPatterns when the user set it, without touching the user\'s array', async () => {
    const dir = await makeApp(tmp, TREE);
    const user = userConfig({ basePath: '/b', images: { localPatterns: [{ pathname: '/img/**' }], unoptimized: false } });
    const config = await withStaticBust(user, { dir, token: 'v1' })(BUILD, CTX);
    expect(config.images).toEqual({
      localPatterns: [{ pathname: '/img/**' }, { pathname: '/b/_bust/**' }],
      unoptimized: false,
    });
    expect(user.images!.localPatterns).toEqual([{ pathname: '/img/**' }]);
  });

  it('leaves images alone when the user did not set localPatterns', async () => {
    const dir = await makeApp(tmp, TREE);
    const withImages = await withStaticBust(userConfig({ images: { unoptimized: true } }), { dir, token: 'v1' })(BUILD, CTX);
    expect(withImages.images).toEqual({ unoptimized: true });
    delete process.env.__NEXT_STATIC_BUST_BUILD;
    const without = await withStaticBust({}, { dir, token: 'v1' })(BUILD, CTX);
    expect('images' in without).toBe(false);
  });

  it("adds no headers or redirects for output: 'export', but still links and sets the env", async () => {
    const dir = await makeApp(tmp, TREE);
    const user = userConfig({ output: 'export' });
    const config = await withStaticBust(user, { dir, token: 'v1' })(BUILD, CTX);
    expect(config.headers).toBe(user.headers);
    expect(config.redirects).toBe(user.redirects);
    expect(config.env!.NEXT_STATIC_BUST_TOKEN).toBe('v1');
    expect(await busted(dir, 'v1', 'css/a.css')).toBe('a{}');
  });

  it('lists the kept previous tokens in the header, and redirects only other tokens', async () => {
    const dir = await makeApp(tmp, TREE);
    await withStaticBust({}, { dir, token: 'old' })(BUILD, CTX);
    delete process.env.__NEXT_STATIC_BUST_BUILD; // a new `next build`
    const config = await withStaticBust({}, { dir, token: 'new', keep: 1 })(BUILD, CTX);
    expect((await config.headers!())[0]!.source).toBe('/_bust/:token(old|new)/:path+');
    expect(await busted(dir, 'old', 'logo.png')).toBe('PNG');
  });

  it('falls back to the static folder, with a warning, when links are refused at build (Windows without Developer Mode)', async () => {
    const dir = await makeApp(tmp, TREE);
    vi.spyOn(fs, 'symlink').mockRejectedValue(Object.assign(new Error('EPERM: injected'), { code: 'EPERM' }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const config = await withStaticBust(userConfig(), { dir, token: 'v1' })(BUILD, CTX);
    expect(config.env!.NEXT_STATIC_BUST_TOKEN).toBe('v1');
    expect(config.env!.NEXT_STATIC_BUST_SERVING).toBe('static');
    // Next.js serves its static folder immutable itself: the user's rules only.
    expect(await config.headers!()).toEqual([{ source: '/user', headers: [{ key: 'x-user', value: '1' }] }]);
    await afterCompile(config, dir);
    const copy = await fs.lstat(path.join(dir, '.next/static/media/_bust/v1/css/a.css'));
    expect(copy.isFile()).toBe(true);
    expect(copy.ino).not.toBe((await fs.lstat(path.join(dir, 'public/css/a.css'))).ino); // a copy, not a hard link
    expect(await staticCopy(dir, 'v1', 'logo.png')).toBe('PNG');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/^\[next-static-bust\] could not create the links.*copies in the build's static folder/);
  });

  it('falls back to the static folder, with a warning and nothing written into public/, when public/ is read-only at build (EROFS injected)', async () => {
    const dir = await makeApp(tmp, TREE);
    const mkdir = vi.spyOn(fs, 'mkdir').mockRejectedValue(Object.assign(new Error('EROFS: injected'), { code: 'EROFS' }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const before = await snapshot(path.join(dir, 'public'));
    const config = await withStaticBust(userConfig(), { dir, token: 'v1' })(BUILD, CTX);
    expect(config.env!.NEXT_STATIC_BUST_TOKEN).toBe('v1');
    expect(config.env!.NEXT_STATIC_BUST_SERVING).toBe('static');
    expect(await snapshot(path.join(dir, 'public'))).toEqual(before); // nothing half-made in public/
    const rewrites = (await config.rewrites!()) as { beforeFiles: unknown[]; afterFiles: unknown[] };
    expect(rewrites.beforeFiles).toEqual([]);
    expect(rewrites.afterFiles).toEqual([{ source: '/r', destination: '/target' }]);
    expect(await config.redirects!()).toEqual([{ source: '/old-user', destination: '/new-user', permanent: true }]);
    mkdir.mockRestore(); // .next/ is writable
    await afterCompile(config, dir);
    expect(await staticCopy(dir, 'v1', 'css/a.css')).toBe('a{}');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/^\[next-static-bust\] could not create the links.*static folder/);
  });

  it("falls back to the static folder (copied into out/ by Next.js) when public/ is read-only for output: 'export'", async () => {
    const dir = await makeApp(tmp, TREE);
    const mkdir = vi.spyOn(fs, 'mkdir').mockRejectedValue(Object.assign(new Error('EROFS: injected'), { code: 'EROFS' }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const config = await withStaticBust(userConfig({ output: 'export' }), { dir, token: 'v1' })(BUILD, CTX);
    expect(config.env!.NEXT_STATIC_BUST_TOKEN).toBe('v1');
    expect(config.env!.NEXT_STATIC_BUST_SERVING).toBe('static');
    mkdir.mockRestore();
    await afterCompile(config, dir);
    expect(await staticCopy(dir, 'v1', 'logo.png')).toBe('PNG');
    expect(warn.mock.calls[0]![0]).toMatch(/^\[next-static-bust\] could not create the links/);
  });

  it('gives plain URLs with a warning when the app has next.config but no public/', async () => {
    const dir = await tmp();
    await fs.writeFile(path.join(dir, 'next.config.mjs'), 'export default {};\n');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const config = await withStaticBust({}, { dir, token: 'v1' })(BUILD, CTX);
    expect(config.env!.NEXT_STATIC_BUST_TOKEN).toBe('');
    expect(warn.mock.calls[0]![0]).toMatch(/public does not exist/);
    expect(await fs.readdir(dir)).toEqual(['next.config.mjs']);
  });

  it('throws, naming `dir`, for a folder with neither public/ nor a next.config', async () => {
    const dir = await tmp();
    await expect(withStaticBust({}, { dir })(BUILD, CTX)).rejects.toThrow(
      /^\[next-static-bust\] .* has neither public\/ nor a next\.config file.*dir: __dirname/,
    );
  });

  it('rejects an invalid token at build before writing anything', async () => {
    const dir = await makeApp(tmp, TREE);
    const before = await snapshot(dir);
    await expect(withStaticBust({}, { dir, token: '../x' })(BUILD, CTX)).rejects.toThrow(StaticBustError);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('throws a TypeError when a config function returns a non-object', async () => {
    const dir = await makeApp(tmp, TREE);
    for (const bad of [null, 42, 'x', [], undefined]) {
      const config = withStaticBust((() => bad) as unknown as NextConfigInput, { dir, token: 'v1' });
      await expect(config(BUILD, CTX)).rejects.toThrow(TypeError);
      await expect(config(DEV, CTX)).rejects.toThrow(/^\[next-static-bust\] Expected the Next\.js config to be an object/);
    }
  });
});

describe('withStaticBust: one token per command', () => {
  it('calls a token function once, however often the config is evaluated, and all evaluations agree', async () => {
    const dir = await makeApp(tmp, TREE);
    let n = 0;
    const token = vi.fn(() => `t${++n}`);
    const config = withStaticBust({}, { dir, token });
    const first = await config(BUILD, CTX);
    const second = await config(BUILD, CTX);
    // Another withStaticBust() call, as when next.config is loaded again (or by a worker).
    const third = await withStaticBust({}, { dir, token })(BUILD, CTX);
    expect(token).toHaveBeenCalledTimes(1);
    for (const c of [first, second, third]) expect(c.env!.NEXT_STATIC_BUST_TOKEN).toBe('t1');
    expect(await fs.readdir(path.join(dir, 'public/_bust'))).toEqual([MANIFEST, 't1'].sort());
    expect(JSON.parse(process.env.__NEXT_STATIC_BUST_BUILD!)).toMatchObject({ dir, namespace: '_bust' });
  });

  it('does not reuse the memo of another app folder', async () => {
    const a = await makeApp(tmp, TREE);
    const b = await makeApp(tmp, TREE);
    expect((await withStaticBust({}, { dir: a, token: 'ta' })(BUILD, CTX)).env!.NEXT_STATIC_BUST_TOKEN).toBe('ta');
    expect((await withStaticBust({}, { dir: b, token: 'tb' })(BUILD, CTX)).env!.NEXT_STATIC_BUST_TOKEN).toBe('tb');
  });

  it('is not misled by a damaged memo', async () => {
    const dir = await makeApp(tmp, TREE);
    process.env.__NEXT_STATIC_BUST_BUILD = '{not json';
    expect((await withStaticBust({}, { dir, token: 'v1' })(BUILD, CTX)).env!.NEXT_STATIC_BUST_TOKEN).toBe('v1');
  });

  it('uses STATIC_BUST_TOKEN over the token option', async () => {
    const dir = await makeApp(tmp, TREE);
    process.env.STATIC_BUST_TOKEN = 'from-env';
    expect((await withStaticBust({}, { dir, token: 'opt' })(BUILD, CTX)).env!.NEXT_STATIC_BUST_TOKEN).toBe('from-env');
  });

  it('derives the token from public/ with the mtime strategy by default', async () => {
    const dir = await makeApp(tmp, TREE);
    for (const rel of Object.keys(TREE)) await setMtime(path.join(dir, 'public', rel), 1_700_000_000);
    expect((await withStaticBust({}, { dir })(BUILD, CTX)).env!.NEXT_STATIC_BUST_TOKEN).toBe('1700000000');
    expect((await readManifest(path.join(dir, 'public/_bust')))!.tokens).toEqual(['1700000000']);
  });
});

describe('withStaticBust: invalid options throw at once', () => {
  it.each([
    [{ strategi: 'hash' }, /unknown option `strategi`/],
    [{ strategy: 'sha' }, /`strategy` option is "sha"/],
    [{ namespace: 'a/b' }, /`namespace` option is "a\/b"/],
    [{ namespace: '_next' }, /`namespace` option is "_next"/],
    [{ namespace: '' }, /`namespace` option is ""/],
    [{ keep: -1 }, /`keep` option is -1/],
    [{ keep: 1.5 }, /`keep` option is 1.5/],
    [{ keep: '2' }, /`keep` option is "2"/],
    [{ keep: 101 }, /`keep` option is 101/],
  ])('%j', (options, message) => {
    let error: unknown;
    try {
      withStaticBust({}, options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StaticBustError);
    expect((error as Error).message).toMatch(/^\[next-static-bust\] /);
    expect((error as Error).message).toMatch(message);
  });

  it.each([
    [{ token: 42 }, /`token` to be a string or a function, got `number`/],
    [{ dir: 5 }, /`dir` to be a string, got `number`/],
  ])('%j (a TypeError)', (options, message) => {
    expect(() => withStaticBust({}, options as never)).toThrow(TypeError);
    expect(() => withStaticBust({}, options as never)).toThrow(message);
  });

  it('accepts keep 0 and keep 100', () => {
    expect(() => withStaticBust({}, { keep: 0 })).not.toThrow();
    expect(() => withStaticBust({}, { keep: 100 })).not.toThrow();
  });
});

describe('withStaticBust: the header and redirect patterns, compiled as Next.js compiles them', () => {
  const require = createRequire(import.meta.url);
  let nextInternals:
    | {
        buildCustomRoute: (type: string, route: object, restricted?: string[]) => { regex: string };
        getPathMatch: (path: string, options: object) => (pathname: string) => false | Record<string, string>;
      }
    | undefined;
  try {
    nextInternals = {
      buildCustomRoute: require('next/dist/lib/build-custom-route').buildCustomRoute,
      getPathMatch: require('next/dist/shared/lib/router/utils/path-match').getPathMatch,
    };
  } catch {
    nextInternals = undefined;
  }

  it(
    'redirects unknown tokens and only them; the immutable header covers the served ones only',
    async () => {
      // Fails, never skips, when Next.js moves these: the patterns must be checked the way it compiles them.
      if (!nextInternals) throw new Error("Next.js's buildCustomRoute or getPathMatch moved: update their paths above.");
      const { buildCustomRoute, getPathMatch } = nextInternals;
      const dir = await makeApp(tmp, TREE);
      await withStaticBust({}, { dir, token: 'kept' })(BUILD, CTX);
      delete process.env.__NEXT_STATIC_BUST_BUILD;
      const config = await withStaticBust({}, { dir, token: 'cur', keep: 1 })(BUILD, CTX);
      const header = (await config.headers!())[0]!;
      const redirect = tokenRedirect(await config.redirects!());

      // Both ways Next.js matches a route: the routes-manifest regex and the server's matcher.
      const redirectRegex = new RegExp(buildCustomRoute('redirect', redirect, ['/_next']).regex);
      const headerRegex = new RegExp(buildCustomRoute('header', header).regex);
      const redirectMatch = getPathMatch(redirect.source, { strict: true, removeUnnamedParams: true });
      const headerMatch = getPathMatch(header.source, { strict: true, removeUnnamedParams: true });
      const redirects = (p: string) => {
        const a = redirectRegex.test(p);
        expect(Boolean(redirectMatch(p)), p).toBe(a);
        return a;
      };
      const immutable = (p: string) => {
        const a = headerRegex.test(p);
        expect(Boolean(headerMatch(p)), p).toBe(a);
        return a;
      };

      expect(redirects('/_bust/old/css/a.css')).toBe(true);
      expect(redirectMatch('/_bust/old/css/a.css')).toMatchObject({ token: 'old', path: ['css', 'a.css'] });
      expect(redirects('/_bust/cur/css/a.css')).toBe(false);
      expect(redirects('/_bust/kept/x')).toBe(false);
      // A served token as a prefix of another token is not that token.
      expect(redirects('/_bust/cur5/x')).toBe(true);
      expect(redirects('/_bust/kep/x')).toBe(true);
      expect(redirects('/_bust/kept-2/x')).toBe(true);
      expect(redirects('/_bust/xcur/x')).toBe(true);
      expect(redirects('/other/old/x')).toBe(false);
      expect(redirects('/_bust/old')).toBe(false); // no file path: nothing to send it to

      // The token left out: the entry redirect, not the token redirect.
      const [folderRedirect, fileRedirect] = (await config.redirects!()).slice(0, 2);
      const folderMatch = getPathMatch(folderRedirect!.source, { strict: true, removeUnnamedParams: true });
      const fileMatch = getPathMatch(fileRedirect!.source, { strict: true, removeUnnamedParams: true });
      expect(folderMatch('/_bust/css/a.css')).toMatchObject({ entry: 'css', path: ['a.css'] });
      expect(fileMatch('/_bust/logo.png')).toMatchObject({ entry: 'logo.png' });
      expect(folderMatch('/_bust/cur/css/a.css')).toBe(false);
      expect(fileMatch('/_bust/logoXpng')).toBe(false); // the dot is a dot

      expect(immutable('/_bust/cur/css/a.css')).toBe(true);
      expect(immutable('/_bust/kept/x')).toBe(true);
      expect(immutable('/_bust/cur5/x')).toBe(false);
      expect(immutable('/_bust/old/x')).toBe(false);
      expect(immutable('/css/a.css')).toBe(false);
    },
  );
});

describe('withStaticBust: serving per platform', () => {
  it('on Vercel (detected from VERCEL=1): the static folder, no routes, and links of an earlier local build removed', async () => {
    const dir = await makeApp(tmp, TREE);
    await withStaticBust({}, { dir, token: 'local' })(BUILD, CTX); // an earlier build on this machine
    delete process.env.__NEXT_STATIC_BUST_BUILD;
    expect(await busted(dir, 'local', 'logo.png')).toBe('PNG');
    vi.stubEnv('VERCEL', '1');
    try {
      const config = await withStaticBust({}, { dir, token: 'v1' })(BUILD, CTX);
      expect(await fs.readdir(path.join(dir, 'public'))).toEqual(['css', 'logo.png']);
      expect(config.env!.NEXT_STATIC_BUST_SERVING).toBe('static');
      expect(((await config.rewrites!()) as { beforeFiles: unknown[] }).beforeFiles).toEqual([]);
      expect(await config.headers!()).toEqual([]);
      expect(await config.redirects!()).toEqual([]);
      await afterCompile(config, dir);
      expect(await staticCopy(dir, 'v1', 'css/a.css')).toBe('a{}');
      expect(await staticCopy(dir, 'v1', 'logo.png')).toBe('PNG');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('on Netlify and Cloudflare: the static folder, and a _headers rule for it (their CDN reads it), with basePath', async () => {
    for (const platform of ['netlify', 'cloudflare'] as const) {
      delete process.env.__NEXT_STATIC_BUST_BUILD;
      const dir = await makeApp(tmp, { ...TREE, _redirects: '/home  /  301\n' });
      const config = await withStaticBust({ basePath: '/docs' }, { dir, token: 'v1', platform })(BUILD, CTX);
      expect(config.env!.NEXT_STATIC_BUST_SERVING).toBe('static');
      expect(await fs.readdir(path.join(dir, 'public'))).not.toContain('_bust');
      await afterCompile(config, dir);
      for (const rel of ['css/a.css', 'logo.png']) {
        const copy = await fs.lstat(path.join(dir, '.next/static/media/_bust/v1', rel));
        expect(copy.isFile() && copy.ino !== (await fs.lstat(path.join(dir, 'public', rel))).ino, rel).toBe(true);
      }
      const headers = await fs.readFile(path.join(dir, 'public/_headers'), 'utf8');
      expect(headers).toBe(
        '# BEGIN next-static-bust (written by next build; changes in this block are replaced)\n' +
          '/docs/_next/static/media/_bust/*\n  Cache-Control: public, max-age=31536000, immutable\n# END next-static-bust\n',
      );
      // The user's rules stay, and no rule of the package's goes there.
      expect(await fs.readFile(path.join(dir, 'public/_redirects'), 'utf8')).toBe('/home  /  301\n');
      expect(await fs.readdir(path.join(dir, 'public'))).not.toContain('.assetsignore');
      expect(((await config.rewrites!()) as { beforeFiles: unknown[] }).beforeFiles).toEqual([]);
    }
  });

  it("takes its blocks out of _headers and _redirects again when the next build is for node, keeping the user's rules", async () => {
    const dir = await makeApp(tmp, { ...TREE, _redirects: '/home  /  301\n', _headers: '/x\n  X-User: 1\n' });
    await withStaticBust({ output: 'export' }, { dir, token: 'v1', platform: 'netlify' })(BUILD, CTX);
    expect(await fs.readFile(path.join(dir, 'public/_redirects'), 'utf8')).toContain('# BEGIN next-static-bust');
    expect(await fs.readFile(path.join(dir, 'public/_headers'), 'utf8')).toContain('# BEGIN next-static-bust');
    delete process.env.__NEXT_STATIC_BUST_BUILD;
    await withStaticBust({}, { dir, token: 'v2', platform: 'node' })(BUILD, CTX);
    expect(await fs.readFile(path.join(dir, 'public/_redirects'), 'utf8')).toBe('/home  /  301\n');
    expect(await fs.readFile(path.join(dir, 'public/_headers'), 'utf8')).toBe('/x\n  X-User: 1\n');
    expect(await busted(dir, 'v2', 'logo.png')).toBe('PNG');
  });

  it("for output: 'export': token folders (real files in out/) and a _headers file for static hosts", async () => {
    const dir = await makeApp(tmp, TREE);
    await withStaticBust({ output: 'export' }, { dir, token: 'v1', platform: 'vercel' })(BUILD, CTX);
    expect(await busted(dir, 'v1', 'logo.png')).toBe('PNG');
    expect(await fs.readFile(path.join(dir, 'public/_headers'), 'utf8')).toContain('/_bust/v1/*\n');
    expect(await fs.readdir(path.join(dir, 'public'))).not.toContain('_redirects');
  });

  it('puts the asset host into the env for bust(), only when URLs are busted', async () => {
    const dir = await makeApp(tmp, TREE);
    const built = await withStaticBust({}, { dir, token: 'v1', assetHost: 'https://cdn.example.com' })(BUILD, CTX);
    expect(built.env!.NEXT_STATIC_BUST_ASSET_HOST).toBe('https://cdn.example.com');
    const dev = await withStaticBust({}, { dir, assetHost: 'https://cdn.example.com' })(DEV, CTX);
    expect(dev.env!.NEXT_STATIC_BUST_ASSET_HOST).toBe('');
  });

  it('rejects an unknown platform and an asset host that is not an origin', () => {
    expect(() => withStaticBust({}, { platform: 'heroku' as never })).toThrow(
      /^\[next-static-bust\] The `platform` option is "heroku", which is not a platform\. Use one of "node", "vercel", "netlify", "cloudflare"/,
    );
    for (const bad of ['cdn.example.com', 'https://cdn.example.com/', 'https://cdn.example.com/assets', 'ftp://x']) {
      expect(() => withStaticBust({}, { assetHost: bad })).toThrow(/`assetHost` option .* is not an origin/);
    }
    expect(() => withStaticBust({}, { assetHost: 'https://cdn.example.com:8443' })).not.toThrow();
  });
});

describe('withStaticBust: what the build says', () => {
  it('says in one line what it busts, once per command, and at start which token it serves', async () => {
    const dir = await makeApp(tmp, TREE);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (let i = 0; i < 3; i++) await withStaticBust({}, { dir, token: 'v1' })(BUILD, CTX);
    expect(log.mock.calls).toEqual([
      ['[next-static-bust] busting 2 files of public/ under /_bust/v1/ (token from the token option; links for node, no host detected)'],
    ]);
    await fs.mkdir(path.join(dir, '.next'));
    await fs.writeFile(
      path.join(dir, '.next/required-server-files.json'),
      JSON.stringify({ config: { env: { NEXT_STATIC_BUST_TOKEN: 'v1', NEXT_STATIC_BUST_NAMESPACE: '_bust', NEXT_STATIC_BUST_SERVING: 'links' } } }),
    );
    await withStaticBust({}, { dir })(START, CTX);
    expect(log.mock.calls[1]).toEqual(["[next-static-bust] serving the build's token under /_bust/v1/ (links)"]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('warns of paths in the sources that name no file, and with missing: "error" stops before writing anything', async () => {
    const dir = await makeApp(tmp, TREE);
    await fs.mkdir(path.join(dir, 'app'));
    await fs.writeFile(path.join(dir, 'app/page.tsx'), "export default () => <BustedAsset src=\"/css/b.css\" />;\nbust('/logo.png');\n");
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const before = await snapshot(dir);
    await expect(withStaticBust({}, { dir, token: 'v1', missing: 'error' })(BUILD, CTX)).rejects.toThrow(
      /^\[next-static-bust\] a path given to bust\(\) or <BustedAsset> names no file in public\/:\n {2}app\/page\.tsx:1: \/css\/b\.css \(did you mean \/css\/a\.css\?\)\n.*`missing: 'error'`/s,
    );
    expect(await snapshot(dir)).toEqual(before);
    await withStaticBust({}, { dir, token: 'v1' })(BUILD, CTX);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/app\/page\.tsx:1: \/css\/b\.css \(did you mean \/css\/a\.css\?\)\n.*Set `missing: 'error'` to stop the build/s);
  });

  it('warns once of a root-absolute url() in a stylesheet of public/, naming the fix', async () => {
    const dir = await makeApp(tmp, { 'css/a.css': 'a { background: url(/logo.png) }', 'logo.png': 'PNG' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    await withStaticBust({}, { dir, token: 'v1' })(BUILD, CTX);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/root-absolute url\(\).*\n {2}public\/css\/a\.css: \/logo\.png → make it \.\.\/logo\.png/s);
  });

  it('uses "hash" by default in CI and on the hosts, so a fresh clone of the same bytes keeps its token, and says why', async () => {
    for (const [name, value] of [['CI', 'true'], ['CI', '1'], ['VERCEL', '1'], ['NETLIFY', 'true'], ['CF_PAGES', '1']]) {
      const dir = await makeApp(tmp, TREE);
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      process.env[name!] = value;
      try {
        const tokens: string[] = [];
        for (const seconds of [1_600_000_000, 1_700_000_000]) {
          // A fresh clone: the same bytes, with the time of the clone.
          for (const file of Object.keys(TREE)) await setMtime(path.join(dir, 'public', file), seconds);
          delete process.env.__NEXT_STATIC_BUST_BUILD;
          delete process.env.__NEXT_STATIC_BUST_WARNED;
          tokens.push((await withStaticBust({}, { dir, platform: 'node' })(BUILD, CTX)).env!.NEXT_STATIC_BUST_TOKEN!);
        }
        expect(tokens[0]).toMatch(/^[0-9a-f]{12,}$/);
        expect(tokens[1]).toBe(tokens[0]);
        expect(log.mock.calls.at(-1)![0]).toContain(`(token from the "hash" strategy, the default where ${name}=${value}; links for node`);
        expect(warn).not.toHaveBeenCalled();
      } finally {
        delete process.env[name!];
        vi.restoreAllMocks();
      }
    }
  });

  it('keeps "mtime" by default on a developer\'s machine, and where CI is set to false', async () => {
    for (const ci of [undefined, 'false', '0']) {
      const dir = await makeApp(tmp, TREE);
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      if (ci !== undefined) process.env.CI = ci;
      try {
        await setMtime(path.join(dir, 'public/logo.png'), 1_700_000_123);
        await setMtime(path.join(dir, 'public/css/a.css'), 1_600_000_000);
        delete process.env.__NEXT_STATIC_BUST_BUILD;
        delete process.env.__NEXT_STATIC_BUST_WARNED;
        const config = await withStaticBust({}, { dir, platform: 'node' })(BUILD, CTX);
        expect(config.env!.NEXT_STATIC_BUST_TOKEN).toBe('1700000123');
        expect(log.mock.calls.at(-1)![0]).toContain('(token from the "mtime" strategy; links for node');
      } finally {
        delete process.env.CI;
        vi.restoreAllMocks();
      }
    }
  });

  it('warns once in CI when "mtime" is set, and not when the token is pinned', async () => {
    const dir = await makeApp(tmp, TREE);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    process.env.CI = 'true';
    try {
      await withStaticBust({}, { dir, strategy: 'mtime', token: 'v1' })(BUILD, CTX);
      expect(warn).not.toHaveBeenCalled();
      delete process.env.__NEXT_STATIC_BUST_BUILD;
      await withStaticBust({}, { dir, strategy: 'mtime' })(BUILD, CTX);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toMatch(/CI=true and `strategy: "mtime"` is set: .*every deploy changes every URL.*Leave the strategy out \(here the default is "hash"\).*STATIC_BUST_TOKEN/s);
    } finally {
      delete process.env.CI;
    }
  });
});

describe('withStaticBust: inside a plugin that copies the config as an object', () => {
  it("keeps the user's keys on the copy, and the copy's headers, redirects and rewrites stop the build with the fix", async () => {
    const user = userConfig({ pageExtensions: ['ts', 'tsx', 'mdx'] });
    // What withNextIntl(), withMDX() and withBundleAnalyzer() do with the config they are given.
    const copy = { ...withStaticBust(user), experimental: {} } as NextConfig;
    expect(copy.env).toEqual({ MY_VAR: 'mine' });
    expect(copy.pageExtensions).toEqual(['ts', 'tsx', 'mdx']);
    expect(copy.reactStrictMode).toBe(true);
    for (const key of ['headers', 'redirects', 'rewrites'] as const) {
      await expect((copy[key] as () => Promise<unknown>)()).rejects.toThrow(
        /^\[next-static-bust\] the config that withStaticBust\(\) returned was copied as an object by another plugin.*`export default withStaticBust\(withNextIntl\(nextConfig\)\)`/,
      );
    }
    expect(Object.assign({}, withStaticBust(async () => ({})))).toHaveProperty('headers'); // a function config too
  });

  it('works as before when it is the outermost call around such a plugin', async () => {
    const dir = await makeApp(tmp, TREE);
    const plugin = (config: NextConfig): NextConfig => ({ ...config, pageExtensions: ['tsx', 'mdx'] });
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const config = await withStaticBust(plugin(userConfig()), { dir, token: 'v1' })(BUILD, CTX);
    expect(config.pageExtensions).toEqual(['tsx', 'mdx']);
    expect(config.env!.NEXT_STATIC_BUST_TOKEN).toBe('v1');
    expect((await config.headers!()).at(-1)!.source).toBe('/_bust/:token(v1)/:path+');
  });
});

describe('withStaticBust: in a function config that composes plugins', () => {
  // Next.js's own loader: it requires next.config.js, calls an exported function and awaits its result.
  const loadConfig = (createRequire(import.meta.url)('next/dist/server/config.js') as {
    default: (phase: string, dir: string) => Promise<NextConfig>;
  }).default;
  const KEY = '__nsbComposedConfig';
  const load = async (dir: string, exported: unknown): Promise<NextConfig> => {
    (globalThis as Record<string, unknown>)[KEY] = exported;
    await fs.writeFile(path.join(dir, 'next.config.js'), `module.exports = globalThis.${KEY};\n`);
    try {
      return await loadConfig(BUILD, dir);
    } finally {
      delete (globalThis as Record<string, unknown>)[KEY];
    }
  };
  const poweredOff = (config: NextConfig): NextConfig => ({ ...config, poweredByHeader: false });

  it('stops with the fix when the function returns what withStaticBust() returned', async () => {
    const dir = await makeApp(tmp, TREE);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const plugins = [poweredOff, (c: NextConfig) => withStaticBust(c, { dir, token: 'v1' })];
    await expect(load(dir, () => plugins.reduce((c: NextConfig, p) => p(c), { reactStrictMode: true }))).rejects.toThrow(
      /^\[next-static-bust\] next\.config exports a function that returns the function withStaticBust\(\) made.*`module\.exports = withStaticBust\(\(phase\) => plugins\.reduce/,
    );
    await expect(load(dir, async () => withStaticBust({}, { dir, token: 'v1' }))).rejects.toThrow(/^\[next-static-bust\] next\.config exports a function/);
  });

  it('works when withStaticBust() wraps the whole function, as the error says', async () => {
    const dir = await makeApp(tmp, TREE);
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const config = await load(dir, withStaticBust((_phase: string) => [poweredOff].reduce((c: NextConfig, p) => p(c), { reactStrictMode: true }), { dir, token: 'v1' }));
    expect(config.poweredByHeader).toBe(false);
    expect(config.env!.NEXT_STATIC_BUST_TOKEN).toBe('v1');
  });

  it('is no thenable elsewhere: an async function may return it, as Next.js does with a next.config.ts', async () => {
    const made = withStaticBust({ reactStrictMode: true }, { token: 'v1' });
    expect(await (async () => made)()).toBe(made);
    expect(Object.keys({ ...made })).not.toContain('then');
  });
});

describe('withStaticBust: a proxy whose matcher covers busted URLs', () => {
  async function built(proxy: string | undefined, user: NextConfig = {}, level: 'warn' | 'error' = 'warn') {
    const dir = await makeApp(tmp, TREE);
    if (proxy !== undefined) await fs.writeFile(path.join(dir, 'proxy.ts'), proxy);
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const config = await withStaticBust(user, { dir, token: 'v1', proxy: level })(BUILD, CTX);
    await config.compiler!.runAfterProductionCompile!({ projectDir: dir, distDir: path.join(dir, '.next') });
    return dir;
  }
  const proxyWith = (matcher: string) => `export function proxy() {}\nexport const config = {\n  matcher: ${matcher},\n};\n`;

  it('stops the build by default, with the matcher and the exact change', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await expect(built(proxyWith("['/((?!api|_next/static|_next/image|favicon.ico).*)']"), {}, 'error')).rejects.toThrow(
      /^\[next-static-bust\] the proxy \(middleware\) also runs for busted URLs: .*"\/\(\(\?!_bust\/\|api\|_next\/static\|_next\/image\|favicon\.ico\)\.\*\)"\. The build stops because of this \(`proxy: 'error'`, the default\); .*set `proxy: 'warn'`/s,
    );
    expect(warn).not.toHaveBeenCalled();
    // The default is 'error', and a matcher that leaves the prefix out builds.
    const dir = await makeApp(tmp, TREE);
    await fs.writeFile(path.join(dir, 'proxy.ts'), proxyWith("['/(.*)']"));
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const config = await withStaticBust({}, { dir, token: 'v1' })(BUILD, CTX);
    await expect(config.compiler!.runAfterProductionCompile!({ projectDir: dir, distDir: path.join(dir, '.next') })).rejects.toThrow(/The build stops/);
    await fs.writeFile(path.join(dir, 'proxy.ts'), proxyWith("['/((?!_bust/).*)']"));
    await expect(config.compiler!.runAfterProductionCompile!({ projectDir: dir, distDir: path.join(dir, '.next') })).resolves.toBeUndefined();
  });

  it("with proxy: 'warn', warns after compiling, with the matcher and the exact change, and runs the user's hook first", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const hook = vi.fn(async () => {});
    // The matcher most auth guides show.
    await built(proxyWith("['/((?!api|_next/static|_next/image|favicon.ico).*)']"), { compiler: { runAfterProductionCompile: hook } });
    expect(hook).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(
      /^\[next-static-bust\] the proxy \(middleware\) also runs for busted URLs: its matcher "\/\(\(\?!api\|_next\/static\|_next\/image\|favicon\.ico\)\.\*\)" covers .*immutable.*: "\/\(\(\?!_bust\/\|api\|_next\/static\|_next\/image\|favicon\.ico\)\.\*\)"\.$/s,
    );
  });

  it('reads a single matcher and object matchers, with escapes, and names the files a partial matcher covers', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // Supabase's guide skips images only: stylesheets and scripts are still covered.
    await built(proxyWith("[{ source: '/((?!_next/static|_next/image|favicon.ico|.*\\\\.(?:svg|png|jpg|jpeg|gif|webp)$).*)', missing: [{ type: 'header', key: 'next-router-prefetch' }] }]"));
    // Shown as a JavaScript string, ready to paste: the backslash of \\. doubled.
    expect(warn.mock.calls[0]![0]).toContain('its matcher "/((?!_next/static|_next/image|favicon.ico|.*\\\\.(?:svg|png');
    expect(warn.mock.calls[0]![0]).toMatch(/css\/a\.css/);
    expect(warn.mock.calls[0]![0]).not.toMatch(/img\/a\.png/);
  });

  it('says nothing when the matcher leaves the prefix out, covers other paths, skips the files by extension, or there is no proxy', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await built(proxyWith("['/((?!_bust/|api).*)']"), {}, 'error');
    await built(proxyWith("'/dashboard/:path*'"), {}, 'error');
    await built(undefined, {}, 'error');
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('withStaticBust: builds for hosts that read rule files', () => {
  it('give the same token build after build: the rule files it writes do not count', async () => {
    for (const strategy of ['mtime', 'hash'] as const) {
      const dir = await makeApp(tmp, TREE);
      vi.spyOn(console, 'log').mockImplementation(() => {});
      const tokens: string[] = [];
      for (let i = 0; i < 3; i++) {
        delete process.env.__NEXT_STATIC_BUST_BUILD;
        const config = await withStaticBust({}, { dir, strategy, platform: 'netlify' })(BUILD, CTX);
        tokens.push(config.env!.NEXT_STATIC_BUST_TOKEN!);
        // The next build comes a second later at least, as a rebuild does.
        const later = Date.now() / 1000 + 2 + i;
        await fs.utimes(path.join(dir, 'public/_headers'), later, later);
      }
      expect(new Set(tokens).size, strategy).toBe(1);
    }
  });
});

describe("withStaticBust with granularity: 'file'", () => {
  const fingerprintOf = (env: Record<string, string | undefined>, file: string) =>
    decodeFingerprints(env.NEXT_STATIC_BUST_FILES!).get(file)!;

  it('inlines the fingerprints, writes nothing into public/, and after compiling copies each file into its fingerprint folder in the static folder', async () => {
    const dir = await makeApp(tmp, TREE);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const before = await snapshot(path.join(dir, 'public'));
    const config = await withStaticBust(userConfig(), { dir, granularity: 'file' })(BUILD, CTX);
    const env = config.env!;
    expect(env.NEXT_STATIC_BUST_TOKEN).toBe('');
    expect(env.NEXT_STATIC_BUST_SERVING).toBe('static');
    expect(await snapshot(path.join(dir, 'public'))).toEqual(before);
    // Next.js serves its static folder immutable itself: the user's rules only.
    expect(await config.headers!()).toEqual([{ source: '/user', headers: [{ key: 'x-user', value: '1' }] }]);
    await afterCompile(config, dir);
    const css = fingerprintOf(env, 'css/a.css');
    const logo = fingerprintOf(env, 'logo.png');
    expect(await staticCopy(dir, css, 'css/a.css')).toBe('a{}');
    expect(await staticCopy(dir, logo, 'logo.png')).toBe('PNG');
    expect((await fs.readdir(path.join(dir, '.next/static/media/_bust'))).sort()).toEqual([css, logo].sort());
    expect(log.mock.calls[0]![0]).toMatch(
      /^\[next-static-bust\] busting 2 files of public\/ under \/_next\/static\/media\/_bust\/<fingerprint>\/ \(2 fingerprints, one per file; \d+ bytes gzip of them in the client JavaScript; static for node/,
    );
  });

  it('gives a changed file a new fingerprint at the next build and keeps the others', async () => {
    const dir = await makeApp(tmp, TREE);
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const first = (await withStaticBust({}, { dir, granularity: 'file' })(BUILD, CTX)).env!;
    delete process.env.__NEXT_STATIC_BUST_BUILD; // a new `next build`
    await fs.writeFile(path.join(dir, 'public/logo.png'), 'PNG2');
    const second = (await withStaticBust({}, { dir, granularity: 'file' })(BUILD, CTX)).env!;
    expect(fingerprintOf(second, 'css/a.css')).toBe(fingerprintOf(first, 'css/a.css'));
    expect(fingerprintOf(second, 'logo.png')).not.toBe(fingerprintOf(first, 'logo.png'));
  });

  it('leaves out, with a warning, a file that changed between fingerprinting and copying: its URL answers 404, never other bytes', async () => {
    const dir = await makeApp(tmp, TREE);
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const config = await withStaticBust({}, { dir, granularity: 'file' })(BUILD, CTX);
    // A generator writes into public/ during the build, in place.
    await fs.writeFile(path.join(dir, 'public/logo.png'), 'written during the build');
    await afterCompile(config, dir);
    expect(await staticCopy(dir, fingerprintOf(config.env!, 'css/a.css'), 'css/a.css')).toBe('a{}');
    await expect(staticCopy(dir, fingerprintOf(config.env!, 'logo.png'), 'logo.png')).rejects.toThrow(/ENOENT/);
    expect(warn.mock.calls.map((c) => c[0]).join('\n')).toMatch(/1 file of public\/ changed during the build \(logo\.png\)/);
  });

  it('at start, writes nothing and says where the fingerprints are served', async () => {
    const dir = await makeApp(tmp, TREE);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const env = (await withStaticBust({}, { dir, granularity: 'file' })(BUILD, CTX)).env!;
    await fs.mkdir(path.join(dir, '.next'));
    await fs.writeFile(path.join(dir, '.next/required-server-files.json'), JSON.stringify({ config: { env } }));
    const before = await snapshot(dir);
    const started = await withStaticBust({}, { dir, granularity: 'file' })(START, CTX);
    expect(await snapshot(dir)).toEqual(before);
    expect(started.env!.NEXT_STATIC_BUST_FILES).toBe(env.NEXT_STATIC_BUST_FILES);
    expect(log.mock.calls.map((c) => c[0])).toContain("[next-static-bust] serving the build's fingerprints under /_next/static/media/_bust/<fingerprint>/ (static)");
  });

  it('refuses an unknown granularity, naming the two', () => {
    expect(() => withStaticBust({}, { granularity: 'folder' as never })).toThrow(/`granularity` option is "folder"; use "global".*or "file"/);
  });
});
