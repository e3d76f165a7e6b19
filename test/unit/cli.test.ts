import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/cli.js';
import { StaticBustError } from '../../src/shared/errors.js';
import { MANIFEST } from '../../src/namespace/manifest.js';
import { encodeFingerprints } from '../../src/runtime/fingerprint-map.js';
import { fingerprint } from '../../src/build/fingerprints.js';
import { makeApp, nodePath, setMtime, snapshot, useCjsBuild, useFreshConfigEnv, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const run = promisify(execFile);
useFreshConfigEnv();

let log: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
});

const TREE = { 'css/a.css': 'a{}', 'logo.png': 'PNG' };

async function appAt(seconds: number): Promise<string> {
  const dir = await makeApp(tmp, TREE);
  for (const rel of Object.keys(TREE)) await setMtime(path.join(dir, 'public', rel), seconds);
  return dir;
}

async function fakeBuild(dir: string, env: Record<string, string>, distDir = '.next'): Promise<void> {
  await fs.mkdir(path.join(dir, distDir), { recursive: true });
  await fs.writeFile(path.join(dir, distDir, 'required-server-files.json'), JSON.stringify({ config: { env } }));
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StaticBustError);
  expect((error as Error).message).toMatch(/^\[next-static-bust\] /);
  return error as Error;
}

describe('next-static-bust token', () => {
  it('prints the token that next build would use now', async () => {
    const dir = await appAt(1_700_000_000);
    expect(await main(['token', '--dir', dir])).toBe(0);
    expect(log).toHaveBeenCalledWith('1700000000');
  });

  it('prints the "hash" token in CI, where it is the default of next build too', async () => {
    const dir = await appAt(1_700_000_000);
    expect(await main(['token', '--dir', dir, '--strategy', 'hash'])).toBe(0);
    const hash = log.mock.calls.at(-1)![0] as string;
    expect(hash).toMatch(/^[0-9a-f]{12,}$/);
    process.env.CI = 'true';
    expect(await main(['token', '--dir', dir])).toBe(0);
    expect(log).toHaveBeenLastCalledWith(hash);
  });

  it('takes --strategy and --flag=value', async () => {
    const dir = await appAt(1_700_000_000);
    expect(await main(['token', `--dir=${dir}`, '--strategy=hash'])).toBe(0);
    expect(log.mock.calls[0]![0]).toMatch(/^[0-9a-f]{16}$/);
  });

  it('prints STATIC_BUST_TOKEN when it is set, as next build would use it', async () => {
    const dir = await appAt(1_700_000_000);
    process.env.STATIC_BUST_TOKEN = 'ci-42';
    expect(await main(['token', '--dir', dir])).toBe(0);
    expect(log).toHaveBeenCalledWith('ci-42');
  });

  it('writes nothing', async () => {
    const dir = await appAt(1_700_000_000);
    const before = await snapshot(dir);
    await main(['token', '--dir', dir]);
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe('next-static-bust rotate', () => {
  it('creates the links of the token of the last build', async () => {
    const dir = await appAt(1_700_000_000);
    await fakeBuild(dir, { NEXT_STATIC_BUST_TOKEN: 'abc', NEXT_STATIC_BUST_NAMESPACE: '_bust' });
    expect(await main(['rotate', '--dir', dir])).toBe(0);
    expect(await fs.readFile(path.join(dir, 'public/_bust/abc/css/a.css'), 'utf8')).toBe('a{}');
    expect((await fs.readdir(path.join(dir, 'public/_bust'))).sort()).toEqual([MANIFEST, 'abc']);
    expect(log.mock.calls[0]![0]).toMatch(/_bust\/abc is ready \(token abc\)$/);
  });

  it("makes nothing for a build served from its static folder (granularity: 'file', or a host's), and says so", async () => {
    const dir = await appAt(1_700_000_000);
    const files = encodeFingerprints(fingerprint(path.join(dir, 'public'), ['css/a.css', 'logo.png'])!.fingerprints);
    await fakeBuild(dir, { NEXT_STATIC_BUST_TOKEN: '', NEXT_STATIC_BUST_NAMESPACE: '_bust', NEXT_STATIC_BUST_SERVING: 'static', NEXT_STATIC_BUST_FILES: files });
    expect(await main(['rotate', '--dir', dir])).toBe(0);
    expect(await fs.readdir(path.join(dir, 'public'))).not.toContain('_bust');
    expect(log.mock.calls.at(-1)![0]).toMatch(/^nothing to make: this build serves \/_next\/static\/media\/_bust\/<fingerprint>\/ from its own static folder/);
    await fakeBuild(dir, { NEXT_STATIC_BUST_TOKEN: 'abc', NEXT_STATIC_BUST_NAMESPACE: '_bust', NEXT_STATIC_BUST_SERVING: 'static' });
    expect(await main(['rotate', '--dir', dir])).toBe(0);
    expect(log.mock.calls.at(-1)![0]).toMatch(/^nothing to make: this build serves \/_next\/static\/media\/_bust\/abc\//);
    expect(await fs.readdir(path.join(dir, 'public'))).not.toContain('_bust');
  });

  it("uses the build's namespace and --dist-dir", async () => {
    const dir = await appAt(1_700_000_000);
    await fakeBuild(dir, { NEXT_STATIC_BUST_TOKEN: 'abc', NEXT_STATIC_BUST_NAMESPACE: 'static' }, 'build-out');
    expect(await main(['rotate', '--dir', dir, '--dist-dir', 'build-out'])).toBe(0);
    expect(await fs.readFile(path.join(dir, 'public/static/abc/logo.png'), 'utf8')).toBe('PNG');
  });

  it('throws a StaticBustError saying to run next build when there is no build', async () => {
    const dir = await appAt(1_700_000_000);
    const error = await failure(main(['rotate', '--dir', dir]));
    expect(error.message).toMatch(/found no build made with withStaticBust\(\).*Run `next build` first/);
    expect(await fs.readdir(path.join(dir, 'public'))).not.toContain('_bust');
  });

  it('throws a StaticBustError for a build made without the wrapper (no token in its env)', async () => {
    const dir = await appAt(1_700_000_000);
    await fakeBuild(dir, { OTHER: 'x' });
    await failure(main(['rotate', '--dir', dir]));
  });

  it('throws a StaticBustError when public/ is missing', async () => {
    const dir = await tmp();
    await fakeBuild(dir, { NEXT_STATIC_BUST_TOKEN: 'abc', NEXT_STATIC_BUST_NAMESPACE: '_bust' });
    const error = await failure(main(['rotate', '--dir', dir]));
    expect(error.message).toMatch(/public does not exist.*--dir/);
  });
});

describe('next-static-bust token with the options of next.config', () => {
  // The config requires this package as an app would; a CommonJS build of src/ stands in for it.
  const cjs = useCjsBuild();

  async function appWithConfig(options: string): Promise<string> {
    // The build's own imports (fast-glob) resolve from the repository, as from an app's node_modules.
    await fs.symlink(nodePath(), path.join(cjs(), 'node_modules')).catch(() => undefined);
    const dir = await appAt(1_700_000_000);
    await fs.writeFile(
      path.join(dir, 'next.config.js'),
      `const { withStaticBust } = require(${JSON.stringify(path.join(cjs(), 'config.js'))});\n` +
        `module.exports = withStaticBust({ reactStrictMode: true }, ${options});\n`,
    );
    return dir;
  }

  it('uses the strategy of next.config, as next build does, and writes nothing', async () => {
    const dir = await appWithConfig("{ strategy: 'hash' }");
    const before = await snapshot(dir);
    expect(await main(['token', '--dir', dir])).toBe(0);
    expect(log.mock.calls.at(-1)![0]).toMatch(/^[0-9a-f]{16}$/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it("uses next.config's token, and lets a flag override the strategy", async () => {
    expect(await main(['token', '--dir', await appWithConfig("{ token: 'release-7' }")])).toBe(0);
    expect(log.mock.calls.at(-1)![0]).toBe('release-7');
    expect(await main(['token', '--dir', await appWithConfig("{ strategy: 'hash' }"), '--strategy', 'mtime'])).toBe(0);
    expect(log.mock.calls.at(-1)![0]).toBe('1700000000');
  });

  it("prints each file's fingerprint and path with granularity: 'file', and writes nothing", async () => {
    const dir = await appWithConfig("{ granularity: 'file' }");
    const before = await snapshot(dir);
    expect(await main(['token', '--dir', dir])).toBe(0);
    expect(log.mock.calls.map((c: unknown[]) => c[0])).toEqual([expect.stringMatching(/^[0-9a-v]{8} {2}css\/a\.css$/), expect.stringMatching(/^[0-9a-v]{8} {2}logo\.png$/)]);
    expect(await snapshot(dir)).toEqual(before);
  });

  it.each(['next.config.js', 'next.config.ts'])(
    "prints the fingerprints next build makes with next.config's basePath (%s), which root-absolute references depend on",
    async (file) => {
      const dir = await appAt(1_700_000_000);
      await fs.rm(path.join(dir, 'next.config.js'));
      const entry = JSON.stringify(path.join(cjs(), 'config.js'));
      const body = "withStaticBust({ basePath: '/docs' }, { granularity: 'file' })";
      await fs.writeFile(
        path.join(dir, file),
        file.endsWith('.ts') ? `import { withStaticBust } from ${entry};\nexport default ${body};\n` : `module.exports = require(${entry}).${body};\n`,
      );
      await fs.writeFile(path.join(dir, 'public/css/a.css'), 'a{background:url(/docs/logo.png)}');
      const pub = path.join(dir, 'public');
      const withBase = fingerprint(pub, ['css/a.css', 'logo.png'], { basePath: '/docs' })!.fingerprints.get('css/a.css')!;
      expect(fingerprint(pub, ['css/a.css', 'logo.png'])!.fingerprints.get('css/a.css')).not.toBe(withBase);
      expect(await main(['token', '--dir', dir])).toBe(0);
      expect(log.mock.calls[0]![0]).toBe(`${withBase}  css/a.css`);
    },
  );

  // Each way next.config may be written. The package is imported (ESM) or required (CJS) by path.
  const CONFIGS: { name: string; file: string; esm?: boolean; body: string; prints: string }[] = [
    { name: 'an ES module (next.config.mjs)', file: 'next.config.mjs', body: "export default withStaticBust({}, { token: 'esm-7' });", prints: 'esm-7' },
    {
      name: 'a .js in a package of ES modules, exporting a function',
      file: 'next.config.js',
      esm: true,
      body: "export default (phase, context) => withStaticBust({}, { token: 'esm-js-7' })(phase, context);",
      prints: 'esm-js-7',
    },
    { name: 'CommonJS (next.config.cjs)', file: 'next.config.cjs', body: "module.exports = withStaticBust({}, { token: 'cjs-7' });", prints: 'cjs-7' },
    {
      name: 'a function called as Next.js calls it, with the phase and the default config',
      file: 'next.config.js',
      body: 'module.exports = (phase, { defaultConfig }) =>\n  withStaticBust({}, { token: `${phase}-${typeof defaultConfig.images}` })(phase, { defaultConfig });',
      prints: 'phase-info-object',
    },
    { name: "TypeScript (next.config.ts), with Next.js's loader", file: 'next.config.ts', body: "export default withStaticBust({}, { token: 'ts-7' });", prints: 'ts-7' },
  ];

  it.each(CONFIGS)('reads $name', async ({ file, esm, body, prints }) => {
    const dir = await appAt(1_700_000_000);
    await fs.rm(path.join(dir, 'next.config.js'));
    const entry = JSON.stringify(path.join(cjs(), 'config.js'));
    const imports = file.endsWith('.mjs') || file.endsWith('.ts') || esm;
    if (esm) await fs.writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    await fs.writeFile(
      path.join(dir, file),
      (imports ? `import { withStaticBust } from ${entry};\n` : `const { withStaticBust } = require(${entry});\n`) + body + '\n',
    );
    expect(await main(['token', '--dir', dir])).toBe(0);
    expect(log.mock.calls.at(-1)![0]).toBe(prints);
  });

  it('says so when next.config cannot be read', async () => {
    const dir = await appAt(1_700_000_000);
    await fs.writeFile(path.join(dir, 'next.config.js'), "throw new Error('broken config');\n");
    const error = await failure(main(['token', '--dir', dir]));
    expect(error.message).toMatch(/could not read next\.config\.js: .*broken config/);
  });
});

describe('next-static-bust arguments', () => {
  it('prints the version for --version and -v', async () => {
    const pkg = JSON.parse(await fs.readFile(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(await main(['--version'])).toBe(0);
    expect(await main(['-v'])).toBe(0);
    expect(log.mock.calls).toEqual([[pkg.version], [pkg.version]]);
  });

  it('prints the usage for --help (exit 0) and without a command (exit 1)', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(log.mock.calls[0]![0]).toMatch(/^Usage: next-static-bust <command>/);
    expect(await main([])).toBe(1);
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['token', '--nope'], /unknown option --nope/],
    [['token', '--keep', '3'], /unknown option --keep/],
    [['rotate', '--strategy', 'hash'], /`rotate` does not take --strategy: it makes the folder of the token the last build used/],
    [['rotate', '--namespace', 'x'], /`rotate` does not take --namespace/],
    [['token', '--dist-dir', 'x'], /`token` does not take --dist-dir/],
    [['token', '--dir', '/does/not/exist'], /--dir \/does\/not\/exist: \/does\/not\/exist is not a folder/],
    [['token', '--dir'], /--dir needs a value/],
    [['token', '--dir='], /--dir needs a value/],
    [['token', '--strategy', 'nope'], /`strategy` option is "nope"/],
    [['token', '--namespace', '_next'], /`namespace` option is "_next"/],
    [['token', 'extra'], /unexpected argument "extra"/],
  ])('%j throws a StaticBustError', async (argv, message) => {
    const error = await failure(main(argv));
    expect(error.message).toMatch(message);
  });
});

describe('the next-static-bust binary', () => {
  // A CommonJS build of src/bin.ts, as dist/cjs/bin.js is made (see useCjsBuild() for why not dist/).
  const cjs = useCjsBuild();
  async function bin(args: string[]) {
    return run(process.execPath, [path.join(cjs(), 'bin.js'), ...args], {
      env: { ...process.env, NODE_PATH: nodePath() },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  }

  it('prints the token and exits 0', async () => {
    const dir = await appAt(1_700_000_000);
    expect(await bin(['token', '--dir', dir])).toEqual({ code: 0, stdout: '1700000000\n', stderr: '' });
  });

  it("reads next.config.js without Next.js's config loader, with the app's .env files loaded as next build loads them", async () => {
    const dir = await appAt(1_700_000_000);
    await fs.writeFile(path.join(dir, '.env'), 'RELEASE=dotenv-7\n');
    await fs.writeFile(
      path.join(dir, 'next.config.js'),
      `const { withStaticBust } = require(${JSON.stringify(path.join(cjs(), 'config.js'))});\n` +
        'module.exports = withStaticBust({}, { token: process.env.RELEASE });\n',
    );
    // Says at exit whether Next.js's loader (about 65 ms to load) was loaded.
    const probe = path.join(dir, 'probe.cjs');
    await fs.writeFile(
      probe,
      "process.on('exit', () => process.stderr.write(Object.keys(require.cache).some((f) => f.endsWith('/next/dist/server/config.js')) ? 'loader\\n' : 'direct\\n'));\n",
    );
    const result = await run(process.execPath, ['--require', probe, path.join(cjs(), 'bin.js'), 'token', '--dir', dir], {
      env: { ...process.env, NODE_PATH: nodePath() },
    });
    expect(result).toEqual({ stdout: 'dotenv-7\n', stderr: 'direct\n' });
  });

  it("reads a config that needs Next.js's loader (require('webpack'), which only its aliases resolve)", async () => {
    const dir = await appAt(1_700_000_000);
    await fs.writeFile(
      path.join(dir, 'next.config.js'),
      "require('webpack');\n" +
        `const { withStaticBust } = require(${JSON.stringify(path.join(cjs(), 'config.js'))});\n` +
        "module.exports = withStaticBust({}, { token: 'webpack-7' });\n",
    );
    expect(await bin(['token', '--dir', dir])).toEqual({ code: 0, stdout: 'webpack-7\n', stderr: '' });
  });

  it('exits 1 with the [next-static-bust] message, and no stack trace, for --strategy nope', async () => {
    const dir = await appAt(1_700_000_000);
    const result = await bin(['token', '--dir', dir, '--strategy', 'nope']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^\[next-static-bust\] The `strategy` option is "nope".*\n$/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
