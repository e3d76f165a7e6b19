import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootCatchAll } from '../../src/build/checks/catch-all.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

async function app(...folders: string[]): Promise<string> {
  const dir = await tmp();
  for (const folder of folders) mkdirSync(path.join(dir, folder), { recursive: true });
  return dir;
}

describe('rootCatchAll', async () => {
  it('finds a catch-all and an optional catch-all at the root of app/', async () => {
    expect(rootCatchAll(await app('app/[...slug]'))).toBe(path.join('app', '[...slug]'));
    expect(rootCatchAll(await app('app/[[...parts]]'))).toBe(path.join('app', '[[...parts]]'));
  });

  it('finds one inside a route group and under src/app', async () => {
    expect(rootCatchAll(await app('app/(marketing)/[...slug]'))).toBe(path.join('app', '(marketing)', '[...slug]'));
    expect(rootCatchAll(await app('src/app/[...slug]'))).toBe(path.join('src', 'app', '[...slug]'));
  });

  it('ignores catch-alls below a URL segment, dynamic segments and apps without app/', async () => {
    expect(rootCatchAll(await app('app/docs/[...slug]', 'app/[id]', 'app/blog'))).toBeUndefined();
    expect(rootCatchAll(await app('pages'))).toBeUndefined();
  });

  it("finds one under a dynamic segment (next-intl's app/[locale]/[...rest]) and under nested groups", async () => {
    expect(rootCatchAll(await app('app/[locale]/[...rest]'))).toBe(path.join('app', '[locale]', '[...rest]'));
    expect(rootCatchAll(await app('app/[id]/(shop)/[[...all]]'))).toBe(path.join('app', '[id]', '(shop)', '[[...all]]'));
    const four = path.join('app', '(a)', '(b)', '(c)', '(d)', '[...x]');
    expect(rootCatchAll(await app(four))).toBe(four);
  });

  it('looks through at most four groups or dynamic segments', async () => {
    expect(rootCatchAll(await app('app/(a)/(b)/(c)/(d)/(e)/[...x]'))).toBeUndefined();
    expect(rootCatchAll(await app('app/[a]/[b]/[c]/[d]/[e]/[...x]'))).toBeUndefined();
  });

  it('goes on to the next folder when a group or a dynamic segment holds no catch-all', async () => {
    // Several empty siblings, so that the one with the catch-all is rarely listed first.
    const dir = await app('app/(a)/about', 'app/(b)', 'app/(c)/x', 'app/[d]', 'app/[e]/y', 'app/(f)', 'app/(g)/[...slug]', 'app/(h)');
    expect(rootCatchAll(dir)).toBe(path.join('app', '(g)', '[...slug]'));
  });

  it('takes only whole folder names: not a file, a name with more around the brackets, or a dotted segment', async () => {
    const dir = await app('app/docs[...x]', 'app/docs(x)/[...a]', 'app/(x)docs/[...b]', 'app/[id]x/[...c]', 'app/[.id]/[...d]', 'app/[]/[...e]');
    writeFileSync(path.join(dir, 'app', '[...slug].tsx'), 'export default function P() { return null; }');
    expect(rootCatchAll(dir)).toBeUndefined();
  });
});
