// 100,000 files in public/: the scan finishes, lists and reads every file, and rotation stays one link per
// top-level entry. (How long it takes is measured by `npm run bench`, not asserted here.)
import { mkdirSync, readdirSync, readFileSync, readlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rotate } from '../../src/namespace/rotate.js';
import { hashToken } from '../../src/build/hash.js';
import { listFiles } from '../../src/build/public-files.js';
import { mtimeToken } from '../../src/build/token.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const FILES = 100_000;

describe('a public/ folder with 100,000 files', () => {
  it('gets a token from the newest of all of them, and one link per top-level entry', async () => {
    const publicDir = path.join(await tmp(), 'public');
    // 20 top-level folders × 50 subfolders × 100 files.
    let n = 0;
    for (let a = 0; a < 20; a++) {
      for (let b = 0; b < 50; b++) {
        const folder = path.join(publicDir, `d${a}`, `s${b}`);
        mkdirSync(folder, { recursive: true });
        for (let c = 0; c < 100; c++) {
          const file = path.join(folder, `f${c}.txt`);
          writeFileSync(file, String(n));
          utimesSync(file, 1_000_000, 1_000_000 + (n % 1000));
          n++;
        }
      }
    }
    expect(n).toBe(FILES);
    // One file, deep inside and written last, is the newest: the token must have seen it.
    const newest = path.join(publicDir, 'd19', 's49', 'f99.txt');
    utimesSync(newest, 2_000_000, 2_000_000);

    // Every file is listed, once.
    const listed = await listFiles({ publicDir, namespace: '_bust' });
    expect(listed.length).toBe(FILES);
    expect(new Set(listed).size).toBe(FILES);
    expect(listed).toContain('d19/s49/f99.txt');
    expect(listed).toContain('d0/s0/f0.txt');

    expect(await mtimeToken({ publicDir, namespace: '_bust' })).toBe('2000000');
    const hash = await hashToken({ publicDir, namespace: '_bust' });
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    // The hash read every file: one byte of one file in the middle, same size and time, changes it.
    const middle = path.join(publicDir, 'd10', 's25', 'f50.txt');
    const text = readFileSync(middle, 'utf8');
    writeFileSync(middle, text.slice(0, -1) + (text.endsWith('1') ? '2' : '1'));
    utimesSync(middle, 1_000_000, 1_000_000);
    expect(await hashToken({ publicDir, namespace: '_bust' })).not.toBe(hash);
    expect(await mtimeToken({ publicDir, namespace: '_bust' })).toBe('2000000');

    const result = await rotate({ publicDir, namespace: '_bust', token: 'big', keep: 1 });
    expect(result.status).toBe('ok');
    const links = readdirSync(path.join(publicDir, '_bust', 'big'));
    expect(links.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `d${i}`).sort());
    expect(readlinkSync(path.join(publicDir, '_bust', 'big', 'd7'))).toBe(path.join('..', '..', 'd7'));
  }, 180_000);
});
