// Package managers: the packed package in a new app installed by pnpm (node_modules of symlinks
// into its store, nothing hoisted), yarn 1 (node_modules linker) and bun, then built and served by
// `next start` (no host: token folders of links in public/).
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SMALL_APP_FILES } from '../helpers/small-app.js';
import { nextBuild, nextStart, get, run, type Server } from '../e2e/harness.js';
import { BIN, TOOLS, expectLinksServe, hostApp, hostEnv, pack, type HostApp } from './harness.js';

const VERSIONS = (JSON.parse(readFileSync(path.join(TOOLS, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
// The registry npm uses here; yarn 1 would otherwise ask its own host.
const REGISTRY = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();

const MANAGERS = [
  { name: 'pnpm', args: ['install', '--prefer-offline', '--reporter=silent'], bundlers: [[], ['--webpack']] },
  { name: 'yarn', args: ['install', '--non-interactive', '--silent', '--registry', REGISTRY], bundlers: [[]] },
  { name: 'bun', args: ['install', '--registry', REGISTRY], bundlers: [[]] },
] as const;

let server: Server | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function install(manager: (typeof MANAGERS)[number]): Promise<HostApp> {
  const dir = path.join(os.tmpdir(), 'nsb-platforms', manager.name);
  rmSync(dir, { recursive: true, force: true });
  const dependencies: Record<string, string> = { 'next-static-bust': `file:${await pack()}` };
  for (const name of ['next', 'react', 'react-dom', 'typescript', '@types/react', '@types/node']) dependencies[name] = VERSIONS[name]!;
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: `${manager.name}-app`, private: true, dependencies }, null, 2),
    'next.config.mjs': "import { withStaticBust } from 'next-static-bust/config';\n\nexport default withStaticBust({});\n",
    ...SMALL_APP_FILES,
  };
  for (const [rel, contents] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), contents);
  }
  // yarn 1 caches a file: tarball by name and version, which stay the same from one pack to the next.
  await run(path.join(BIN, manager.name), [...manager.args], dir, hostEnv({ YARN_CACHE_FOLDER: path.join(dir, '.yarn-cache') }));
  return hostApp(dir, files);
}

for (const manager of MANAGERS) {
  describe(`${manager.name} ${VERSIONS[manager.name]}`, () => {
    it('installs the package, and the app builds and serves busted, immutable URLs', async () => {
      const app = await install(manager);
      // pnpm links the package from its store; yarn 1 and bun copy it.
      expect(lstatSync(path.join(app.dir, 'node_modules/next-static-bust')).isSymbolicLink()).toBe(manager.name === 'pnpm');
      for (const args of manager.bundlers) {
        await nextBuild(app.dir, [...args]);
        server = await nextStart(app.dir);
        await expectLinksServe(server.url, app, (await get(`${server.url}/`)).text);
        await server.stop();
      }
    });
  });
}
