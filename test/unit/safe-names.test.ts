// The two checks that stand between what is read back from disk (the manifest, the build's env)
// and a path the package writes or deletes.
import { describe, expect, it } from 'vitest';
import { isSafeRelative, isToken } from '../../src/shared/safe-names.js';

describe('isToken: one URL segment and one folder name', () => {
  it.each(['a', '1732530000', 'b9cn9l8i', 'A_b-9', 'x'.repeat(64)])('accepts %j', (name) => {
    expect(isToken(name)).toBe(true);
  });

  it.each(['', '.', '..', '../x', 'a/b', 'a\\b', 'a b', 'x'.repeat(65), 'é', 'a\0', '%2e%2e', null, undefined, 42, ['a'], { toString: () => 'a' }])(
    'refuses %j',
    (name) => {
      expect(isToken(name)).toBe(false);
    },
  );
});

describe('isSafeRelative: a path that stays inside the folder it is joined to', () => {
  it.each(['a.txt', 'css/site.css', 'a/b/c/d.png', '.well-known/x', 'a..b/c', '..a', 'a.', '...'])('accepts %j', (rel) => {
    expect(isSafeRelative(rel)).toBe(true);
  });

  it.each([
    '',
    '/etc/passwd',
    '..',
    '../a',
    'a/../../b',
    'a/..',
    '.',
    './a',
    'a/./b',
    'a//b',
    'a/',
    'a\\..\\b',
    'a\\b',
    'a\0b',
    null,
    undefined,
    7,
  ])('refuses %j', (rel) => {
    expect(isSafeRelative(rel)).toBe(false);
  });
});
