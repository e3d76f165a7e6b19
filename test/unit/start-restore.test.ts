// What withStaticBust() does at `next start` (src/start/restore.ts): the build's record is served,
// whatever the config says now; a folder of links is made again when the file system lets it,
// and a warning says why when it does not; what is not the file system refusing stops the start.
// Written from the survivors of a mutation run without per-test coverage (docs/mutation-testing.md).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { withStaticBust, type ConfigContext } from '../../src/config.js';
import { main } from '../../src/cli/cli.js';
import { StaticBustError } from '../../src/shared/errors.js';
import { makeApp, useFreshConfigEnv, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const START = 'phase-production-server';
const CTX: ConfigContext = { defaultConfig: {} };
useFreshConfigEnv();

/** What `next build` leaves for a start: the resolved config's env in `.next/required-server-files.json`. */
async function built(dir: string, env: Record<string, string>): Promise<void> {
  await fs.mkdir(path.join(dir, '.next'), { recursive: true });
  await fs.writeFile(path.join(dir, '.next/required-server-files.json'), JSON.stringify({ config: { env } }));
}

const LINKS = { NEXT_STATIC_BUST_TOKEN: 'v1', NEXT_STATIC_BUST_NAMESPACE: '_bust', NEXT_STATIC_BUST_SERVING: 'links' };

describe('next start with withStaticBust()', () => {
  it("serves the build's namespace when the config now names another, and says so", async () => {
    const dir = await makeApp(tmp, { 'a.txt': 'a' });
    await built(dir, { ...LINKS, NEXT_STATIC_BUST_NAMESPACE: 'assets' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const config = await withStaticBust({}, { dir })(START, CTX);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      '[next-static-bust] this build was made with namespace "assets" but the config now says "_bust"; serving the build\'s. Run `next build` again to use the new one.',
    ]);
    expect(config.env!.NEXT_STATIC_BUST_TOKEN).toBe('v1');
    expect(await fs.readlink(path.join(dir, 'public/assets/v1/a.txt'))).toBe(path.join('..', '..', 'a.txt'));
  });

  it('busts nothing for an app without public/, and makes nothing', async () => {
    const dir = await tmp('nsb-no-public-');
    await fs.writeFile(path.join(dir, 'next.config.js'), 'module.exports = {};\n');
    await built(dir, LINKS);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const config = await withStaticBust({}, { dir })(START, CTX);
    expect(config.env!.NEXT_STATIC_BUST_TOKEN).toBe('');
    expect(await fs.readdir(dir)).toEqual(['.next', 'next.config.js']);
  });

  it("warns with the fix and serves the build's token when the file system refuses the links", async () => {
    const dir = await makeApp(tmp, { 'a.txt': 'a' });
    await built(dir, LINKS);
    vi.spyOn(fs, 'symlink').mockRejectedValue(Object.assign(new Error('EPERM: injected'), { code: 'EPERM' }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const config = await withStaticBust({}, { dir })(START, CTX);
    expect(config.env!.NEXT_STATIC_BUST_TOKEN).toBe('v1');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^\[next-static-bust\] could not create the links in .*public \(EPERM: injected\)\./);
    expect(log.mock.calls.map((c) => String(c[0]))).toEqual(["[next-static-bust] serving the build's token under /_bust/v1/ (links)"]);
  });

  it('stops the start for what is not the file system refusing: public/<namespace> that is not ours', async () => {
    const dir = await makeApp(tmp, { 'a.txt': 'a' });
    await built(dir, LINKS);
    await fs.writeFile(path.join(dir, 'public/_bust'), 'a file of the user');
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await expect(withStaticBust({}, { dir })(START, CTX)).rejects.toThrow(StaticBustError);
    await expect(withStaticBust({}, { dir })(START, CTX)).rejects.toThrow(/public\/_bust exists but was not made by next-static-bust/);
    expect(await fs.readFile(path.join(dir, 'public/_bust'), 'utf8')).toBe('a file of the user');
  });

  it("serves a per-file build's fingerprints as they are, from the static folder, making nothing", async () => {
    const dir = await makeApp(tmp, { 'a.txt': 'a' });
    await built(dir, { NEXT_STATIC_BUST_TOKEN: '', NEXT_STATIC_BUST_NAMESPACE: '_bust', NEXT_STATIC_BUST_SERVING: 'static', NEXT_STATIC_BUST_FILES: 'x' });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const config = await withStaticBust({}, { dir })(START, CTX);
    expect(config.env!.NEXT_STATIC_BUST_FILES).toBe('x');
    expect(config.env!.NEXT_STATIC_BUST_SERVING).toBe('static');
    expect(await fs.readdir(path.join(dir, 'public'))).toEqual(['a.txt']);
    expect(log.mock.calls.map((c) => String(c[0]))).toEqual(["[next-static-bust] serving the build's fingerprints under /_next/static/media/_bust/<fingerprint>/ (static)"]);
  });
});

describe('next-static-bust rotate, the same restore', () => {
  it('names the folder when it was ready already, as when it made it', async () => {
    const dir = await makeApp(tmp, { 'a.txt': 'a' });
    await built(dir, LINKS);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(process, 'cwd').mockReturnValue(dir);
    expect(await main(['rotate', '--dir', dir])).toBe(0);
    expect(await main(['rotate', '--dir', dir])).toBe(0);
    expect(log.mock.calls.map((c) => String(c[0]))).toEqual([
      `${path.join('public', '_bust', 'v1')} is ready (token v1)`,
      `${path.join('public', '_bust', 'v1')} is ready (token v1)`,
    ]);
  });
});
