// next.config.mjs (ES module `import`) with an async function config, a basePath and
// images.localPatterns: the busted URLs carry the basePath and next/image accepts them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMMUTABLE, expectBustedPage, get, makeApp, nextBuild, nextStart, type Server } from './harness.js';

const CONFIG = `import { withStaticBust } from 'next-static-bust/config';

export default withStaticBust(async () => ({
  basePath: '/docs',
  images: { localPatterns: [{ pathname: '/docs/images/**' }] },
}));
`;

let dir: string;
let server: Server;

beforeAll(async () => {
  dir = makeApp('base-path', { config: { file: 'next.config.mjs', contents: CONFIG } });
  await nextBuild(dir);
  server = await nextStart(dir);
});

afterAll(async () => {
  await server?.stop();
});

describe('basePath with next.config.mjs and an async config', () => {
  it('prefixes every busted URL with the basePath and serves it immutable', async () => {
    const { html } = await expectBustedPage(server.url, dir, { basePath: '/docs' });
    expect(html).not.toMatch(/(?:href|src)="\/_bust\//);
  });

  it('lets next/image load a busted src under the basePath when localPatterns is set', async () => {
    const { token } = await expectBustedPage(server.url, dir, { basePath: '/docs' });
    const src = encodeURIComponent(`/docs/_bust/${token}/images/hero.png`);
    const res = await get(`${server.url}/docs/_next/image?url=${src}&w=384&q=75`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\//);
  });

  it('keeps plain URLs under the basePath at the default Cache-Control', async () => {
    const res = await get(server.url + '/docs/css/site.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=0');
    expect(res.headers.get('cache-control')).not.toBe(IMMUTABLE);
  });
});
