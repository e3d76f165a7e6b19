// The package as a user gets it: `npm pack`, unpacked into a new app's node_modules (a real folder,
// not a link to this repository), then built with both bundlers and served.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_APP_ASSETS, SMALL_APP_FILES } from '../helpers/small-app.js';
import { ROOT, get, integrityOfPage, nextBuild, nextStart, run, type Server } from './harness.js';

const APP = path.join(ROOT, '.e2e', 'packed');

const FILES: Record<string, string> = {
  // No "type" field, as create-next-app writes it.
  'package.json': JSON.stringify({ name: 'packed-app', private: true }, null, 2),
  ...SMALL_APP_FILES,
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
      config: `const { withStaticBust } = require('next-static-bust/config');\nmodule.exports = withStaticBust({}, { strategy: 'hash' });\n`,
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
        expect(token).toMatch(/^(?:\d+|[0-9a-f]{16})$/);
        for (const file of SMALL_APP_ASSETS) {
          expect(page.text).toContain(`/_bust/${token}/${file}`);
          const res = await get(`${server.url}/_bust/${token}/${file}`);
          expect(res.status, file).toBe(200);
          expect(res.headers.get('cache-control'), file).toBe('public, max-age=31536000, immutable');
          expect(res.text, file).toBe(FILES[`public/${file}`]);
        }
        // The stylesheet and the script carry the integrity of the bytes they serve.
        const checked = await integrityOfPage(page.text, server.url);
        expect(checked.map((c) => c.url)).toEqual([`/_bust/${token}/css/site.css`, `/_bust/${token}/js/hello.js`]);
        for (const c of checked) expect(c.integrity, c.url).toBe(c.served);
        // The CLI reads next.config (the hash strategy in one variant) and agrees with the build.
        const cli = await run(process.execPath, [path.join(APP, 'node_modules/next-static-bust/dist/cjs/bin.js'), 'token'], APP);
        expect(cli.output.trim()).toBe(token);
      });
    });
  }
});

