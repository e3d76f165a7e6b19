// serveStatic() and writeStaticCopies() (src/serving/serve-static.ts) called directly: what a build
// served from its static folder says it serves, and names that are never joined to a path.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Fingerprinted } from '../../src/build/fingerprints.js';
import { NO_ENTRIES } from '../../src/plugin/bust-routes.js';
import { resolveOptions } from '../../src/plugin/options.js';
import { serveStatic, writeStaticCopies } from '../../src/serving/serve-static.js';
import { makeApp, snapshot, useFreshConfigEnv, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
useFreshConfigEnv();

describe('serveStatic()', () => {
  it('serves the one token of a token build', async () => {
    const dir = await makeApp(tmp, { 'a.css': 'a' });
    const served = await serveStatic(resolveOptions({ dir }), path.join(dir, 'public'), {
      token: 'tok1',
      files: ['a.css'],
      states: new Map(),
    });
    expect(served).toMatchObject({ serving: 'static', current: 'tok1', served: ['tok1'] });
  });

  it('leaves out a listed file that is gone by the time it is looked at', async () => {
    const dir = await makeApp(tmp, { 'a.css': 'a' });
    const states = new Map();
    const served = await serveStatic(resolveOptions({ dir }), path.join(dir, 'public'), {
      token: 'tok1',
      files: ['a.css', 'gone.css'],
      states,
    });
    expect(served.served).toEqual(['tok1']);
    expect([...states.keys()]).toEqual(['a.css']);
  });

  it('serves each fingerprint once, sorted', async () => {
    const dir = await makeApp(tmp, {});
    const fingerprinted = {
      fingerprints: new Map([
        ['/c.css', 'ffff'],
        ['/a.css', 'aaaa'],
        ['/b.css', 'ffff'],
      ]),
      encoded: 'test',
    } as unknown as Fingerprinted;
    const served = await serveStatic(resolveOptions({ dir }), path.join(dir, 'public'), { fingerprinted });
    expect(served.served).toEqual(['aaaa', 'ffff']);
    expect(served.fingerprints).toBe('test');
  });

  it('warns when public/<namespace> holds something it did not make', async () => {
    const dir = await makeApp(tmp, { '_bust/theirs.txt': 'x' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await serveStatic(resolveOptions({ dir }), path.join(dir, 'public'), { token: 'tok1', files: [], states: new Map() });
    expect(warn.mock.calls.join('\n')).toContain('public/_bust could not be removed');
    expect(await fs.readFile(path.join(dir, 'public/_bust/theirs.txt'), 'utf8')).toBe('x');
  });
});

describe('writeStaticCopies()', () => {
  it('writes nothing when one served name is not a plain folder name', async () => {
    const dir = await makeApp(tmp, { 'a.css': 'a' });
    const distDir = path.join(dir, '.next');
    await fs.mkdir(distDir);
    await writeStaticCopies({
      distDir,
      publicDir: path.join(dir, 'public'),
      opts: { namespace: '_bust', strategy: 'hash' },
      served: { serving: 'static', current: '', served: ['aaaa', '../../escape'], entries: NO_ENTRIES, fingerprints: '' },
    });
    expect(await snapshot(distDir)).toEqual({});
  });
});
