// An app in apps/web of an npm workspace: built from the root with `next build apps/web` (the
// package finds the app's folder in Next.js's arguments) and with `npm run build -w apps/web`.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, childEnv, expectBustedPage, freePort, makeApp, run, serve, tokenIn, type Server } from './harness.js';

const MONOREPO = path.join(ROOT, '.e2e', 'monorepo');
const NEXT = path.join(ROOT, 'node_modules/next/dist/bin/next');
let web: string;
let server: Server | undefined;

beforeAll(() => {
  rmSync(MONOREPO, { recursive: true, force: true });
  mkdirSync(path.join(MONOREPO, 'apps'), { recursive: true });
  writeFileSync(path.join(MONOREPO, 'package.json'), JSON.stringify({ name: 'monorepo', private: true, workspaces: ['apps/*'] }, null, 2));
  web = makeApp('web', {}, path.join(MONOREPO, 'apps'));
});

afterAll(async () => {
  await server?.stop();
});

const home = () => readFileSync(path.join(web, '.next/server/app/index.html'), 'utf8');

describe('an app in apps/web of a workspace', () => {
  it('builds from the root with `next build apps/web`, busting the app\'s public/ (not the root\'s)', async () => {
    await run(process.execPath, [NEXT, 'build', 'apps/web'], MONOREPO);
    const token = tokenIn(home());
    expect(existsSync(path.join(web, 'public/_bust', token))).toBe(true);
    expect(existsSync(path.join(MONOREPO, 'public'))).toBe(false);
  });

  it('is served from the root with `next start apps/web`', async () => {
    const port = await freePort();
    server = await serve([NEXT, 'start', '-p', String(port), '-H', '127.0.0.1', 'apps/web'], MONOREPO, { port });
    await expectBustedPage(server.url, web);
    await server.stop();
  });

  it('builds with `npm run build -w apps/web`', async () => {
    rmSync(path.join(web, '.next'), { recursive: true, force: true });
    const { output } = await run('npm', ['run', 'build', '-w', 'apps/web'], MONOREPO, childEnv());
    expect(output).toMatch(/\[next-static-bust\] busting 6 files of public\//);
    expect(tokenIn(home())).toMatch(/^\d+$/);
  });
});
