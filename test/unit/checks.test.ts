// What the build reads before it writes: paths of bust() and <BustedAsset> that name no file, and
// stylesheets whose root-absolute url() escapes busting.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRootAbsoluteUrls } from '../../src/build/checks/css-urls.js';
import { findNamedPaths } from '../../src/build/app-sources.js';
import { findMissingReferences } from '../../src/build/checks/missing-files.js';
import { coveringMatchers } from '../../src/build/checks/proxy-matchers.js';
import { useTmp, writeTree } from '../helpers/tmp.js';

const tmp = useTmp();
const PUBLIC = ['css/site.css', 'docs/manual.pdf', 'images/logo.png', 'robots.txt'];

async function app(tree: Record<string, string>): Promise<string> {
  const dir = await tmp('nsb-checks-');
  await writeTree(dir, tree);
  return dir;
}

describe('findMissingReferences', () => {
  it('reports literal paths of bust() and <BustedAsset src> that name no file, with file and line', async () => {
    const dir = await app({
      'app/page.tsx': [
        "import { BustedAsset, bust } from 'next-static-bust';",
        'export default function Page() {',
        "  const ok = bust('/css/site.css?v=2#x');",
        '  return (<main>',
        '    <BustedAsset src="/css/tpyo.css" />',
        "    <a href={bust('/docs/missing.pdf')}>manual</a>",
        "    <BustedAsset alt=\"\" src={'/img/logo.png'} width={1} />",
        "    <BustedAsset src='robots.txt' />",
        "    <BustedAsset src='/css/stie.css' />",
        '  </main>);',
        '}',
      ].join('\n'),
      'src/lib/urls.ts': "export const og = bust(`/og.png`);\n",
    });
    expect(findMissingReferences(await findNamedPaths(dir), PUBLIC, '_bust')).toEqual([
      { path: '/css/tpyo.css', where: 'app/page.tsx:5', suggestion: undefined },
      { path: '/docs/missing.pdf', where: 'app/page.tsx:6', suggestion: undefined },
      { path: '/img/logo.png', where: 'app/page.tsx:7', suggestion: '/images/logo.png' },
      { path: '/css/stie.css', where: 'app/page.tsx:9', suggestion: '/css/site.css' },
      { path: '/og.png', where: 'src/lib/urls.ts:1', suggestion: undefined },
    ]);
  });

  it('leaves alone what it cannot or need not know: run-time paths, external URLs, busted URLs, node_modules and build output', async () => {
    const dir = await app({
      'app/page.tsx': [
        'bust(`/avatars/${name}.png`);',
        'bust(path);',
        "bust('https://cdn.example.com/x.css');",
        "bust('//cdn.example.com/x.css');",
        "bust('data:image/png;base64,AAAA');",
        "bust('/_bust/123/css/site.css');",
      ].join('\n'),
      'node_modules/lib/index.js': "bust('/nope.css');",
      '.next/server/app/page.js': "bust('/nope.css');",
      'public/js/app.js': "bust('/nope.css');",
    });
    expect(findMissingReferences(await findNamedPaths(dir), PUBLIC, '_bust')).toEqual([]);
  });
});

describe('findRootAbsoluteUrls', () => {
  it('finds url(/…) and @import "/…" in stylesheets of public/, with the relative form to use', async () => {
    const dir = await app({
      'public/css/site.css': [
        "@import '/css/base.css';",
        'body { background: url(/images/bg.png?v=1) }',
        'h1 { background: url("../images/ok.png") }',
        "h2 { background: url('//cdn.example.com/x.png') }",
        'h3 { background: url(data:image/png;base64,AA) }',
      ].join('\n'),
    });
    const publicDir = path.join(dir, 'public');
    expect(findRootAbsoluteUrls(publicDir, ['css/site.css', 'images/bg.png'])).toEqual([
      { stylesheet: 'css/site.css', url: '/images/bg.png?v=1', relative: '../images/bg.png?v=1' },
      { stylesheet: 'css/site.css', url: '/css/base.css', relative: 'base.css' },
    ]);
    await fs.writeFile(path.join(publicDir, 'css/site.css'), 'body { background: url(../images/bg.png) }');
    expect(findRootAbsoluteUrls(publicDir, ['css/site.css'])).toEqual([]);
  });
});

describe("the README's fixed matchers for the usual auth guides", () => {
  it('leave every busted file out, where the guides\' own matchers cover some', async () => {
    const readme = await fs.readFile(path.join(__dirname, '../../README.md'), 'utf8');
    const block = /### Proxies \(middleware\)[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const lines = block.split('\n').filter((line) => line.startsWith('export const config'));
    expect(lines).toHaveLength(3);
    const probes = ['css/a.css', 'js/a.js', 'img/a.png', 'docs/a.pdf', 'a.txt'].map((f) => `/_bust/123/${f}`);
    for (const line of lines) {
      const fixed = await app({ 'proxy.ts': `${line}\n` });
      expect(coveringMatchers(fixed, probes, '_bust'), line).toEqual([]);
      const original = await app({ 'proxy.ts': `${line.replace('_bust/|', '')}\n` });
      expect(coveringMatchers(original, probes, '_bust').length, line).toBeGreaterThan(0);
    }
  });
});
