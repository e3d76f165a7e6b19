// Bad input through a real `next build`: the build stops with the package's error, naming what is
// wrong and the fix, before anything is written (public/ and the app's folder compared whole, before
// and after), and without a half-made build folder of ours.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshot } from '../helpers/tmp.js';
import { childEnv, makeApp, nextBuild } from './harness.js';

/** The app's files but the build folder (which Next.js makes before it loads next.config). */
async function appFiles(dir: string) {
  const all = await snapshot(dir);
  return Object.fromEntries(Object.entries(all).filter(([rel]) => rel !== '.next' && !rel.startsWith('.next/')));
}

describe('bad input through a real next build', () => {
  it.each([
    ['STATIC_BUST_TOKEN=../../etc', { STATIC_BUST_TOKEN: '../../etc' }, undefined, /STATIC_BUST_TOKEN gave the token "\.\.\/\.\.\/etc", which is not a valid token\. A token is 1 to 64 characters/],
    ['a token with a space', { STATIC_BUST_TOKEN: 'v 1' }, undefined, /gave the token "v 1", which is not a valid token/],
    [
      "namespace: '../x'",
      {},
      `import { withStaticBust } from 'next-static-bust/config';\nexport default withStaticBust({}, { namespace: '../x' });\n`,
      /\[next-static-bust\] The `namespace` option is "\.\.\/x", which cannot be a folder of public\//,
    ],
  ])('%s: stops with the fix, and public/ and the app are unchanged', async (name, env, config, message) => {
    const dir = makeApp(`bad-input-${name.replace(/[^a-z0-9]+/gi, '-')}`, config ? { config: { file: 'next.config.mjs', contents: config } } : {});
    const before = await appFiles(dir);
    const failure = await nextBuild(dir, [], childEnv(env)).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure, 'the build must fail').toBeDefined();
    expect(failure).toMatch(message);
    expect(await appFiles(dir)).toEqual(before);
    expect(existsSync(path.join(dir, 'public/_bust'))).toBe(false);
    expect(existsSync(path.join(dir, '.next/static/media/_bust'))).toBe(false);
  });
});
