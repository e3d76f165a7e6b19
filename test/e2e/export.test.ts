// output: 'export': no server at all. The exported HTML must reference busted files that exist in
// out/ as real files (a static host or CDN serves them as they are), and Next.js must not warn.
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bustedUrls, makeApp, nextBuild, publicFile, tokenIn } from './harness.js';

const CONFIG = `import { withStaticBust } from 'next-static-bust/config';

export default withStaticBust({ output: 'export', images: { unoptimized: true } });
`;

let dir: string;
let output: string;
let html: string;

beforeAll(async () => {
  dir = makeApp('export', { config: { file: 'next.config.mjs', contents: CONFIG } });
  output = (await nextBuild(dir)).output;
  html = readFileSync(path.join(dir, 'out/index.html'), 'utf8');
});

describe("output: 'export'", () => {
  it('references busted files in the exported HTML, and out/ holds them as real files', () => {
    const token = tokenIn(html);
    const urls = bustedUrls(html);
    expect(urls.length).toBeGreaterThanOrEqual(5);
    for (const url of urls) {
      const file = path.join(dir, 'out', url);
      expect(lstatSync(file).isFile(), url).toBe(true);
      expect(lstatSync(path.dirname(file)).isSymbolicLink(), url).toBe(false);
      expect(readFileSync(file).equals(publicFile(dir, url.slice(`/_bust/${token}/`.length))), url).toBe(true);
    }
  });

  it('puts a _headers file for Netlify and Cloudflare Pages into out/: immutable on the busted paths only', () => {
    const token = tokenIn(html);
    expect(readFileSync(path.join(dir, 'out/_headers'), 'utf8')).toMatch(
      new RegExp(`^# BEGIN next-static-bust.*\\n/_bust/${token}/\\*\\n  Cache-Control: public, max-age=31536000, immutable\\n# END next-static-bust\\n$`),
    );
  });

  it('builds without warnings, saying in one line what it busted', () => {
    expect(output).not.toMatch(/headers|redirects/i);
    // The package says one line, what it did, and warns of nothing.
    const ours = output.split('\n').filter((line) => line.includes('[next-static-bust]'));
    expect(ours).toEqual([expect.stringMatching(/^\[next-static-bust\] busting 6 files of public\/ under \/_bust\/\d+\/ \(token from the "mtime" strategy; links for a static export\)$/)]);
  });
});
