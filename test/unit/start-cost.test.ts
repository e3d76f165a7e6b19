// What `next start` pays for next.config with withStaticBust(): when the build's folders are there
// (nearly every start), the config entry loads only the modules of an allow-list, in whatever
// folder: not the scan, the checks, the ways of serving or the code that makes folders. Each case
// runs in a fresh Node.js process, as `next start` loads the config, and reads what it loaded from
// require.cache.
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
  const root = path.dirname(entry) + path.sep;
  const loaded = Object.keys(require.cache).filter((f) => f.startsWith(root)).map((f) => f.slice(root.length).split(path.sep).join('/'));
  console.log(JSON.stringify(loaded.sort()));
});`;

async function phase(dir: string, name: string, options: object = {}): Promise<string[]> {
  const { stdout } = await run(process.execPath, ['-e', SCRIPT, path.join(cjs(), 'config.js'), dir, name, JSON.stringify(options)], {
    env: { ...process.env, NODE_PATH: nodePath(), __NEXT_STATIC_BUST_BUILD: '', __NEXT_STATIC_BUST_WARNED: '' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
}

// Every module a start may load when the build's folders are there: the config entry and wrapper,
// the options and what it records for the CLI, the routes the build chose, the build's record
// and the check that its folder of links is complete. Any other module, in any folder, fails the test: a new module on this path
// is a decision, made here.
const START_PATH = [
  'config.js',
  'plugin/with-static-bust.js',
  'plugin/options.js',
  'plugin/app-record.js',
  'plugin/bust-routes.js',
  'shared/errors.js',
  'shared/safe-names.js',
  'start/build-info.js',
  'start/restore.js',
  'namespace/manifest.js',
];

describe('next start with withStaticBust()', () => {
  it.each([
    ['one token (links)', {}],
    ["granularity: 'file'", { granularity: 'file' }],
  ])('loads neither the scan nor the code that makes folders when the build made them: %s', async (_, options) => {
    const dir = await makeApp(tmp, { 'css/a.css': 'a{}', 'logo.png': 'PNG' });
    const atBuild = await phase(dir, 'phase-production-build', options);
    expect(atBuild).toEqual(expect.arrayContaining(['build/build.js', 'serving/plan.js', 'build/token.js', 'build/walk.js']));
    // The test sees modules in folders: a build loads many more than a start may.
    expect(atBuild.filter((file) => !START_PATH.includes(file)).length).toBeGreaterThan(5);

    const atStart = await phase(dir, 'phase-production-server', options);
    expect(atStart).toContain('config.js');
    // A per-file start serves the build's static folder as it is: it reads no map of fingerprints.
    expect(atStart.filter((file) => !START_PATH.includes(file))).toEqual([]);
  });

  it('loads them, and makes the folder again, when public/ came without it', async () => {
    const dir = await makeApp(tmp, { 'css/a.css': 'a{}', 'logo.png': 'PNG' });
    await phase(dir, 'phase-production-build');
    const [token] = (await fs.readdir(path.join(dir, 'public/_bust'))).filter((name) => !name.startsWith('.'));
    await fs.rm(path.join(dir, 'public/_bust'), { recursive: true });

    expect(await phase(dir, 'phase-production-server')).toContain('namespace/rotate.js');
    expect(await fs.readlink(path.join(dir, 'public/_bust', token!, 'css'))).toBe(path.join('..', '..', 'css'));
  });
});
