// What the token does from one build to the next, in real `next build`s of a static export (no
// server is needed to read the URLs):
// - In CI and on the hosts, each build starts from a fresh clone whose files all have the time of
//   the clone. With no strategy set, the token is then a digest ("hash"), so that a deploy of the
//   same bytes keeps every URL and returning visitors keep what they have.
// - On a developer's machine ("mtime"), a build that writes into public/ itself (a feed, a search
//   index) changes the token at every build: the build says so.
import { readFileSync, readdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bustedUrls, childEnv, makeApp, nextBuild } from './harness.js';

const CONFIG = `import { withStaticBust } from 'next-static-bust/config';

export default withStaticBust({ output: 'export', images: { unoptimized: true } });
`;

let dir: string;

/** Every file of public/ (not the package's folder) gets the modification time `seconds`. */
function clone(seconds: number): void {
  for (const rel of readdirSync(path.join(dir, 'public'), { recursive: true }).map(String)) {
    if (!rel.startsWith('_bust')) utimesSync(path.join(dir, 'public', rel), seconds, seconds);
  }
}

async function build(env: Record<string, string>): Promise<{ urls: string[]; line: string }> {
  const { output } = await nextBuild(dir, [], childEnv(env));
  const line = output.split('\n').find((l) => l.includes('[next-static-bust] busting')) ?? output;
  return { urls: bustedUrls(readFileSync(path.join(dir, 'out/index.html'), 'utf8')), line };
}

beforeAll(() => {
  dir = makeApp('tokens-across-builds', { config: { file: 'next.config.mjs', contents: CONFIG } });
});

describe('builds of fresh clones in CI (CI=1, no strategy set)', () => {
  it('keep every URL when the bytes are the same and the modification times are new, and say why', async () => {
    const now = Math.floor(Date.now() / 1000);
    clone(now - 7200);
    const first = await build({ CI: '1' });
    expect(first.line).toMatch(/busting \d+ files of public\/ under \/_bust\/[0-9a-f]{12,}\/ \(token from the "hash" strategy, the default where CI=1; links for a static export\)/);
    expect(first.urls.length).toBeGreaterThanOrEqual(5);

    clone(now - 3600);
    const second = await build({ CI: '1' });
    expect(second.urls).toEqual(first.urls);

    // The same clone on a developer's machine: "mtime", whose token is the newest time.
    const local = await build({});
    expect(local.line).toContain('(token from the "mtime" strategy; links for a static export)');
    expect(local.urls[0]).toContain(`/_bust/${now - 3600}/`);
  });
});

// A generator that runs when next.config is loaded, as contentlayer's plugin does.
const GENERATING = `import { writeFileSync } from 'node:fs';
import { withStaticBust } from 'next-static-bust/config';

writeFileSync('public/feed.xml', '<rss>' + new Date().toISOString() + '</rss>');

export default withStaticBust({ output: 'export', images: { unoptimized: true } });
`;

describe('builds that write into public/ ("mtime", on a developer\'s machine)', () => {
  it('say, from the second build on, which files they wrote, since those change the token at every build', async () => {
    dir = makeApp('tokens-written', { config: { file: 'next.config.mjs', contents: GENERATING } });
    const warning = /\[next-static-bust\] 1 file of public\/ was written by this build or the last one \(feed\.xml\), so the "mtime" token changes at every build/;
    const first = await nextBuild(dir, [], childEnv());
    expect(first.output).not.toMatch(warning);
    const firstUrls = bustedUrls(readFileSync(path.join(dir, 'out/index.html'), 'utf8'));
    const second = await nextBuild(dir, [], childEnv());
    expect(second.output).toMatch(warning);
    expect(bustedUrls(readFileSync(path.join(dir, 'out/index.html'), 'utf8'))).not.toEqual(firstUrls);
    // Pointed at the fix, which keeps the URLs of the same bytes.
    expect(second.output).toMatch(/Set `strategy: "hash"`/);
  });
});
