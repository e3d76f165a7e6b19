import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { withStaticBust, type ConfigContext } from '../../src/config.js';
import { readLastBuild, writtenByBuilds, type LastBuild } from '../../src/build/last-build.js';
import { makeApp, setMtime, useCjsBuild, useFreshConfigEnv, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const cjs = useCjsBuild();
const run = promisify(execFile);
useFreshConfigEnv();
const BUILD = 'phase-production-build';
const CTX: ConfigContext = { defaultConfig: {} };
const RECORD = '.next/cache/next-static-bust/last-build.json';

/** An app whose files have the given times (seconds), public/ relative paths as keys. */
async function appWithTimes(times: Record<string, number>): Promise<string> {
  const dir = await makeApp(tmp, Object.fromEntries(Object.keys(times).map((file) => [file, file])));
  for (const [file, seconds] of Object.entries(times)) await setMtime(path.join(dir, 'public', file), seconds);
  return dir;
}

async function writeRecord(dir: string, record: unknown): Promise<void> {
  await fs.mkdir(path.dirname(path.join(dir, RECORD)), { recursive: true });
  await fs.writeFile(path.join(dir, RECORD), JSON.stringify(record));
}

// The last build ran from 1,700,000,000 s to 60 s later; this one started at 1,700,001,000 s.
const LAST: LastBuild = { start: 1_700_000_000_000, end: 1_700_000_060_000, token: '1699990000' };
const THIS_START = 1_700_001_000_000;

describe('writtenByBuilds', () => {
  it('lists the files written while the last build ran or right after it, and those written by this one', async () => {
    const dir = await appWithTimes({
      'old.css': 1_699_990_000, // before the last build: the user's
      'feed.xml': 1_700_000_030, // during the last build
      'rss.xml': 1_700_000_065, // 5 s after it: a postbuild script
      'edited.css': 1_700_000_500, // between the builds: the user's edit
      'search.json': 1_700_001_002, // by this build, before the token
      'touched.css': 1_700_009_000, // in the future: touch -d, by hand
    });
    const files = ['old.css', 'feed.xml', 'rss.xml', 'edited.css', 'search.json', 'touched.css'];
    const written = writtenByBuilds(LAST, '1700009000', path.join(dir, 'public'), files, THIS_START, THIS_START + 5000);
    expect(written).toEqual(['feed.xml', 'rss.xml', 'search.json']);
  });

  it('lists nothing when the token did not change, when there is no record, or when every file is older than both builds', async () => {
    const dir = await appWithTimes({ 'feed.xml': 1_700_000_030 });
    const publicDir = path.join(dir, 'public');
    expect(writtenByBuilds({ ...LAST, token: '1700000030' }, '1700000030', publicDir, ['feed.xml'], THIS_START)).toEqual([]);
    expect(writtenByBuilds(undefined, '1700000030', publicDir, ['feed.xml'], THIS_START)).toEqual([]);
    // A token older than the last build's start: the file is not even looked at (its time says otherwise).
    expect(writtenByBuilds(LAST, '1699999999', publicDir, ['feed.xml'], THIS_START)).toEqual([]);
    expect(writtenByBuilds(LAST, '1700000000', publicDir, ['feed.xml'], THIS_START)).toEqual(['feed.xml']);
  });
});

describe('readLastBuild', () => {
  it('reads a record of ours, and nothing from a damaged, foreign, oversized or linked one', async () => {
    const dir = await makeApp(tmp);
    await writeRecord(dir, { generator: 'next-static-bust', ...LAST });
    expect(readLastBuild(dir, undefined)).toEqual(LAST);
    for (const bad of [
      { ...LAST },
      { generator: 'next-static-bust', ...LAST, token: 7 },
      { generator: 'next-static-bust', ...LAST, start: LAST.end + 1 },
      { generator: 'next-static-bust', ...LAST, end: 'soon' },
      [LAST],
      null,
    ]) {
      await writeRecord(dir, bad);
      expect(readLastBuild(dir, undefined), JSON.stringify(bad)).toBeUndefined();
    }
    await fs.writeFile(path.join(dir, RECORD), '{"generator": "next-static-bust", ');
    expect(readLastBuild(dir, undefined)).toBeUndefined();
    await fs.writeFile(path.join(dir, RECORD), JSON.stringify({ generator: 'next-static-bust', ...LAST, pad: 'x'.repeat(5000) }));
    expect(readLastBuild(dir, undefined)).toBeUndefined();
    const elsewhere = path.join(dir, 'elsewhere.json');
    await fs.writeFile(elsewhere, JSON.stringify({ generator: 'next-static-bust', ...LAST }));
    await fs.rm(path.join(dir, RECORD));
    await fs.symlink(elsewhere, path.join(dir, RECORD));
    expect(readLastBuild(dir, undefined)).toBeUndefined();
    // Another distDir has its own record.
    await writeRecord(path.join(dir, 'x'), { generator: 'next-static-bust', ...LAST });
    expect(readLastBuild(dir, '../x/.next')).toBeUndefined();
    await fs.mkdir(path.join(dir, 'build/cache/next-static-bust'), { recursive: true });
    await fs.writeFile(path.join(dir, 'build/cache/next-static-bust/last-build.json'), JSON.stringify({ generator: 'next-static-bust', ...LAST }));
    expect(readLastBuild(dir, 'build')).toEqual(LAST);
  });
});

describe('recordBuild', () => {
  /** A process that records a build of `dir` and exits, as `next build` does. */
  async function recordIn(dir: string, token: string): Promise<{ before: number; after: number }> {
    const before = Date.now();
    const script = `require(${JSON.stringify(path.join(cjs(), 'build/last-build.js'))}).recordBuild(${JSON.stringify(dir)}, undefined, ${JSON.stringify(token)});`;
    await run(process.execPath, ['-e', script]);
    return { before, after: Date.now() };
  }

  it("writes, when the process ends, the process's start and end and the token", async () => {
    const dir = await makeApp(tmp);
    const { before, after } = await recordIn(dir, '1700000000');
    const record = readLastBuild(dir, undefined)!;
    expect(record.token).toBe('1700000000');
    expect(record.start).toBeGreaterThanOrEqual(before - 1000);
    expect(record.end).toBeGreaterThanOrEqual(record.start);
    expect(record.end).toBeLessThanOrEqual(after);
    expect((await fs.readdir(path.dirname(path.join(dir, RECORD)))).sort()).toEqual(['last-build.json']);
  });

  it('replaces a link in place of the record, never writing through it, and writes nothing where the record folder is a link', async () => {
    const dir = await makeApp(tmp);
    const outside = path.join(dir, 'mine.json');
    await fs.writeFile(outside, 'my file');
    await fs.mkdir(path.dirname(path.join(dir, RECORD)), { recursive: true });
    await fs.symlink(outside, path.join(dir, RECORD));
    await recordIn(dir, '1700000000');
    expect(await fs.readFile(outside, 'utf8')).toBe('my file');
    expect((await fs.lstat(path.join(dir, RECORD))).isFile()).toBe(true);

    const other = await makeApp(tmp);
    const folder = path.join(other, 'elsewhere');
    await fs.mkdir(folder);
    await fs.mkdir(path.join(other, '.next/cache'), { recursive: true });
    await fs.symlink(folder, path.join(other, '.next/cache/next-static-bust'));
    await recordIn(other, '1700000000');
    expect(await fs.readdir(folder)).toEqual([]);
  });

  it('writes nothing when the app folder is gone by the end', async () => {
    const dir = path.join(await makeApp(tmp), 'gone');
    await recordIn(dir, '1700000000');
    await expect(fs.access(dir)).rejects.toThrow();
  });
});

describe('next build with "mtime": files that builds write into public/', () => {
  it('says which, with the fix, when they changed the token since the last build', async () => {
    const dir = await appWithTimes({ 'css/a.css': 1_600_000_000, 'feed.xml': Math.floor(Date.now() / 1000) - 5 });
    // The last build ran around the time the feed was written, with an older token.
    const now = Date.now();
    await writeRecord(dir, { generator: 'next-static-bust', start: now - 20_000, end: now - 1000, token: '1600000000' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    await withStaticBust({}, { dir, platform: 'node' })(BUILD, CTX);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(
      /^\[next-static-bust\] 1 file of public\/ was written by this build or the last one \(feed\.xml\), so the "mtime" token changes at every build.*`strategy: "hash"`.*`granularity: "file"`/,
    );
  });

  it('says nothing with the token pinned or another strategy, or when the token is the last one', async () => {
    const seconds = Math.floor(Date.now() / 1000) - 5;
    const now = Date.now();
    for (const [options, token] of [[{ strategy: 'hash' }, '1600000000'], [{ token: 'v1' }, '1600000000'], [{}, String(seconds)]] as const) {
      const dir = await appWithTimes({ 'feed.xml': seconds });
      await writeRecord(dir, { generator: 'next-static-bust', start: now - 20_000, end: now - 1000, token });
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      vi.spyOn(console, 'log').mockImplementation(() => {});
      delete process.env.__NEXT_STATIC_BUST_BUILD;
      delete process.env.__NEXT_STATIC_BUST_WARNED;
      await withStaticBust({}, { dir, platform: 'node', ...options })(BUILD, CTX);
      expect(warn, JSON.stringify(options)).not.toHaveBeenCalled();
      vi.restoreAllMocks();
    }
  });
});
