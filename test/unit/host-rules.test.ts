import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { BEGIN, END, hostRules, writeBlock, writeHostRules, type HostRules } from '../../src/serving/host-rules.js';
import { useFreshConfigEnv, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const RULES: HostRules = { platform: 'netlify', exported: false, namespace: '_bust', basePath: '', serving: 'links', current: 'new', served: ['new'] };
const USER = '/admin/*\n  X-Frame-Options: DENY\n';
const IMMUTABLE_LINE = '  Cache-Control: public, max-age=31536000, immutable';

async function publicDir(files: Record<string, string> = {}): Promise<string> {
  const dir = path.join(await tmp('nsb-rules-'), 'public');
  await fs.mkdir(dir);
  for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(dir, name), text);
  return dir;
}

const read = (dir: string, name: string) => fs.readFile(path.join(dir, name), 'utf8');
const headersBlock = (rules: HostRules) => hostRules(rules)._headers!;

describe('host rules: what the blocks say', () => {
  it('makes the busted paths of every served token immutable, with basePath', () => {
    expect(headersBlock({ ...RULES, basePath: '/docs', served: ['old', 'new'] })).toEqual([
      '/docs/_bust/old/*',
      IMMUTABLE_LINE,
      '/docs/_bust/new/*',
      IMMUTABLE_LINE,
    ]);
  });

  it('on Netlify, keeps the bookkeeping from being served with a forced 404, and leaves old tokens to Next.js', () => {
    expect(hostRules(RULES)).toEqual({
      _headers: ['/_bust/new/*', IMMUTABLE_LINE],
      _redirects: ['/_bust/.next-static-bust.json  /404  404!'],
    });
  });

  it('on Netlify with a static export, redirects old tokens itself and stops missing files of served tokens at a 404', () => {
    expect(hostRules({ ...RULES, exported: true, served: ['old', 'new'] })._redirects).toEqual([
      '/_bust/.next-static-bust.json  /404  404!',
      '/_bust/old/*  /404  404',
      '/_bust/new/*  /404  404',
      '/_bust/:token/*  /_bust/new/:splat  307',
    ]);
  });

  it('on Cloudflare, writes no _redirects (it would apply even to existing files) and leaves the bookkeeping out of the upload', () => {
    expect(hostRules({ ...RULES, platform: 'cloudflare' })).toEqual({
      _headers: ['/_bust/new/*', IMMUTABLE_LINE],
      '.assetsignore': ['**/_bust/.next-static-bust.json'],
    });
  });

  it('for a static export elsewhere, writes only _headers', () => {
    expect(Object.keys(hostRules({ ...RULES, platform: 'node', exported: true }))).toEqual(['_headers']);
  });
});

describe("host rules: the user's files", () => {
  it('creates the file with only the block when there is none, and removes it with the block', async () => {
    const dir = await publicDir();
    expect(await writeBlock(dir, '_headers', headersBlock(RULES))).toBe(true);
    expect(await read(dir, '_headers')).toBe(`${BEGIN}\n${headersBlock(RULES).join('\n')}\n${END}\n`);
    expect(await writeBlock(dir, '_headers', [])).toBe(true);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it("puts the block above the user's rules and keeps them byte for byte, through updates and removal", async () => {
    const dir = await publicDir({ _headers: USER });
    await writeBlock(dir, '_headers', headersBlock(RULES));
    const text = await read(dir, '_headers');
    expect(text.startsWith(BEGIN)).toBe(true);
    expect(text.endsWith(`${END}\n\n${USER}`)).toBe(true);
    await writeBlock(dir, '_headers', headersBlock({ ...RULES, served: ['newer'] }));
    expect(await read(dir, '_headers')).toContain('/_bust/newer/*');
    expect(await read(dir, '_headers')).not.toContain('/_bust/new/*');
    await writeBlock(dir, '_headers', []);
    expect(await read(dir, '_headers')).toBe(USER);
  });

  it('changes nothing (not even the inode) when the block is already up to date', async () => {
    const dir = await publicDir({ _redirects: USER });
    await writeBlock(dir, '_redirects', hostRules(RULES)._redirects!);
    const before = await fs.stat(path.join(dir, '_redirects'));
    expect(await writeBlock(dir, '_redirects', hostRules(RULES)._redirects!)).toBe(false);
    expect((await fs.stat(path.join(dir, '_redirects'))).ino).toBe(before.ino);
  });

  it('takes the blocks out of every rule file when a build no longer needs them', async () => {
    const dir = await publicDir({ _redirects: USER });
    await writeHostRules(dir, { ...RULES, exported: true });
    await writeHostRules(dir, { ...RULES, platform: 'cloudflare' });
    expect((await fs.readdir(dir)).sort()).toEqual(['.assetsignore', '_headers', '_redirects']);
    expect(await read(dir, '_redirects')).toBe(USER);
    await writeHostRules(dir, undefined);
    expect(await fs.readdir(dir)).toEqual(['_redirects']);
    expect(await read(dir, '_redirects')).toBe(USER);
  });

  it('leaves a file without a block alone when there is nothing to write', async () => {
    const dir = await publicDir({ _redirects: USER });
    expect(await writeBlock(dir, '_redirects', [])).toBe(false);
    expect(await read(dir, '_redirects')).toBe(USER);
  });

  it('takes out the block, and the blank line it put after itself only where it put one (at the top)', async () => {
    const block = `${BEGIN}\n/x/*\n${END}\n`;
    const cases: Array<[string, string]> = [
      // Moved below a rule of the user's: the blank lines around it are the user's, and stay.
      [`/a/*\n  A: 1\n\n${block}\n/b/*\n  B: 2\n`, `/a/*\n  A: 1\n\n\n/b/*\n  B: 2\n`],
      // At the top, the blank line after it removed by hand: the user's first rule loses nothing.
      [`${block}/b/*\n  B: 2\n`, `/b/*\n  B: 2\n`],
      // At the top, followed by two blank lines: one is ours, the other the user's.
      [`${block}\n\n/b/*\n`, `\n/b/*\n`],
      // At the top, above rules of the user's that end without a newline.
      [`${block}\n/b/*`, `/b/*`],
      // At the end, without a final newline.
      [`/a/*\n\n${BEGIN}\n/x/*\n${END}`, `/a/*\n\n`],
    ];
    for (const [before, after] of cases) {
      const dir = await publicDir({ _headers: before });
      expect(await writeBlock(dir, '_headers', [])).toBe(true);
      expect(await read(dir, '_headers')).toBe(after);
    }
  });

  it('refuses, changing nothing, a block whose END line was removed', async () => {
    const broken = `${BEGIN}\n/x/*\n  A: b\n${USER}`;
    const dir = await publicDir({ _headers: broken });
    await expect(writeBlock(dir, '_headers', headersBlock(RULES))).rejects.toThrow(
      /^\[next-static-bust\] .*_headers has the line .* without the line .*Restore the END line/,
    );
    expect(await read(dir, '_headers')).toBe(broken);
  });
});

describe('writeHostRules() and links in public/', () => {
  useFreshConfigEnv();

  it('empties the file a link points to, never removes it, when the block goes', async () => {
    const root = await tmp('nsb-rules-link-');
    await fs.mkdir(path.join(root, 'public'));
    await fs.writeFile(path.join(root, 'shared-headers'), `${BEGIN}\n/x/*\n${END}\n`);
    await fs.symlink('../shared-headers', path.join(root, 'public/_headers'));
    expect(await writeBlock(path.join(root, 'public'), '_headers', [])).toBe(true);
    expect(await fs.readFile(path.join(root, 'shared-headers'), 'utf8')).toBe('');
    expect(await fs.readlink(path.join(root, 'public/_headers'))).toBe('../shared-headers');
  });

  it('warns, writing nothing, for a link to a folder', async () => {
    const dir = await publicDir();
    await fs.mkdir(path.join(dir, '..', 'folder'));
    await fs.symlink('../folder', path.join(dir, '_headers'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await writeHostRules(dir, RULES);
    expect(warn.mock.calls.join('\n')).toContain('public/_headers is a folder');
    expect(await fs.readdir(path.join(dir, '..', 'folder'))).toEqual([]);
  });

  it('warns, never reading it, for a FIFO in place of a rule file', async () => {
    const dir = await publicDir();
    expect(spawnSync('mkfifo', [path.join(dir, '_headers')]).status).toBe(0);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await writeHostRules(dir, RULES);
    expect(warn.mock.calls.join('\n')).toContain('public/_headers is not a regular file (a FIFO, socket or device)');
  });

  it('warns for a link to a file that does not exist', async () => {
    const dir = await publicDir();
    await fs.symlink('../missing', path.join(dir, '_headers'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await writeHostRules(dir, RULES);
    expect(warn.mock.calls.join('\n')).toContain('public/_headers is a link to a file that does not exist');
  });
});

describe('writeHostRules(): a rule file that cannot be read', () => {
  useFreshConfigEnv();

  /** Makes `method` of fs reject with `code` for public/<name>, as a disk or permission error would (a run as root reads any file). */
  function failFor<M extends 'readFile' | 'lstat'>(method: M, file: string, code: string) {
    const real = fs[method] as (...args: unknown[]) => unknown;
    return vi.spyOn(fs, method).mockImplementation(((target: unknown, ...rest: unknown[]) =>
      String(target) === file
        ? Promise.reject(Object.assign(new Error(`${code}: refused, ${method} '${file}'`), { code }))
        : real(target, ...rest)) as never);
  }

  for (const [method, code] of [['readFile', 'EACCES'], ['readFile', 'EIO'], ['lstat', 'EACCES']] as const) {
    it(`throws the error, and writes no block over the user's file, when its ${method} fails with ${code}`, async () => {
      const dir = await publicDir({ _headers: USER });
      const failing = failFor(method, path.join(dir, '_headers'), code);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      // Not taken for "no file" (a block written over the user's rules) nor for a file to warn about
      // and skip: serveBuild() reports an error with a code as "could not write the host's rule files".
      await expect(writeHostRules(dir, RULES)).rejects.toMatchObject({ code });
      failing.mockRestore();
      expect(await read(dir, '_headers')).toBe(USER);
      expect(warn).not.toHaveBeenCalled();
    });
  }
});
