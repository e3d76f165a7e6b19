// next.config.js (CommonJS `require`) exporting a function config, built with `next build --webpack`,
// whose config also runs in worker processes: all of them must agree on one token.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBustedPage, get, makeApp, nextBuild, nextStart, type Server } from './harness.js';

const CONFIG = `const { withStaticBust } = require('next-static-bust/config');

module.exports = withStaticBust((phase, { defaultConfig }) => {
  if (!defaultConfig) throw new Error('the context did not reach the user config');
  return {
    reactStrictMode: true,
    env: { USER_VALUE: 'kept' },
    async headers() {
      return [{ source: '/:path*', headers: [{ key: 'x-user-header', value: 'yes' }] }];
    },
    async rewrites() {
      return [{ source: '/user-rewrite', destination: '/api/asset-url' }];
    },
  };
}, {
  // A token function that answers something new on every call: the build must still use one.
  token: () => 'w' + process.hrtime.bigint().toString(36),
});
`;

let dir: string;
let server: Server;
let buildOutput: string;

beforeAll(async () => {
  dir = makeApp('webpack', { config: { file: 'next.config.js', contents: CONFIG } });
  buildOutput = (await nextBuild(dir, ['--webpack'])).output;
  server = await nextStart(dir);
});

afterAll(async () => {
  await server?.stop();
});

describe('next build --webpack with a CommonJS function config', () => {
  it('serves busted, immutable assets', async () => {
    await expectBustedPage(server.url, dir);
  });

  it('uses one token in every process of the build, even from a token function', async () => {
    const { token, html } = await expectBustedPage(server.url, dir);
    expect(token).toMatch(/^w[0-9a-z]+$/);
    const tokens = new Set(html.match(/\/_bust\/([A-Za-z0-9_-]+)\//g));
    expect([...tokens]).toEqual([`/_bust/${token}/`]);
    const api = JSON.parse((await get(server.url + '/api/asset-url')).text) as { stylesheet: string };
    expect(api.stylesheet).toBe(`/_bust/${token}/css/site.css`);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'public/_bust/.next-static-bust.json'), 'utf8'));
    expect(manifest.tokens).toEqual([token]);
    expect(buildOutput).not.toMatch(/warn.*next-static-bust|Invalid next\.config/i);
  });

  it("keeps the user's headers, rewrites and env", async () => {
    const res = await get(server.url + '/');
    expect(res.headers.get('x-user-header')).toBe('yes');
    const rewritten = await get(server.url + '/user-rewrite');
    expect(rewritten.status).toBe(200);
    expect(rewritten.text).toContain('"stylesheet"');
    const { token } = await expectBustedPage(server.url, dir);
    const asset = await get(`${server.url}/_bust/${token}/css/site.css`);
    expect(asset.headers.get('x-user-header')).toBe('yes');
    const required = JSON.parse(readFileSync(path.join(dir, '.next/required-server-files.json'), 'utf8'));
    expect(required.config.env.USER_VALUE).toBe('kept');
  });
});
