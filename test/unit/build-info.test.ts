// readBuildInfo(): what `next start` and the CLI take from a build's required-server-files.json. The
// e2e tests read it through real builds; these give it the hostile and partial files a cache or an
// artifact can carry, where only a wrong answer would show.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ENV_ASSET_HOST,
  ENV_BASE_PATH,
  ENV_FILES,
  ENV_INTEGRITY,
  ENV_NAMESPACE,
  ENV_SERVING,
  ENV_TOKEN,
  readBuildInfo,
} from '../../src/start/build-info.js';
import { ROOT, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** An app folder whose `<distDir>/required-server-files.json` holds `content` (a string as is). */
async function build(content: unknown, distDir = '.next'): Promise<string> {
  const dir = await tmp();
  mkdirSync(path.join(dir, distDir), { recursive: true });
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  writeFileSync(path.join(dir, distDir, 'required-server-files.json'), text);
  return dir;
}

const withEnv = (env: Record<string, unknown>) => ({ version: 1, config: { env } });

describe('readBuildInfo', () => {
  it('reads a token build: token, namespace, links, and nothing else', async () => {
    const dir = await build(withEnv({ NEXT_STATIC_BUST_TOKEN: '1732530000', NEXT_STATIC_BUST_NAMESPACE: '_bust' }));
    expect(readBuildInfo(dir)).toStrictEqual({ token: '1732530000', namespace: '_bust', serving: 'links' });
  });

  it('reads the serving, the per-file fingerprints and the integrity values', async () => {
    const stat = await build(
      withEnv({ NEXT_STATIC_BUST_TOKEN: 't1', NEXT_STATIC_BUST_NAMESPACE: 'v', NEXT_STATIC_BUST_SERVING: 'static', NEXT_STATIC_BUST_INTEGRITY: 'css/|a.cssX' }),
    );
    expect(readBuildInfo(stat)).toStrictEqual({ token: 't1', namespace: 'v', serving: 'static', integrity: 'css/|a.cssX' });
    // Per-file: no token, and always the static folder, whatever the serving says.
    const perFile = await build(
      withEnv({ NEXT_STATIC_BUST_TOKEN: '', NEXT_STATIC_BUST_NAMESPACE: '_bust', NEXT_STATIC_BUST_FILES: 'css/|a.cssabcdefgh', NEXT_STATIC_BUST_SERVING: 'links' }),
    );
    expect(readBuildInfo(perFile)).toStrictEqual({ token: '', namespace: '_bust', serving: 'static', fingerprints: 'css/|a.cssabcdefgh' });
  });

  it('leaves out an empty or non-string integrity and fingerprints', async () => {
    for (const integrity of ['', 42, null, ['x']]) {
      const dir = await build(
        withEnv({ NEXT_STATIC_BUST_TOKEN: 't1', NEXT_STATIC_BUST_NAMESPACE: '_bust', NEXT_STATIC_BUST_INTEGRITY: integrity, NEXT_STATIC_BUST_FILES: '' }),
      );
      expect(readBuildInfo(dir), JSON.stringify(integrity)).toStrictEqual({ token: 't1', namespace: '_bust', serving: 'links' });
    }
  });

  it('reads the build of another distDir', async () => {
    const dir = await build(withEnv({ NEXT_STATIC_BUST_TOKEN: 't1', NEXT_STATIC_BUST_NAMESPACE: '_bust' }), 'build-out');
    expect(readBuildInfo(dir)).toBeUndefined();
    expect(readBuildInfo(dir, 'build-out')).toStrictEqual({ token: 't1', namespace: '_bust', serving: 'links' });
  });

  it('is undefined, without throwing, for no build, a torn or odd file, and a build without the wrapper', async () => {
    const empty = await tmp();
    expect(readBuildInfo(empty)).toBeUndefined();
    for (const content of ['{"config":', 'null', '42', '[]', {}, { config: null }, { config: {} }, { config: { env: null } }, withEnv({})]) {
      const dir = await build(content);
      expect(() => readBuildInfo(dir), JSON.stringify(content)).not.toThrow();
      expect(readBuildInfo(dir), JSON.stringify(content)).toBeUndefined();
    }
  });

  it('is undefined when the token or the namespace is missing or not a string, and for no token without fingerprints', async () => {
    const cases: Array<Record<string, unknown>> = [
      { NEXT_STATIC_BUST_NAMESPACE: '_bust' },
      { NEXT_STATIC_BUST_TOKEN: 42, NEXT_STATIC_BUST_NAMESPACE: '_bust' },
      { NEXT_STATIC_BUST_TOKEN: 't1' },
      { NEXT_STATIC_BUST_TOKEN: 't1', NEXT_STATIC_BUST_NAMESPACE: 7 },
      { NEXT_STATIC_BUST_TOKEN: '', NEXT_STATIC_BUST_NAMESPACE: '_bust' },
      { NEXT_STATIC_BUST_TOKEN: '', NEXT_STATIC_BUST_NAMESPACE: '_bust', NEXT_STATIC_BUST_FILES: '' },
      { NEXT_STATIC_BUST_TOKEN: '', NEXT_STATIC_BUST_NAMESPACE: '_bust', NEXT_STATIC_BUST_FILES: 12 },
    ];
    // A build without the wrapper, not a hostile one: no warning.
    vi.stubEnv('__NEXT_STATIC_BUST_WARNED', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const env of cases) {
      expect(readBuildInfo(await build(withEnv(env))), JSON.stringify(env)).toBeUndefined();
    }
    expect(warn).not.toHaveBeenCalled();
  });

  it('refuses, with a warning that says what to do, a token or namespace that is not one folder name', async () => {
    for (const env of [
      { NEXT_STATIC_BUST_TOKEN: '../../etc', NEXT_STATIC_BUST_NAMESPACE: '_bust' },
      { NEXT_STATIC_BUST_TOKEN: 't1', NEXT_STATIC_BUST_NAMESPACE: '/tmp' },
      { NEXT_STATIC_BUST_TOKEN: '', NEXT_STATIC_BUST_NAMESPACE: '..', NEXT_STATIC_BUST_FILES: 'css/|a.cssabcdefgh' },
    ]) {
      vi.stubEnv('__NEXT_STATIC_BUST_WARNED', '');
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const dir = await build(withEnv(env));
      expect(readBuildInfo(dir), JSON.stringify(env)).toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1);
      const message = String(warn.mock.calls[0]![0]);
      expect(message).toMatch(/^\[next-static-bust\] the build in .+ names the token .+ cannot be folder names, so busted URLs are not served\. Run next build again\.$/);
      expect(message).toContain(JSON.stringify(env.NEXT_STATIC_BUST_NAMESPACE));
      expect(message).toContain(path.join(dir, '.next'));
      warn.mockRestore();
    }
  });
});

describe('the env names', () => {
  it('are the names the runtime reads as literal process.env.NAME (the only form Next.js inlines)', () => {
    const runtime = readdirSync(path.join(ROOT, 'src/runtime'))
      .map((name) => readFileSync(path.join(ROOT, 'src/runtime', name), 'utf8'))
      .join('\n');
    const names = [ENV_TOKEN, ENV_NAMESPACE, ENV_BASE_PATH, ENV_ASSET_HOST, ENV_FILES, ENV_SERVING, ENV_INTEGRITY];
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^NEXT_STATIC_BUST_[A-Z_]+$/);
      expect(runtime, name).toContain(`process.env.${name}`);
    }
  });
});
