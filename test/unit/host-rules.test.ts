import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BEGIN, END, headersBlock, redirectsBlock, writeBlock, type HostRules } from '../../src/host-rules.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const RULES: HostRules = { namespace: '_bust', basePath: '', current: 'new', served: ['new'], rewrite: true };
const USER = '/admin/*\n  X-Frame-Options: DENY\n';

async function publicDir(files: Record<string, string> = {}): Promise<string> {
  const dir = path.join(await tmp('nsb-rules-'), 'public');
  await fs.mkdir(dir);
  for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(dir, name), text);
  return dir;
}

const read = (dir: string, name: string) => fs.readFile(path.join(dir, name), 'utf8');

describe('host rules: what the blocks say', () => {
  it('makes the busted paths of every served token immutable, with basePath', () => {
    expect(headersBlock({ ...RULES, basePath: '/docs', served: ['old', 'new'] })).toEqual([
      '/docs/_bust/old/*',
      '  Cache-Control: public, max-age=31536000, immutable',
      '/docs/_bust/new/*',
      '  Cache-Control: public, max-age=31536000, immutable',
    ]);
  });

  it('rewrites served tokens to the plain file before it redirects every other token to the current file', () => {
    expect(redirectsBlock(RULES)).toEqual(['/_bust/new/*  /:splat  200', '/_bust/:token/*  /_bust/new/:splat  307']);
  });

  it('with token folders in public/, stops missing files of served tokens at a 404 instead of redirecting them to themselves', () => {
    expect(redirectsBlock({ ...RULES, rewrite: false, served: ['old', 'new'] })).toEqual([
      '/_bust/old/*  /404  404',
      '/_bust/new/*  /404  404',
      '/_bust/:token/*  /_bust/new/:splat  307',
    ]);
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
    await writeBlock(dir, '_redirects', redirectsBlock(RULES));
    const before = await fs.stat(path.join(dir, '_redirects'));
    expect(await writeBlock(dir, '_redirects', redirectsBlock(RULES))).toBe(false);
    expect((await fs.stat(path.join(dir, '_redirects'))).ino).toBe(before.ino);
  });

  it('leaves a file without a block alone when there is nothing to write', async () => {
    const dir = await publicDir({ _redirects: USER });
    expect(await writeBlock(dir, '_redirects', [])).toBe(false);
    expect(await read(dir, '_redirects')).toBe(USER);
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
