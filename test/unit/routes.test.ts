import { mkdirSync } from 'node:fs';
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
});
