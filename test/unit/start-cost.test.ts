// What `next start` pays for next.config with withStaticBust(): when the build's folders are there
// (nearly every start), the config entry loads neither the scan (token.ts, walk.ts, node:crypto)
// nor the code that makes folders (rotate.ts and the ways of serving). Each case runs in a fresh
// Node.js process, as `next start` loads the config, and reads what it loaded from require.cache.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { makeApp, nodePath, useCjsBuild, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const cjs = useCjsBuild();
const run = promisify(execFile);

// Loads the config entry, calls it at `phase`, writes the env of the result where Next.js keeps the
// resolved config of a build (for the start), and prints the package's modules it loaded.
const SCRIPT = `
const fs = require('node:fs');
const path = require('node:path');
const [entry, dir, phase, options] = process.argv.slice(1);
const { withStaticBust } = require(entry);
withStaticBust({}, { dir, ...JSON.parse(options) })(phase, { defaultConfig: {} }).then((config) => {
  if (phase === 'phase-production-build') {
    fs.mkdirSync(path.join(dir, '.next'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.next/required-server-files.json'), JSON.stringify({ config: { env: config.env } }));
  }
  const loaded = Object.keys(require.cache).filter((f) => path.dirname(f) === path.dirname(entry)).map((f) => path.basename(f));
  console.log(JSON.stringify(loaded.sort()));
});`;

async function phase(dir: string, name: string, options: object = {}): Promise<string[]> {
  const { stdout } = await run(process.execPath, ['-e', SCRIPT, path.join(cjs(), 'config.js'), dir, name, JSON.stringify(options)], {
    env: { ...process.env, NODE_PATH: nodePath(), __NEXT_STATIC_BUST_BUILD: '', __NEXT_STATIC_BUST_WARNED: '' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
}

// What only a build (or a start that must make folders) needs: the build phase and its checks,
// the scan, the choice of a way of serving and the ways themselves, and the CLI's config reader.
const BUILD_ONLY = [
  'build.js',
  'serving.js',
  'rotate.js',
  'token.js',
  'walk.js',
  'file-copies.js',
  'serve-folders.js',
  'serve-static.js',
  'fingerprints.js',
  'host-rules.js',
  'top-level.js',
  'missing-files.js',
  'routes.js',
  'css-urls.js',
  'proxy-check.js',
  'app-options.js',
];

describe('next start with withStaticBust()', () => {
  it.each([
    ['one token (links)', {}],
    ["granularity: 'file'", { granularity: 'file' }],
  ])('loads neither the scan nor the code that makes folders when the build made them: %s', async (_, options) => {
    const dir = await makeApp(tmp, { 'css/a.css': 'a{}', 'logo.png': 'PNG' });
    expect(await phase(dir, 'phase-production-build', options)).toEqual(expect.arrayContaining(['build.js', 'serving.js', 'rotate.js', 'token.js', 'walk.js']));

    const atStart = await phase(dir, 'phase-production-server', options);
    expect(atStart).toContain('config.js');
    expect(atStart.filter((file) => BUILD_ONLY.includes(file))).toEqual([]);
    // A per-file start serves the build's static folder as it is: it reads no map of fingerprints.
    expect(atStart).not.toContain('fingerprint-map.js');
  });

  it('loads them, and makes the folder again, when public/ came without it', async () => {
    const dir = await makeApp(tmp, { 'css/a.css': 'a{}', 'logo.png': 'PNG' });
    await phase(dir, 'phase-production-build');
    const [token] = (await fs.readdir(path.join(dir, 'public/_bust'))).filter((name) => !name.startsWith('.'));
    await fs.rm(path.join(dir, 'public/_bust'), { recursive: true });

    expect(await phase(dir, 'phase-production-server')).toContain('rotate.js');
    expect(await fs.readlink(path.join(dir, 'public/_bust', token!, 'css'))).toBe(path.join('..', '..', 'css'));
  });
});
