// The package as a user gets it: `npm pack`, unpacked into a new app's node_modules (a real folder,
// not a link to this repository), then built with both bundlers and served.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, get, nextBuild, nextStart, run, type Server } from './harness.js';

const APP = path.join(ROOT, '.e2e', 'packed');

const FILES: Record<string, string> = {
  // No "type" field, as create-next-app writes it.
  'package.json': JSON.stringify({ name: 'packed-app', private: true }, null, 2),
  'app/layout.tsx': `import { BustedAsset } from 'next-static-bust';
export default function Layout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <BustedAsset src="/css/site.css" />
        <BustedAsset src="/js/hello.js" />
        <BustedAsset src="/fonts/geist.ttf" />
        {children}
      </body>
    </html>
  );
}
`,
  'app/page.tsx': `import { BustedAsset, bust } from 'next-static-bust';
export default function Page() {
  return (
    <main>
      <h1>packed</h1>
      <BustedAsset src="/images/icon.png" alt="" />
      <a href={bust('/images/hero.png')}>hero</a>
    </main>
  );
}
`,
  'public/css/site.css': 'h1 { color: rgb(1, 2, 3); }\n',
  'public/js/hello.js': 'document.documentElement.dataset.packed = "yes";\n',
  'public/images/icon.png': 'not really a png, but bytes all the same\n',
  'public/images/hero.png': 'another file\n',
  'public/fonts/geist.ttf': 'font bytes\n',
};

let tarball: string;

beforeAll(async () => {
  rmSync(APP, { recursive: true, force: true });
  mkdirSync(APP, { recursive: true });
  // --ignore-scripts: dist/ is already built by `npm test`, and other tests are using it right now.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', APP], ROOT);
  tarball = path.join(APP, packed.output.trim().split('\n').at(-1)!);
  for (const [file, contents] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(APP, file)), { recursive: true });
    writeFileSync(path.join(APP, file), contents);
  }
  const target = path.join(APP, 'node_modules/next-static-bust');
  mkdirSync(target, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], ROOT);
});

describe('the packed package in a new app', () => {
  it('ships the built entry points, the CLI and the README, and neither sources nor tests', () => {
    const files = readdirSync(path.join(APP, 'node_modules/next-static-bust'), { recursive: true }).map(String);
    expect(files).toEqual(
      expect.arrayContaining(['README.md', 'package.json', 'dist/esm/index.js', 'dist/cjs/config.js', 'dist/cjs/bin.js']),
    );
    expect(files.filter((f) => /^(src|test|example-app|bench|scripts)\//.test(f))).toEqual([]);
  });

  for (const variant of [
    {
      name: 'Turbopack and next.config.ts',
      args: [],
      file: 'next.config.ts',
      config: `import { withStaticBust } from 'next-static-bust/config';\nexport default withStaticBust({});\n`,
    },
    {
      name: 'webpack and next.config.js',
      args: ['--webpack'],
      file: 'next.config.js',
      config: `const { withStaticBust } = require('next-static-bust/config');\nmodule.exports = withStaticBust({});\n`,
    },
  ]) {
    describe(variant.name, () => {
      let server: Server | undefined;

      afterAll(async () => {
        await server?.stop();
      });

      it('builds, starts and serves busted, immutable URLs', async () => {
        for (const old of ['next.config.ts', 'next.config.js', '.next']) rmSync(path.join(APP, old), { recursive: true, force: true });
        writeFileSync(path.join(APP, variant.file), variant.config);
        await nextBuild(APP, variant.args);
        server = await nextStart(APP);
        const page = await get(server.url + '/');
        expect(page.status).toBe(200);
        const token = /\/_bust\/([A-Za-z0-9_-]+)\//.exec(page.text)?.[1];
        expect(token).toBeTruthy();
        for (const file of ['css/site.css', 'js/hello.js', 'images/icon.png', 'images/hero.png', 'fonts/geist.ttf']) {
          expect(page.text).toContain(`/_bust/${token}/${file}`);
          const res = await get(`${server.url}/_bust/${token}/${file}`);
          expect(res.status, file).toBe(200);
          expect(res.headers.get('cache-control'), file).toBe('public, max-age=31536000, immutable');
          expect(res.text, file).toBe(FILES[`public/${file}`]);
        }
      });
    });
  }
});

