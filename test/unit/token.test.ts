import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StaticBustError } from '../../src/shared/errors.js';
import { rotate } from '../../src/namespace/rotate.js';
import {
  assertToken,
  gitToken,
  mtimeToken,
  resolveToken,
  type ResolveTokenOptions,
  strategyToken,
} from '../../src/build/token.js';
import { TOKEN_ENV } from '../../src/plugin/options.js';
import { hashToken } from '../../src/build/hash.js';
import { setMtime, useTmp, writeTree } from '../helpers/tmp.js';

const tmp = useTmp();
const NS = '_bust';
const WARNED = '__NEXT_STATIC_BUST_WARNED';

beforeEach(() => {
  delete process.env[WARNED];
  delete process.env[TOKEN_ENV];
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env[WARNED];
  delete process.env[TOKEN_ENV];
});

/** A public/ folder with `tree`, every file's mtime set to `seconds`. */
async function publicDir(tree: Record<string, string>, seconds = 1_600_000_000): Promise<string> {
  const dir = path.join(await tmp('nsb-token-'), 'public');
  await fs.mkdir(dir);
  await writeTree(dir, tree);
  for (const rel of Object.keys(tree)) await setMtime(path.join(dir, rel), seconds);
  return dir;
}

describe('mtimeToken', () => {
  it('is the newest modification time of any file, in whole seconds', async () => {
    const dir = await publicDir({ 'a.css': 'a', 'deep/er/b.js': 'b', 'c.txt': 'c' });
    await fs.utimes(path.join(dir, 'deep/er/b.js'), 1_700_000_123.9, 1_700_000_123.9);
    await setMtime(path.join(dir, 'c.txt'), 1_650_000_000);
    expect(await mtimeToken({ publicDir: dir, namespace: NS })).toBe('1700000123');
  });

  it('counts dot files', async () => {
    const dir = await publicDir({ 'a.css': 'a', '.well-known/x': 'x' });
    await setMtime(path.join(dir, '.well-known/x'), 1_700_000_000);
    expect(await mtimeToken({ publicDir: dir, namespace: NS })).toBe('1700000000');
  });

  it('does not count a symlink to a newer file outside public/', async () => {
    const dir = await publicDir({ 'a.css': 'a' });
    const outside = path.join(path.dirname(dir), 'newer.txt');
    await fs.writeFile(outside, 'new');
    await setMtime(outside, 1_800_000_000);
    await fs.symlink(outside, path.join(dir, 'link.txt'));
    // lutimes: the link itself is new too, and must not count either.
    await fs.lutimes(path.join(dir, 'link.txt'), 1_800_000_000, 1_800_000_000);
    expect(await mtimeToken({ publicDir: dir, namespace: NS })).toBe('1600000000');
  });

  it('never follows a symlinked folder', async () => {
    const dir = await publicDir({ 'a.css': 'a' });
    const outside = path.join(path.dirname(dir), 'vendor');
    await writeTree(outside, { 'lib.js': 'x' });
    await setMtime(path.join(outside, 'lib.js'), 1_800_000_000);
    await fs.symlink(outside, path.join(dir, 'vendor'));
    expect(await mtimeToken({ publicDir: dir, namespace: NS })).toBe('1600000000');
  });

  it('ignores the namespace folder, so rotating does not change the token', async () => {
    const dir = await publicDir({ 'a.css': 'a', 'img/b.png': 'b' });
    const before = await mtimeToken({ publicDir: dir, namespace: NS });
    await rotate({ publicDir: dir, namespace: NS, token: before, keep: 1 });
    // A (stray) newer file inside the namespace must not count either.
    await fs.writeFile(path.join(dir, NS, 'stray.txt'), 'x');
    await setMtime(path.join(dir, NS, 'stray.txt'), 1_900_000_000);
    expect(await mtimeToken({ publicDir: dir, namespace: NS })).toBe(before);
  });

  it('is "0" for an empty public/', async () => {
    const dir = await publicDir({});
    expect(await mtimeToken({ publicDir: dir, namespace: NS })).toBe('0');
  });

  it('is "0" (through strategyToken) when public/ does not exist', async () => {
    const dir = path.join(await tmp(), 'public');
    expect(await strategyToken({ publicDir: dir, namespace: NS, strategy: 'mtime' })).toBe('0');
    expect(await strategyToken({ publicDir: dir, namespace: NS, strategy: 'hash' })).toBe('0');
  });

  it('with a listing (the build listed public/ once): the newest of the listed files, a file gone since left out, the lstat of each kept', async () => {
    const dir = await publicDir({ 'a.css': 'a', 'b/c.js': 'c', 'd.txt': 'd' });
    await setMtime(path.join(dir, 'a.css'), 1_700_000_500);
    await setMtime(path.join(dir, 'b/c.js'), 1_700_000_900);
    await setMtime(path.join(dir, 'd.txt'), 1_700_000_100);
    const states = new Map<string, string>();
    // The newest file is neither the first nor the last listed; gone.css was deleted after the listing.
    const files = ['a.css', 'b/c.js', 'gone.css', 'd.txt'];
    expect(await mtimeToken({ publicDir: dir, namespace: NS, files, states })).toBe('1700000900');
    expect([...states.keys()]).toEqual(['a.css', 'b/c.js', 'd.txt']);
    const stat = await fs.lstat(path.join(dir, 'b/c.js'));
    expect(states.get('b/c.js')).toBe(`stat:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`);
    // Only the listed files count: a newer one that is not listed does not.
    await fs.writeFile(path.join(dir, 'new.css'), 'n');
    await setMtime(path.join(dir, 'new.css'), 1_800_000_000);
    expect(await mtimeToken({ publicDir: dir, namespace: NS, files: ['a.css'] })).toBe('1700000500');
  });

  it('neither hangs nor crashes on a dangling symlink and a symlink loop', async () => {
    const dir = await publicDir({ 'a.css': 'a', 'sub/b.css': 'b' });
    await fs.symlink('does-not-exist', path.join(dir, 'dangling'));
    await fs.symlink('.', path.join(dir, 'sub/loop'));
    await fs.symlink('../sub', path.join(dir, 'sub/up'));
    expect(await mtimeToken({ publicDir: dir, namespace: NS })).toBe('1600000000');
    expect(await hashToken({ publicDir: dir, namespace: NS })).toMatch(/^[0-9a-f]{16}$/);
  }, 10_000);
});

describe('hashToken', () => {
  const tree = { 'css/site.css': 'body{}', 'js/app.js': 'let a = 1;', 'logo.svg': '<svg/>' };

  it('is the same for the same files in two folders with different mtimes', async () => {
    const a = await publicDir(tree, 1_600_000_000);
    const b = await publicDir(tree, 1_700_000_000);
    expect(a).not.toBe(b);
    expect(await hashToken({ publicDir: a, namespace: NS })).toBe(
      await hashToken({ publicDir: b, namespace: NS }),
    );
  });

  it('is 16 lowercase hex characters', async () => {
    const dir = await publicDir(tree);
    expect(await hashToken({ publicDir: dir, namespace: NS })).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes when a file\'s content changes', async () => {
    const a = await publicDir(tree);
    const b = await publicDir({ ...tree, 'js/app.js': 'let a = 2;' });
    expect(await hashToken({ publicDir: a, namespace: NS })).not.toBe(
      await hashToken({ publicDir: b, namespace: NS }),
    );
  });

  it('changes when a file is renamed, even with the same content', async () => {
    const a = await publicDir(tree);
    const { 'logo.svg': logo, ...rest } = tree;
    const b = await publicDir({ ...rest, 'icon.svg': logo });
    expect(await hashToken({ publicDir: a, namespace: NS })).not.toBe(
      await hashToken({ publicDir: b, namespace: NS }),
    );
  });

  it('does not confuse a path with file content (boundaries are unambiguous)', async () => {
    const a = await publicDir({ ab: 'c' });
    const b = await publicDir({ a: 'bc' });
    expect(await hashToken({ publicDir: a, namespace: NS })).not.toBe(
      await hashToken({ publicDir: b, namespace: NS }),
    );
  });

  it('hashes files of 1 MiB and more (streamed) by content', async () => {
    const big = 'x'.repeat((1 << 20) + 17);
    const a = await publicDir({ 'big.bin': big });
    const b = await publicDir({ 'big.bin': big.slice(0, -1) + 'y' });
    const c = await publicDir({ 'big.bin': big }, 1_700_000_000);
    const ha = await hashToken({ publicDir: a, namespace: NS });
    expect(ha).not.toBe(await hashToken({ publicDir: b, namespace: NS }));
    expect(ha).toBe(await hashToken({ publicDir: c, namespace: NS }));
  });

  it('ignores the namespace folder and symlinks', async () => {
    const dir = await publicDir(tree);
    const before = await hashToken({ publicDir: dir, namespace: NS });
    await rotate({ publicDir: dir, namespace: NS, token: before, keep: 1 });
    await fs.symlink('css/site.css', path.join(dir, 'alias.css'));
    expect(await hashToken({ publicDir: dir, namespace: NS })).toBe(before);
  });
});

describe('gitToken', () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

  async function repo(): Promise<{ root: string; pub: string }> {
    const root = await tmp('nsb-git-');
    git(root, 'init', '-q');
    git(root, 'config', 'user.email', 'test@example.com');
    git(root, 'config', 'user.name', 'Test');
    git(root, 'config', 'commit.gpgsign', 'false');
    const pub = path.join(root, 'public');
    await writeTree(pub, { 'a.css': 'a', 'img/b.png': 'b' });
    await writeTree(root, { 'README.md': 'hi' });
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'first');
    return { root, pub };
  }

  it('is the 12-character abbreviated hash of the last commit that touched public/', async () => {
    const { root, pub } = await repo();
    await writeTree(pub, { 'a.css': 'a2' });
    git(root, 'commit', '-q', '-am', 'touch public');
    const touching = git(root, 'rev-parse', '--short=12', 'HEAD');
    // A later commit outside public/ does not change it.
    await writeTree(root, { 'README.md': 'changed' });
    git(root, 'commit', '-q', '-am', 'readme');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const token = await gitToken({ publicDir: pub, namespace: NS });
    expect(token).toBe(touching);
    expect(token).toMatch(/^[0-9a-f]{12}$/);
    expect(await strategyToken({ publicDir: pub, namespace: NS, strategy: 'git' })).toBe(touching);
    expect(warn).not.toHaveBeenCalled();
  });

  it('ignores the (untracked) namespace folder when checking for uncommitted changes', async () => {
    const { root, pub } = await repo();
    const head = git(root, 'rev-parse', '--short=12', 'HEAD');
    await rotate({ publicDir: pub, namespace: NS, token: head, keep: 1 });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await gitToken({ publicDir: pub, namespace: NS })).toBe(head);
    expect(warn).not.toHaveBeenCalled();
  });

  it('falls back to mtime, with a warning, when public/ has uncommitted changes', async () => {
    const { pub } = await repo();
    await writeTree(pub, { 'new.css': 'untracked' });
    for (const rel of ['a.css', 'img/b.png', 'new.css']) await setMtime(path.join(pub, rel), 1_650_000_000);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await gitToken({ publicDir: pub, namespace: NS })).toBeUndefined();
    expect(await strategyToken({ publicDir: pub, namespace: NS, strategy: 'git' })).toBe('1650000000');
    expect(warn).toHaveBeenCalledTimes(1); // warned once, though asked twice
    expect(warn.mock.calls[0]![0]).toMatch(/^\[next-static-bust\] .*uncommitted changes.*"mtime"/);
  });

  it('falls back to mtime, with a warning, when there is no git repository', async () => {
    const pub = await publicDir({ 'a.css': 'a' }, 1_650_000_000);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await strategyToken({ publicDir: pub, namespace: NS, strategy: 'git' })).toBe('1650000000');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/^\[next-static-bust\] .*no git repository.*"mtime"/);
  });

  it('falls back to mtime, with a warning, when no commit touches public/', async () => {
    const root = await tmp('nsb-git-');
    git(root, 'init', '-q');
    git(root, 'config', 'user.email', 'test@example.com');
    git(root, 'config', 'user.name', 'Test');
    git(root, 'config', 'commit.gpgsign', 'false');
    await writeTree(root, { 'README.md': 'hi' });
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'first');
    const pub = path.join(root, 'public');
    await fs.mkdir(pub); // empty and untracked: no commit touches it, and nothing is dirty
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await strategyToken({ publicDir: pub, namespace: NS, strategy: 'git' })).toBe('0');
    expect(warn.mock.calls[0]![0]).toMatch(/^\[next-static-bust\] .*no commit that touches public/);
  });
});

describe('resolveToken', () => {
  async function opts(extra: Partial<ResolveTokenOptions> = {}): Promise<ResolveTokenOptions> {
    const dir = await publicDir({ 'a.css': 'a' }, 1_650_000_000);
    return { publicDir: dir, namespace: NS, strategy: 'mtime', env: {} as NodeJS.ProcessEnv, ...extra };
  }
  const env = (value: string) => ({ [TOKEN_ENV]: value }) as unknown as NodeJS.ProcessEnv;

  it('uses the strategy when nothing else is given', async () => {
    expect(await resolveToken(await opts())).toBe('1650000000');
  });

  it('prefers a string token option to the strategy', async () => {
    expect(await resolveToken(await opts({ token: 'v1' }))).toBe('v1');
  });

  it('calls a sync token function', async () => {
    expect(await resolveToken(await opts({ token: () => 'sync-1' }))).toBe('sync-1');
  });

  it('awaits an async token function', async () => {
    expect(await resolveToken(await opts({ token: async () => 'async_2' }))).toBe('async_2');
  });

  it('prefers STATIC_BUST_TOKEN to the token option, without calling the function', async () => {
    const token = vi.fn(() => 'from-fn');
    const o = await opts({ token, env: env('from-env') });
    expect(await resolveToken(o)).toBe('from-env');
    expect(token).not.toHaveBeenCalled();
  });

  it('reads STATIC_BUST_TOKEN from process.env when no env is passed', async () => {
    const { env: _env, ...o } = await opts({ token: 'opt' });
    process.env[TOKEN_ENV] = 'proc-env';
    expect(await resolveToken(o)).toBe('proc-env');
  });

  it('treats an empty STATIC_BUST_TOKEN as unset', async () => {
    expect(await resolveToken(await opts({ token: 'opt', env: env('') }))).toBe('opt');
  });

  it('accepts a token of exactly 64 characters', async () => {
    const token = 'a'.repeat(64);
    expect(await resolveToken(await opts({ token }))).toBe(token);
  });

  const invalid = ['a/b', '..', 'a b', 'a'.repeat(65), '', '../../etc', 'é', 'a.b', 'a\nb'];

  it.each(invalid)('rejects the token option %j with a StaticBustError naming the option and the fix', async (bad) => {
    const error = await resolveToken(await opts({ token: bad })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaticBustError);
    expect((error as Error).message).toMatch(/^\[next-static-bust\] The `token` option gave the token /);
    expect((error as Error).message).toContain(JSON.stringify(bad));
    expect((error as Error).message).toMatch(/1 to 64 characters of A-Z, a-z, 0-9/);
  });

  it.each(['a/b', '..', 'a b', 'a'.repeat(65), '../../etc'])(
    'rejects STATIC_BUST_TOKEN=%j with a StaticBustError naming the variable',
    async (bad) => {
      const error = await resolveToken(await opts({ env: env(bad) })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StaticBustError);
      expect((error as Error).message).toMatch(
        /^\[next-static-bust\] The environment variable STATIC_BUST_TOKEN gave the token .*Use a commit hash/,
      );
    },
  );

  it('rejects a token function that returns something invalid (sync, async, non-string)', async () => {
    for (const token of [() => 'a/b', async () => '..', () => 42 as unknown as string, async () => undefined as unknown as string]) {
      await expect(resolveToken(await opts({ token }))).rejects.toThrow(
        /^\[next-static-bust\] The `token` option gave the token .* not a valid token/,
      );
    }
  });

  it('passes an error thrown by the token function through unchanged', async () => {
    const boom = new Error('boom');
    await expect(resolveToken(await opts({ token: () => { throw boom; } }))).rejects.toBe(boom);
  });
});

describe('assertToken', () => {
  it('names the origin and shows non-string values', () => {
    expect(() => assertToken(null, 'Somewhere')).toThrow(/^\[next-static-bust\] Somewhere gave the token null/);
    expect(() => assertToken('ok_TOKEN-1', 'x')).not.toThrow();
  });
});
