// topLevel() (src/namespace/top-level.ts): the top-level files and folders of public/ that the
// routes name, as Next.js would serve them (docs/mutation-testing.md, "Fifth run").
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { topLevel } from '../../src/namespace/top-level.js';
import { useTmp, writeTree } from '../helpers/tmp.js';

const tmp = useTmp();

describe('topLevel()', () => {
  it('lists files and folders apart, sorted, without the namespace; links are followed; what cannot be served is neither', async () => {
    const pub = path.join(await tmp('nsb-top-'), 'public');
    // Made out of order, so that a listing in creation order is not sorted.
    await writeTree(pub, { 'zeta.txt': 'z', 'm/x.css': 'x', 'alpha.txt': 'a', '_bust/t/x': 'x', 'b/y.css': 'y' });
    await fs.symlink('m', path.join(pub, 'linked-folder'));
    await fs.symlink('alpha.txt', path.join(pub, 'linked-file'));
    await fs.symlink('missing', path.join(pub, 'dangling'));
    await fs.symlink('loop', path.join(pub, 'loop'));
    expect(spawnSync('mkfifo', [path.join(pub, 'fifo')]).status).toBe(0);
    expect(topLevel(pub, '_bust')).toEqual({
      files: ['alpha.txt', 'linked-file', 'zeta.txt'],
      folders: ['b', 'linked-folder', 'm'],
    });
  });
});
