// pnpm: the packed package in a new app installed by pnpm (node_modules of symlinks into its store,
// nothing hoisted), built with both bundlers and served.
import { lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_APP_FILES } from '../helpers/small-app.js';
import { nextBuild, nextStart, get, run, type Server } from '../e2e/harness.js';
import { BIN, TOOLS, expectHostServes, hostEnv, pack, type HostApp } from './harness.js';

const VERSIONS = (JSON.parse(readFileSync(path.join(TOOLS, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
let app: HostApp;
let server: Server | undefined;

beforeAll(async () => {
  const dir = path.join(os.tmpdir(), 'nsb-platforms', 'pnpm');
  rmSync(dir, { recursive: true, force: true });
  const dependencies: Record<string, string> = { 'next-static-bust': `file:${await pack()}` };
  for (const name of ['next', 'react', 'react-dom', 'typescript', '@types/react', '@types/node']) dependencies[name] = VERSIONS[name]!;
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'pnpm-app', private: true, dependencies }, null, 2),
    'next.config.mjs': "import { withStaticBust } from 'next-static-bust/config';\n\nexport default withStaticBust({});\n",
    ...SMALL_APP_FILES,
  };
  for (const [rel, contents] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), contents);
  }
  await run(path.join(BIN, 'pnpm'), ['install', '--prefer-offline', '--reporter=silent'], dir, hostEnv());
  app = { dir, file: (rel) => readFileSync(path.join(dir, 'public', rel), 'utf8') };
});

afterAll(async () => {
  await server?.stop();
});

describe('pnpm', () => {
  it("installs the package as a link into its store, as pnpm does", () => {
    expect(lstatSync(path.join(app.dir, 'node_modules/next-static-bust')).isSymbolicLink()).toBe(true);
  });

  for (const [bundler, args] of [['Turbopack', []], ['webpack', ['--webpack']]] as const) {
    it(`builds (${bundler}) and serves busted, immutable URLs`, async () => {
      await nextBuild(app.dir, [...args]);
      server = await nextStart(app.dir);
      await expectHostServes(server.url, app, (await get(`${server.url}/`)).text);
      await server.stop();
    });
  }
});
